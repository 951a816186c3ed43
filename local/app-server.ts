/**
 * Runs the product's Hono app on Node for the local stack. Cloudflare Workers hand the app its
 * bindings on every request; here one fixed `env` object plays that part.
 */
import { Hono } from "hono";
import { createApp } from "../server/app.js";
import { type ListeningServer, listen } from "./http/index.js";

export interface QStashTraffic {
  /** Requests from QStash (those with `Upstash-Message-Id`), retries included. */
  deliveries: number;
  /** Distinct QStash messages among them. */
  messages: number;
  /** Deliveries with `Upstash-Retried` above 0: QStash retrying after a failed attempt. */
  retried: number;
}

/** One request from QStash, reported to `onQStashRequest` when it arrives and when it ends. */
export interface QStashRequestEvent {
  phase: "start" | "end";
  messageId: string;
  /** `Upstash-Retried`: earlier failed attempts of this message. */
  retried: number;
}

export interface AppServer extends ListeningServer {
  /** The bindings the app sees, as `wrangler dev` would pass them from `.dev.vars`. */
  env: Record<string, string>;
  /** QStash traffic the app received since it started. */
  qstashTraffic(): QStashTraffic;
}

/**
 * Starts the app. `env` must hold every variable `shared/config.ts` requires except `APP_BASE_URL`,
 * which is set to the address the server binds, so QStash can call the workflows back.
 */
export async function startAppServer(
  env: Record<string, string>,
  options: {
    port?: number;
    host?: string;
    /** Called when a QStash request arrives and when its response is ready. */
    onQStashRequest?: (event: QStashRequestEvent) => void;
  } = {},
): Promise<AppServer> {
  const bindings: Record<string, string> = { ...env };
  const app = createApp();
  let deliveries = 0;
  let retried = 0;
  // NOTE: grows with every distinct message id; fine for a local run, not for a long-lived server.
  const messageIds = new Set<string>();
  const withBindings = new Hono().all("*", async (c) => {
    const messageId = c.req.header("upstash-message-id");
    if (!messageId) return app.fetch(c.req.raw, bindings);

    const attempt = Number(c.req.header("upstash-retried") ?? "0");
    const retriedBefore = Number.isFinite(attempt) ? attempt : 0;
    deliveries += 1;
    if (retriedBefore > 0) retried += 1;
    messageIds.add(messageId);
    options.onQStashRequest?.({ phase: "start", messageId, retried: retriedBefore });
    try {
      return await app.fetch(c.req.raw, bindings);
    } finally {
      options.onQStashRequest?.({ phase: "end", messageId, retried: retriedBefore });
    }
  });
  const server = await listen(withBindings, { port: options.port, host: options.host });
  bindings.APP_BASE_URL = server.url;
  return {
    ...server,
    env: bindings,
    qstashTraffic: () => ({ deliveries, messages: messageIds.size, retried }),
  };
}
