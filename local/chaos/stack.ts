/**
 * The local stack for a chaos run. Unlike `startLocalStack`, the app runs in a child process and the
 * QStash server can be restarted, both on fixed ports, because QStash stores the app's workflow URLs
 * and the app stores QStash's URL: an address that changed after a restart would strand every run.
 */
import { createServer } from "node:net";
import type { Logger } from "pino";
import { type AppProcess, startAppProcess } from "../app-process.js";
import type { StackConfig } from "../config.js";
import type { GitHubStandIn } from "../github/index.js";
import type { ModelStandIn } from "../model/index.js";
import type { QStashServer } from "../qstash/index.js";
import type { RedisRestBridge } from "../redis-rest/index.js";
import type { SinkServer } from "../sinks/index.js";
import { buildAppEnv } from "../stack.js";
import {
  qstashOptions,
  sinksKeyPrefix,
  startGitHub,
  startModel,
  startQStashServer,
  startRedisRest,
  startSinks,
} from "../stand-ins.js";

export interface ChaosStack {
  config: StackConfig;
  redisRest: RedisRestBridge;
  github: GitHubStandIn;
  model: ModelStandIn;
  sinks: SinkServer;
  app: AppProcess;
  /** The app's bindings; `APP_BASE_URL` is the app process's fixed address. */
  appEnv: Record<string, string>;
  /** Key prefix of the sink recorder in Redis. */
  sinksKeyPrefix: string;
  qstashUrl(): string;
  /** Closes the QStash server (in-flight deliveries go back to Redis) and starts a new one on the same port. */
  restartQStash(): Promise<void>;
  close(): Promise<void>;
}

export interface ChaosStackOptions {
  /** Bindings added to the app's env, e.g. `RETRY_POLICIES`. */
  appEnv: Record<string, string>;
  /** Lease of a claimed QStash message, in ms, for the restarted servers to pick up lost deliveries. */
  qstashLeaseMs: number;
  logger: Logger;
}

/** Returns a TCP port that was free a moment ago on `host`. Another process may take it before use. */
export async function findFreePort(host: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error(`no TCP port found on ${host}`);
  return address.port;
}

/** Starts every server; on failure, stops the ones already started. */
export async function startChaosStack(config: StackConfig, options: ChaosStackOptions): Promise<ChaosStack> {
  const host = config.LOCAL_HOST;
  const logger = options.logger;
  const started: { close(): Promise<void> }[] = [];
  const track = <T extends { close(): Promise<void> }>(server: T): T => {
    started.push(server);
    return server;
  };

  try {
    const redisRest = track(await startRedisRest(config, 0, logger));
    const qstashPort = await findFreePort(host);
    const startQStash = () =>
      startQStashServer(qstashOptions(config, qstashPort, logger, { leaseMs: options.qstashLeaseMs }));
    let qstash: QStashServer = await startQStash();
    track({ close: () => qstash.close() });
    const github = track(await startGitHub(config, 0, logger));
    const model = track(await startModel(config, 0, logger));
    const sinks = track(await startSinks(config, 0, logger));

    const appPort = await findFreePort(host);
    const appEnv = {
      ...buildAppEnv(config, { redisRest, qstash, github, model, sinks }),
      ...options.appEnv,
      APP_BASE_URL: `http://${host}:${appPort}`,
    };
    const app = track(await startAppProcess(appEnv, { port: appPort, host }));

    return {
      config,
      redisRest,
      github,
      model,
      sinks,
      app,
      appEnv,
      sinksKeyPrefix: sinksKeyPrefix(config),
      qstashUrl: () => qstash.url,
      restartQStash: async () => {
        await qstash.close();
        qstash = await startQStash();
      },
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
