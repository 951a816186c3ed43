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
  options: { port?: number; host?: string } = {},
): Promise<AppServer> {
  const bindings: Record<string, string> = { ...env };
  const app = createApp();
  let deliveries = 0;
  // NOTE: grows with every distinct message id; fine for a local run, not for a long-lived server.
  const messageIds = new Set<string>();
  const withBindings = new Hono().all("*", (c) => {
    const messageId = c.req.header("upstash-message-id");
    if (messageId) {
      deliveries += 1;
      messageIds.add(messageId);
    }
    return app.fetch(c.req.raw, bindings);
  });
  const server = await listen(withBindings, options);
  bindings.APP_BASE_URL = server.url;
  return {
    ...server,
    env: bindings,
    qstashTraffic: () => ({ deliveries, messages: messageIds.size }),
  };
}
