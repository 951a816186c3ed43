/**
 * The whole local stack in one process: Redis REST bridge, QStash-compatible server, GitHub GraphQL
 * stand-in, OpenAI-compatible model stand-in, notification sinks, and the product app on Node, all
 * against the Redis at `REDIS_URL`. Product code receives only URLs and credentials, exactly as with the
 * hosted services.
 */
import pino, { type Logger } from "pino";
import { getRuntime } from "../server/runtime.js";
import { syncSchedules } from "../server/schedules.js";
import { buildAppEnv as buildAppEnvFromUrls } from "./app-env.js";
import { type AppServer, startAppServer } from "./app-server.js";
import type { StackConfig } from "./config.js";
import type { GitHubStandIn } from "./github/index.js";
import type { ModelStandIn } from "./model/index.js";
import type { QStashServer } from "./qstash/index.js";
import type { RedisRestBridge } from "./redis-rest/index.js";
import type { SinkServer } from "./sinks/index.js";
import {
  qstashOptions,
  startGitHub,
  startModel,
  startQStashServer,
  startRedisRest,
  startSinks,
} from "./stand-ins.js";

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
    const redisRest = track(await startRedisRest(config, config.REDIS_REST_PORT, logger));
    const qstash = track(await startQStashServer(qstashOptions(config, config.QSTASH_PORT, logger)));
    const github = track(await startGitHub(config, config.GITHUB_PORT, logger));
    const model = track(await startModel(config, config.MODEL_PORT, logger));
    const sinks = track(await startSinks(config, config.SINKS_PORT, logger));

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
