/**
 * Shared steps of the dead-letter tests: admin API calls, waiting for runs, and probing the GitHub
 * breaker closed again.
 */
import { Client as WorkflowClient } from "@upstash/workflow";
import type { TestStack } from "../helpers/stack.js";
import { waitFor } from "../helpers/wait-for.js";

/** Retry policies and breaker settings that make a failing scan dead-letter within a second or two. */
export const FAST_FAILURE_ENV = {
  RETRY_POLICIES: JSON.stringify({
    scan: { retries: 1, initialDelayMs: 100, maxDelayMs: 200 },
    analyze: { retries: 1, initialDelayMs: 100, maxDelayMs: 200 },
    notify: { retries: 1, initialDelayMs: 100, maxDelayMs: 200 },
    sweep: { retries: 1, initialDelayMs: 100, maxDelayMs: 200 },
  }),
  BREAKER_OPEN_SECONDS: "1",
  BREAKER_MINIMUM_REQUESTS: "2",
};

export const REPOSITORY = "18F/laptop";

export interface AdminResponse {
  status: number;
  body: unknown;
}

export async function admin(
  stack: TestStack,
  method: string,
  path: string,
  body?: unknown,
): Promise<AdminResponse> {
  const response = await fetch(`${stack.appEnv.APP_BASE_URL}/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${stack.appEnv.ADMIN_TOKEN}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text.length > 0 ? JSON.parse(text) : null };
}

/** Calls the admin API and fails the test unless the status is 2xx. */
export async function adminOk<T>(stack: TestStack, method: string, path: string, body?: unknown): Promise<T> {
  const response = await admin(stack, method, path, body);
  if (response.status < 200 || response.status > 299) {
    throw new Error(`admin ${method} ${path} returned ${response.status}: ${JSON.stringify(response.body)}`);
  }
  return response.body as T;
}

export function workflowClient(stack: TestStack): WorkflowClient {
  return new WorkflowClient({ baseUrl: stack.appEnv.QSTASH_URL, token: stack.appEnv.QSTASH_TOKEN });
}

export async function waitForRunState(stack: TestStack, workflowRunId: string, state: string): Promise<void> {
  const client = workflowClient(stack);
  await waitFor(
    async () => (await client.logs({ filter: { workflowRunId } })).runs[0]?.workflowState === state,
    {
      description: `run ${workflowRunId} in state ${state}`,
      timeoutMs: 45_000,
      intervalMs: 100,
    },
  );
}

interface BreakerView {
  name: string;
  state: string;
  changedAt: number | null;
}

/**
 * Runs successful scans until the GitHub breaker is closed and changed state after `sinceMs`. An open
 * breaker turns half-open after `BREAKER_OPEN_SECONDS`, and the next successful call closes it.
 */
export async function closeGitHubBreaker(stack: TestStack, sinceMs: number): Promise<void> {
  await waitFor(
    async () => {
      const { breakers } = await adminOk<{ breakers: BreakerView[] }>(stack, "GET", "/breakers");
      const github = breakers.find((breaker) => breaker.name === "github");
      if (github?.state === "closed" && (github.changedAt ?? 0) > sinceMs) return true;
      if (github?.state === "half-open") {
        const { workflowRunId } = await adminOk<{ workflowRunId: string }>(stack, "POST", "/scans", {
          repositories: [REPOSITORY],
        });
        await waitForRunState(stack, workflowRunId, "RUN_SUCCESS");
      }
      return false;
    },
    { description: "GitHub breaker closed again", timeoutMs: 45_000, intervalMs: 200 },
  );
}

/** Starts a maintenance run through the admin API and waits until it finished. */
export async function runMaintenance(stack: TestStack): Promise<void> {
  const { workflowRunId } = await adminOk<{ workflowRunId: string }>(stack, "POST", "/maintenance");
  await waitForRunState(stack, workflowRunId, "RUN_SUCCESS");
}
