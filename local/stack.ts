/**
 * The whole local stack in one process: Redis REST bridge, QStash-compatible server, GitHub GraphQL
 * stand-in, OpenAI-compatible model stand-in, notification sinks, and the product app on Node, all
 * against the Redis at `REDIS_URL`. Product code sees only URLs and credentials, exactly as with the
 * hosted services.
 */
import pino, { type Logger } from "pino";
import { getRuntime } from "../server/runtime.js";
import { syncSchedules } from "../server/schedules.js";
import { buildAppEnv as buildAppEnvFromUrls } from "./app-env.js";
import { type AppServer, startAppServer } from "./app-server.js";
import type { StackConfig } from "./config.js";
import { type GitHubStandIn, startGitHubStandIn } from "./github/index.js";
import { type ModelStandIn, startModelStandIn } from "./model/index.js";
import { type QStashServer, startQStashServer } from "./qstash/index.js";
import { type RedisRestBridge, startRedisRestBridge } from "./redis-rest/index.js";
import { type SinkServer, startSinkServer } from "./sinks/index.js";

export interface LocalStack {
  config: StackConfig;
  redisRest: RedisRestBridge;
  qstash: QStashServer;
  github: GitHubStandIn;
  model: ModelStandIn;
  sinks: SinkServer;
  /** Absent when the stack was started with `app: false`. */
  app: AppServer | null;
  /** The app's bindings: every URL and credential of the stack, as `.dev.vars` would hold them. */
  appEnv: Record<string, string>;
  close(): Promise<void>;
}

export interface StartStackOptions {
  /** Start the product app on Node as well; default true. */
  app?: boolean;
  /** Create or update the QStash schedules of the sweep and the digest; default true when the app runs. */
  syncSchedules?: boolean;
  /** Extra app bindings, e.g. `CLOCK_FIXED_AT` or `RETRY_POLICIES`. */
  appEnv?: Record<string, string>;
  logger?: Logger;
}

/** Builds the app's bindings from the stack's servers. `APP_BASE_URL` is set once the app listens. */
export function buildAppEnv(
  config: StackConfig,
  servers: {
    redisRest: RedisRestBridge;
    qstash: QStashServer;
    github: GitHubStandIn;
    model: ModelStandIn;
    sinks: SinkServer;
  },
): Record<string, string> {
  return buildAppEnvFromUrls(config, {
    qstash: servers.qstash.url,
    redisRest: servers.redisRest.url,
    github: servers.github.url,
    model: servers.model.url,
    sinks: servers.sinks.url,
  });
}

/** Starts every server of the stack; on failure, stops the ones already started. */
export async function startLocalStack(
  config: StackConfig,
  options: StartStackOptions = {},
): Promise<LocalStack> {
  const logger = options.logger ?? pino({ name: "local-stack", level: config.LOG_LEVEL });
  const host = config.LOCAL_HOST;
  const started: { close(): Promise<void> }[] = [];
  const track = <T extends { close(): Promise<void> }>(server: T): T => {
    started.push(server);
    return server;
  };

  try {
    const redisRest = track(
      await startRedisRestBridge({
        port: config.REDIS_REST_PORT,
        host,
        redisUrl: config.REDIS_URL,
        token: config.REDIS_REST_TOKEN,
        logger: logger.child({ service: "redis-rest" }),
      }),
    );
    const qstash = track(
      await startQStashServer({
        port: config.QSTASH_PORT,
        host,
        redisUrl: config.REDIS_URL,
        keyPrefix: `${config.LOCAL_KEY_PREFIX}qstash:`,
        token: config.QSTASH_TOKEN,
        currentSigningKey: config.QSTASH_CURRENT_SIGNING_KEY,
        nextSigningKey: config.QSTASH_NEXT_SIGNING_KEY,
        logger: logger.child({ service: "qstash" }),
      }),
    );
    const github = track(
      await startGitHubStandIn({
        port: config.GITHUB_PORT,
        host,
        token: config.GITHUB_TOKEN,
        ...(config.GITHUB_SNAPSHOT_DIR ? { snapshotDir: config.GITHUB_SNAPSHOT_DIR } : {}),
        logger: logger.child({ service: "github" }),
      }),
    );
    const model = track(
      await startModelStandIn({
        port: config.MODEL_PORT,
        host,
        apiKey: config.MODEL_API_KEY,
        model: config.MODEL_NAME,
        logger: logger.child({ service: "model" }),
      }),
    );
    const sinks = track(
      await startSinkServer({
        port: config.SINKS_PORT,
        host,
        redisUrl: config.REDIS_URL,
        keyPrefix: `${config.LOCAL_KEY_PREFIX}sinks:`,
        resendApiKey: config.RESEND_API_KEY,
        logger: logger.child({ service: "sinks" }),
      }),
    );

    const baseEnv = {
      ...buildAppEnv(config, { redisRest, qstash, github, model, sinks }),
      ...options.appEnv,
    };
    let app: AppServer | null = null;
    if (options.app ?? true) {
      app = track(await startAppServer(baseEnv, { port: config.APP_PORT, host }));
      if (options.syncSchedules ?? true) await syncSchedules(getRuntime(app.env));
    }
    const appEnv = app?.env ?? baseEnv;

    return {
      config,
      redisRest,
      qstash,
      github,
      model,
      sinks,
      app,
      appEnv,
      close: async () => {
        // Reverse order: the app stops before the services it calls.
        for (const server of started.reverse()) await server.close();
      },
    };
  } catch (error) {
    for (const server of started.reverse()) await server.close().catch(() => undefined);
    throw error;
  }
}
