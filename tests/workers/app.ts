/**
 * Helpers for tests that run inside workerd: calls to the app under test, its `wrangler dev` copy and
 * the local stand-ins, all over `fetch`.
 */

import { env, exports } from "cloudflare:workers";
import type { WorkflowRunLog } from "@upstash/workflow";
import { Client } from "@upstash/workflow";
import { inject } from "vitest";
import { waitFor } from "../helpers/wait-for.js";

export const stack = inject("localStack");

export function requireBinding(name: string): string {
  const value = env[name];
  if (value === undefined) throw new Error(`binding ${name} is missing; check tests/workers/global-setup.ts`);
  return value;
}

/**
 * Sends an admin API request with the admin token, to the Worker in this isolate or, with `baseUrl`,
 * to the `wrangler dev` copy of the app.
 */
export function adminRequest(path: string, init: RequestInit & { baseUrl?: string } = {}): Promise<Response> {
  const { baseUrl, ...rest } = init;
  const headers = new Headers(rest.headers);
  headers.set("authorization", `Bearer ${requireBinding("ADMIN_TOKEN")}`);
  if (rest.body !== undefined) headers.set("content-type", "application/json");
  const request = new Request(`${baseUrl ?? "https://app.test"}/admin${path}`, { ...rest, headers });
  return baseUrl === undefined ? exports.default.fetch(request) : fetch(request);
}

export const workflowClient = new Client({ baseUrl: stack.qstashUrl, token: stack.qstashToken });

/** Returns the QStash log record of a workflow run, or undefined while QStash has none. */
export async function findRun(workflowRunId: string): Promise<WorkflowRunLog | undefined> {
  const { runs } = await workflowClient.logs({ filter: { workflowRunId } });
  return runs[0];
}

/**
 * Waits until the run has finished (succeeded, failed or cancelled) and returns its log record, so a
 * failed run fails the caller's assertion on `workflowState` rather than a timeout.
 */
export function waitForFinishedRun(workflowRunId: string): Promise<WorkflowRunLog> {
  return waitFor(
    async () => {
      const run = await findRun(workflowRunId);
      return run !== undefined && run.workflowState !== "RUN_STARTED" && run;
    },
    { timeoutMs: 60_000, intervalMs: 250, description: `workflow run ${workflowRunId} to finish` },
  );
}
