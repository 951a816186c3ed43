/**
 * Starts the notification sink server. One HTTP server replaces three notification targets: signed
 * outbound webhook receivers (`/webhooks/:name`), the Resend email API (`/resend/emails`) and Slack
 * incoming webhooks (`/slack/:team/:channel`). It records every request each of them receives.
 */
import { Hono } from "hono";
import { Redis } from "ioredis";
import pino, { type Logger } from "pino";
import { listen } from "../http/index.js";
import { mountControlRoutes } from "./control.js";
import { type ChannelEndpoint, mountChannel } from "./endpoint.js";
import { FaultInjector } from "./faults.js";
import { DEFAULT_SINK_KEY_PREFIX, SinkRecorder } from "./recorder.js";
import { createResendEndpoint } from "./resend.js";
import { createSlackEndpoint } from "./slack.js";
import type { SinkAttempt, SinkDelivery, SinkFaults, SinkFilter } from "./types.js";
import { createWebhookEndpoint } from "./webhook.js";

export interface SinkServerOptions {
  /** TCP port; 0 (the default) lets the OS choose one. Read the result from `url`. */
  port?: number;
  /** Interface to bind. Default `127.0.0.1`. */
  host?: string;
  /** Redis server to record attempts in as well as memory. Default: memory only. */
  redisUrl?: string;
  /** Prefix of the Redis keys. Default `local:sinks:`. Used only with `redisUrl`. */
  keyPrefix?: string;
  /** The only Resend API key accepted. Default: any key that starts with `re_`. */
  resendApiKey?: string;
  /** Fault injection from the start. Default: none. */
  faults?: SinkFaults;
  /** Logger for lifecycle events and each attempt (at debug). Default: pino at level `warn`. */
  logger?: Logger;
}

export interface SinkServer {
  /** Base URL, e.g. `http://127.0.0.1:54321`; Resend's base URL is `${url}/resend`. */
  url: string;
  /** Stops the HTTP server and closes the Redis connection. */
  close(): Promise<void>;
  /** Returns accepted requests in arrival order. */
  deliveries(filter?: SinkFilter): Promise<SinkDelivery[]>;
  /** Returns every request to a channel endpoint in arrival order, whatever its outcome. */
  attempts(filter?: SinkFilter): Promise<SinkAttempt[]>;
  /** Replaces the fault settings (which resets the PRNG) or turns faults off with null. */
  setFaults(faults: SinkFaults | null): void;
  /** Deletes all attempts and Resend idempotency keys. */
  clear(): Promise<void>;
}

/**
 * Starts the sink server. Rejects when the fault settings are invalid, Redis cannot be reached or the
 * port cannot be bound.
 *
 * @example
 * const sink = await startSinkServer();
 * // send a Slack message to `${sink.url}/slack/T000/alerts`, then:
 * const [delivery] = await sink.deliveries({ channel: "slack", target: "T000/alerts" });
 */
export async function startSinkServer(options: SinkServerOptions = {}): Promise<SinkServer> {
  const logger = options.logger ?? pino({ name: "sinks", level: "warn" });
  const keyPrefix = options.keyPrefix ?? DEFAULT_SINK_KEY_PREFIX;
  const faults = new FaultInjector();
  if (options.faults !== undefined) faults.set(options.faults);

  const redis = options.redisUrl === undefined ? undefined : await connectRedis(options.redisUrl, logger);
  const recorder = new SinkRecorder({ redis, keyPrefix, logger });

  const endpoints: ChannelEndpoint[] = [];
  const app = new Hono();
  const dependencies = { recorder, faults, logger };
  const mount = (methods: string[], path: string, endpoint: ChannelEndpoint): void => {
    endpoints.push(endpoint);
    mountChannel(app, methods, path, endpoint, dependencies);
  };
  mount(["POST", "PUT"], "/webhooks/:name", createWebhookEndpoint());
  mount(["POST"], "/resend/emails", createResendEndpoint({ apiKey: options.resendApiKey }));
  mount(["POST"], "/slack/:team/:channel", createSlackEndpoint());

  const resetChannels = (): void => {
    for (const endpoint of endpoints) endpoint.reset?.();
  };
  mountControlRoutes(app, { ...dependencies, resetChannels });

  app.all("/resend/emails", (c) =>
    c.json(
      {
        statusCode: 405,
        message: "Method is not allowed for the requested path.",
        name: "method_not_allowed",
      },
      405,
    ),
  );
  app.notFound((c) =>
    c.json({ error: `Not found: ${c.req.method} ${c.req.path} is not a sink endpoint` }, 404),
  );
  app.onError((error, c) => {
    logger.error({ err: error, method: c.req.method, path: c.req.path }, "sink request failed");
    return c.json({ error: `Sink request failed: ${error.message}` }, 500);
  });

  let server: Awaited<ReturnType<typeof listen>>;
  try {
    server = await listen(app, { port: options.port ?? 0, host: options.host });
  } catch (error) {
    redis?.disconnect();
    throw error;
  }
  logger.info({ url: server.url, redis: redis !== undefined, keyPrefix }, "sink server started");

  let closing: Promise<void> | undefined;
  return {
    url: server.url,
    close: () => {
      closing ??= (async () => {
        await server.close();
        await redis?.quit().catch(() => redis.disconnect());
        logger.info({ url: server.url }, "sink server stopped");
      })();
      return closing;
    },
    deliveries: async (filter) => recorder.deliveries(filter),
    attempts: async (filter) => recorder.attempts(filter),
    setFaults: (settings) => {
      faults.set(settings);
    },
    clear: async () => {
      await recorder.clear();
      resetChannels();
    },
  };
}

async function connectRedis(redisUrl: string, logger: Logger): Promise<Redis> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  let lastError: Error | undefined;
  redis.on("error", (error: Error) => {
    if (lastError?.message !== error.message) logger.warn({ err: error }, "sink redis connection error");
    lastError = error;
  });
  redis.on("ready", () => {
    lastError = undefined;
  });
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    const cause = lastError ?? error;
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new Error(
      `Failed to connect to Redis for the sink records: ${reason}. Start Redis or omit redisUrl.`,
      {
        cause,
      },
    );
  }
  return redis;
}
