/**
 * Serves the naive design's workflows from their own Hono app on Node, next to the product app of a
 * local stack, with the same bindings. Counts QStash traffic the way `local/app-server.ts` does, so
 * both designs' message counts are comparable.
 */
import { serveMany } from "@upstash/workflow/hono";
import { Hono } from "hono";
import type { QStashTraffic } from "../../local/app-server.js";
import { type ListeningServer, listen } from "../../local/http/index.js";
import { getRuntime } from "../../server/runtime.js";
import { createNaiveIssueWorkflow, createNaiveListWorkflow, NAIVE_WORKFLOW_IDS } from "./workflows.js";

export interface NaiveApp extends ListeningServer {
  /** The bindings the naive workflows see: the stack's, with `APP_BASE_URL` set to this server. */
  env: Record<string, string>;
  /** QStash traffic this app received since it started. */
  qstashTraffic(): QStashTraffic;
  /** URL of a naive workflow, e.g. `http://127.0.0.1:40123/workflows/naive-list`. */
  workflowUrl(workflowId: string): string;
}

/** Starts the naive app on 127.0.0.1 and a free port. `stackEnv` is the stack's `appEnv`. */
export async function startNaiveApp(stackEnv: Record<string, string>): Promise<NaiveApp> {
  const bindings: Record<string, string> = { ...stackEnv };
  const workflowUrl = (workflowId: string) => `${bindings.APP_BASE_URL}/workflows/${workflowId}`;
  const workflows = {
    [NAIVE_WORKFLOW_IDS.list]: createNaiveListWorkflow(getRuntime, () =>
      workflowUrl(NAIVE_WORKFLOW_IDS.issue),
    ),
    [NAIVE_WORKFLOW_IDS.issue]: createNaiveIssueWorkflow(getRuntime),
  };
  const inner = new Hono<{ Bindings: Record<string, string> }>();
  inner.post("/workflows/:workflowId", serveMany(workflows));

  let deliveries = 0;
  let retried = 0;
  // NOTE: grows with every distinct message id, which is fine for one benchmark run.
  const messageIds = new Set<string>();
  const app = new Hono().all("*", (c) => {
    const messageId = c.req.header("upstash-message-id");
    if (messageId) {
      deliveries += 1;
      if (Number(c.req.header("upstash-retried") ?? "0") > 0) retried += 1;
      messageIds.add(messageId);
    }
    return inner.fetch(c.req.raw, bindings);
  });
  const server = await listen(app);
  bindings.APP_BASE_URL = server.url;
  return {
    ...server,
    env: bindings,
    qstashTraffic: () => ({ deliveries, messages: messageIds.size, retried }),
    workflowUrl,
  };
}
