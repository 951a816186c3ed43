/**
 * Serves Upstash Workflow endpoints from a Hono app on 127.0.0.1 (any port) and counts the calls each
 * path receives, so tests can assert on how many deliveries a workflow cost.
 *
 * @example
 * const app = await startWorkflowApp((hono, env) => {
 *   hono.post("/greet", serve(async (context) => { ... }, { env }));
 * }, qstash);
 * await new Client({ baseUrl: qstash.url, token: qstash.token }).trigger({ url: `${app.url}/greet` });
 */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import type { QStashServer } from "../../local/qstash/index.js";

/** Environment for `serve(..., { env })`: the local server's URL and token, and optionally its signing keys. */
export type WorkflowEnv = Record<string, string>;

export function workflowEnv(qstash: QStashServer, options: { verifySignatures?: boolean } = {}): WorkflowEnv {
  const env: WorkflowEnv = { QSTASH_URL: qstash.url, QSTASH_TOKEN: qstash.token };
  if (options.verifySignatures) {
    env.QSTASH_CURRENT_SIGNING_KEY = qstash.currentSigningKey;
    env.QSTASH_NEXT_SIGNING_KEY = qstash.nextSigningKey;
  }
  return env;
}

export interface WorkflowApp {
  url: string;
  /** Number of requests each path received, including failure-function and callback deliveries. */
  calls: Map<string, number>;
  callsTo(path: string): number;
  /** Responses each path sent, as status codes in arrival order. */
  statuses: Map<string, number[]>;
  close(): Promise<void>;
}

export async function startWorkflowApp(
  register: (app: Hono, env: WorkflowEnv) => void,
  qstash: QStashServer,
  options: { verifySignatures?: boolean } = {},
): Promise<WorkflowApp> {
  const calls = new Map<string, number>();
  const statuses = new Map<string, number[]>();
  const app = new Hono();
  app.use("*", async (c, next) => {
    calls.set(c.req.path, (calls.get(c.req.path) ?? 0) + 1);
    await next();
    statuses.set(c.req.path, [...(statuses.get(c.req.path) ?? []), c.res.status]);
  });
  register(app, workflowEnv(qstash, options));
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(started));
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    callsTo: (path) => calls.get(path) ?? 0,
    statuses,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ("closeAllConnections" in server) server.closeAllConnections();
      }),
  };
}
