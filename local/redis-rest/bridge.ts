/**
 * Starts the Redis REST bridge: an HTTP server that speaks the Upstash Redis REST API and runs each
 * command on a real Redis server, so the unmodified `@upstash/redis` client works locally.
 */
import { Redis } from "ioredis";
import pino, { type Logger } from "pino";
import { listen } from "../http/index.js";
import { createRedisRestApp } from "./app.js";

/** Token that the bridge accepts when none is configured. Local use only; it guards nothing. */
export const DEFAULT_REDIS_REST_TOKEN = "local-redis-rest-token";

export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

/** Reconnect attempts ioredis makes for a queued command before its HTTP request fails with 500. */
const MAX_RETRIES_PER_COMMAND = 2;

export interface RedisRestBridgeOptions {
  /** TCP port to listen on; 0 (the default) lets the OS choose one. Read the result from `url`. */
  port?: number;
  /** Interface to bind. Default `127.0.0.1`. */
  host?: string;
  /** Redis server that runs the commands. Default `redis://127.0.0.1:6379`. */
  redisUrl?: string;
  /** Bearer token that requests must present. Default `DEFAULT_REDIS_REST_TOKEN`. */
  token?: string;
  /** Logger for lifecycle events and failed requests. Default: pino at level `warn`. */
  logger?: Logger;
}

export interface RedisRestBridge {
  /** Base URL to pass as `url` to `new Redis({ url, token })` from `@upstash/redis`. */
  url: string;
  /** Token to pass as `token` to the client. */
  token: string;
  /** Stops the HTTP server and closes the Redis connection. */
  close(): Promise<void>;
}

/**
 * Connects to Redis, then starts the HTTP server. Rejects when Redis cannot be reached or the port
 * cannot be bound, and leaves nothing running in that case.
 *
 * @example
 * const bridge = await startRedisRestBridge({ port: 0 });
 * const redis = new Redis({ url: bridge.url, token: bridge.token }); // from @upstash/redis
 */
export async function startRedisRestBridge(options: RedisRestBridgeOptions = {}): Promise<RedisRestBridge> {
  const logger = options.logger ?? pino({ name: "redis-rest", level: "warn" });
  const token = options.token ?? DEFAULT_REDIS_REST_TOKEN;
  if (token === "") throw new Error("Invalid Redis REST token: it must not be empty");
  const redisUrl = options.redisUrl ?? DEFAULT_REDIS_URL;

  const redis = new Redis(redisUrl, {
    // Upstash's REST API returns RESP2-shaped values (maps as flat arrays, scores as strings);
    // ioredis 6 would negotiate RESP3 by default.
    protocol: 2,
    lazyConnect: true,
    maxRetriesPerRequest: MAX_RETRIES_PER_COMMAND,
    // A resent half of a MULTI block would run outside its transaction, so failed commands fail.
    autoResendUnfulfilledCommands: false,
  });
  // ioredis emits the same error on every reconnect attempt, so repeats are counted, not logged.
  let lastConnectionError: Error | undefined;
  let repeatedErrors = 0;
  redis.on("error", (error: Error) => {
    if (lastConnectionError?.message === error.message) {
      repeatedErrors += 1;
      return;
    }
    lastConnectionError = error;
    logger.warn({ err: error, redisUrl: redactUrl(redisUrl) }, "redis connection error");
  });
  redis.on("ready", () => {
    if (lastConnectionError !== undefined) {
      logger.info({ redisUrl: redactUrl(redisUrl), repeatedErrors }, "redis connection restored");
    }
    lastConnectionError = undefined;
    repeatedErrors = 0;
  });

  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    // connect() rejects with a generic "Connection is closed.", so report the socket error instead.
    const cause = lastConnectionError ?? error;
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new Error(
      `Failed to connect to Redis at ${redactUrl(redisUrl)}: ${reason}. Start Redis there or pass another redisUrl.`,
      { cause },
    );
  }

  let server: Awaited<ReturnType<typeof listen>>;
  try {
    server = await listen(createRedisRestApp({ redis, token, logger }), {
      port: options.port ?? 0,
      host: options.host,
    });
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  logger.info({ url: server.url, redisUrl: redactUrl(redisUrl) }, "redis rest bridge started");

  let closing: Promise<void> | undefined;
  return {
    url: server.url,
    token,
    close: () => {
      closing ??= (async () => {
        await server.close();
        await redis.quit().catch(() => redis.disconnect());
        logger.info({ url: server.url }, "redis rest bridge stopped");
      })();
      return closing;
    },
  };
}

/** Hides the password of a `redis://user:password@host` URL before it is logged or shown. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparseable Redis URL)";
  }
}
