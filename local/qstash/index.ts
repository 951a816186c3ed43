/**
 * A local server that speaks the QStash HTTP API, including the Upstash Workflow protocol, so that
 * unmodified `@upstash/qstash` and `@upstash/workflow` clients run against it through `QSTASH_URL`
 * and `QSTASH_TOKEN`. All state lives in Redis under `keyPrefix`, so a restarted server resumes due
 * work, and several servers may share one prefix.
 *
 * @example
 * const qstash = await startQStashServer({ port: 0 });
 * process.env.QSTASH_URL = qstash.url;
 * process.env.QSTASH_TOKEN = qstash.token;
 */
import { Redis } from "ioredis";
import pino from "pino";
import { listen } from "../http/index.js";
import type { CoreContext, ServerSettings } from "./context.js";
import type { DispatchFeatures, ServerContext } from "./contracts.js";
import { createDispatchFeatures } from "./dispatch/index.js";
import { createRedisKeys } from "./keys.js";
import { createAcceptPublish } from "./publish/accept.js";
import { createRequestDrain } from "./request-drain.js";
import { startScheduler } from "./scheduler.js";
import { createApp } from "./server.js";
import { DlqStore } from "./store/dlq.js";
import { EventStore } from "./store/events.js";
import { MessageStore } from "./store/messages.js";
import { RunStore } from "./workflow/run-store.js";

/** Credentials of the official QStash local development server, accepted by the SDKs' dev mode. */
export const DEV_CREDENTIALS = {
  /** Base64 of `{"UserID":"defaultUser","Password":"defaultPassword"}`; `createWebhook` decodes it. */
  token: "eyJVc2VySUQiOiJkZWZhdWx0VXNlciIsIlBhc3N3b3JkIjoiZGVmYXVsdFBhc3N3b3JkIn0=",
  currentSigningKey: "sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r",
  nextSigningKey: "sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs",
} as const;

export { createPassThroughDispatch } from "./passthrough-dispatch.js";

/** Maximum wait at close for running HTTP handlers to finish before Redis is closed, in ms. */
const CLOSE_DRAIN_TIMEOUT_MS = 10_000;

export interface QStashServerOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Address to listen on; default 127.0.0.1. */
  host?: string;
  /** Default redis://127.0.0.1:6379. */
  redisUrl?: string;
  /** Prefix of every Redis key; default `qstash:`. Servers with the same prefix share messages and runs. */
  keyPrefix?: string;
  /** API token; must be base64 JSON with a `UserID` field. Default: the dev token. */
  token?: string;
  currentSigningKey?: string;
  nextSigningKey?: string;
  logger?: pino.Logger;
  /** Maximum wait between two checks for due messages, in ms; default 1000. New messages wake it at once. */
  pollIntervalMs?: number;
  /**
   * Lease of a claimed message and of its dispatch gate slot, in ms; default 60 000. The server renews
   * both every third of the lease while it works on the message, so a delivery may take longer than
   * the lease. When the server crashes, the renewals stop and another server on the same Redis prefix
   * (or this one after a restart) retries the message about one lease later.
   */
  leaseMs?: number;
  /** Maximum deliveries in flight in this server; default 64. */
  maxConcurrency?: number;
  /** Timeout of one delivery attempt without `Upstash-Timeout`, in ms; default 15 minutes. */
  defaultTimeoutMs?: number;
  /**
   * Largest `Upstash-Retries` accepted (412 above it); default 20.
   * NOTE: hosted QStash's limit depends on the plan; 20 is an estimate, not a documented value.
   */
  maxRetries?: number;
  /** Largest `Upstash-Delay` accepted (412 above it), in ms; default 365 days. */
  maxDelayMs?: number;
  /** Step lists larger than this many bytes are delivered empty, as hosted QStash does; default 3 MB. */
  lazyFetchThresholdBytes?: number;
  /**
   * Builds the dispatch features (queues, flow control, schedules, URL groups). Default: the real ones
   * from `./dispatch/`; `createPassThroughDispatch` turns them off.
   */
  dispatch?: (context: ServerContext) => DispatchFeatures;
}

export interface QStashServer {
  /** Base URL to use as `QSTASH_URL`, e.g. `http://127.0.0.1:8080`. */
  url: string;
  token: string;
  currentSigningKey: string;
  nextSigningKey: string;
  /**
   * Stops the loops, hands in-flight deliveries back to Redis, closes the HTTP server, waits (up to
   * 10 s) for running request handlers, and closes Redis.
   */
  close(): Promise<void>;
}

function checkToken(token: string): void {
  let userId: unknown;
  try {
    userId = (JSON.parse(Buffer.from(token, "base64").toString("utf8")) as { UserID?: unknown }).UserID;
  } catch {
    userId = undefined;
  }
  if (typeof userId !== "string" || userId.length === 0) {
    throw new Error(
      'invalid QStash token: it must be base64 of JSON with a "UserID" field, because the workflow SDK builds webhook URLs from it',
    );
  }
}

export async function startQStashServer(options: QStashServerOptions = {}): Promise<QStashServer> {
  const token = options.token ?? DEV_CREDENTIALS.token;
  checkToken(token);
  const host = options.host ?? "127.0.0.1";
  const keyPrefix = options.keyPrefix ?? "qstash:";
  const logger = options.logger ?? pino({ name: "qstash-local" });
  const redisUrl = options.redisUrl ?? "redis://127.0.0.1:6379";
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
  const subscriber = redis.duplicate();
  const keys = createRedisKeys(keyPrefix);
  const now = () => Date.now();

  const settings: ServerSettings = {
    token,
    currentSigningKey: options.currentSigningKey ?? DEV_CREDENTIALS.currentSigningKey,
    nextSigningKey: options.nextSigningKey ?? DEV_CREDENTIALS.nextSigningKey,
    baseUrl: "",
    limits: { maxRetries: options.maxRetries ?? 20, maxDelayMs: options.maxDelayMs ?? 365 * 86_400_000 },
    defaultTimeoutMs: options.defaultTimeoutMs ?? 15 * 60_000,
    lazyFetchThresholdBytes: options.lazyFetchThresholdBytes ?? 3_000_000,
    deduplicationWindowMs: 10 * 60_000,
  };
  const serverContext: ServerContext = { redis, keyPrefix, logger, now };
  const dispatch = options.dispatch ? options.dispatch(serverContext) : createDispatchFeatures(serverContext);
  const context: CoreContext = {
    ...serverContext,
    keys,
    settings,
    messages: new MessageStore(redis, keys, now),
    runs: new RunStore(redis, keys),
    dlq: new DlqStore(redis, keys),
    events: new EventStore(redis, keys, now, 10_000),
    dispatch,
    acceptPublish: async () => {
      throw new Error("acceptPublish called before the server finished starting");
    },
  };
  context.acceptPublish = createAcceptPublish(context);

  const requestDrain = createRequestDrain();
  const app = createApp(context, { middleware: [requestDrain.middleware] });
  let httpServer: Awaited<ReturnType<typeof listen>>;
  try {
    httpServer = await listen(app, { port: options.port ?? 0, host });
  } catch (error) {
    // Nothing else has started yet; the Redis connections would otherwise keep the process alive.
    subscriber.disconnect();
    redis.disconnect();
    throw error;
  }
  const url = httpServer.url;
  settings.baseUrl = url;

  const scheduler = startScheduler(context, subscriber, {
    pollIntervalMs: options.pollIntervalMs ?? 1000,
    leaseMs: options.leaseMs ?? 60_000,
    maxConcurrency: options.maxConcurrency ?? 64,
  });
  const dispatchScheduler = dispatch.startScheduler(context.acceptPublish);
  logger.info({ url, keyPrefix }, "qstash server started");

  let closed: Promise<void> | undefined;
  return {
    url,
    token,
    currentSigningKey: settings.currentSigningKey,
    nextSigningKey: settings.nextSigningKey,
    close() {
      closed ??= (async () => {
        await Promise.all([scheduler.stop(), dispatchScheduler.stop()]);
        await httpServer.close();
        if (!(await requestDrain.waitForIdle(CLOSE_DRAIN_TIMEOUT_MS))) {
          logger.warn(
            { url, timeoutMs: CLOSE_DRAIN_TIMEOUT_MS },
            "requests still running at close; closing Redis under them",
          );
        }
        subscriber.disconnect();
        await redis.quit();
        logger.info({ url }, "qstash server stopped");
      })();
      return closed;
    },
  };
}
