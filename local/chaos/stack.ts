/**
 * The local stack for a chaos run. Unlike `startLocalStack`, the app runs in a child process and the
 * QStash server can be restarted, both on fixed ports, because QStash stores the app's workflow URLs
 * and the app stores QStash's URL: an address that changed after a restart would strand every run.
 */
import { createServer } from "node:net";
import type { Logger } from "pino";
import { type AppProcess, startAppProcess } from "../app-process.js";
import type { StackConfig } from "../config.js";
import { type GitHubStandIn, startGitHubStandIn } from "../github/index.js";
import { type ModelStandIn, startModelStandIn } from "../model/index.js";
import { type QStashServer, startQStashServer } from "../qstash/index.js";
import { type RedisRestBridge, startRedisRestBridge } from "../redis-rest/index.js";
import { type SinkServer, startSinkServer } from "../sinks/index.js";
import { buildAppEnv } from "../stack.js";

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
  const sinksKeyPrefix = `${config.LOCAL_KEY_PREFIX}sinks:`;
  const started: { close(): Promise<void> }[] = [];
  const track = <T extends { close(): Promise<void> }>(server: T): T => {
    started.push(server);
    return server;
  };

  try {
    const redisRest = track(
      await startRedisRestBridge({
        port: 0,
        host,
        redisUrl: config.REDIS_URL,
        token: config.REDIS_REST_TOKEN,
        logger: logger.child({ service: "redis-rest" }),
      }),
    );
    const qstashPort = await findFreePort(host);
    const startQStash = () =>
      startQStashServer({
        port: qstashPort,
        host,
        redisUrl: config.REDIS_URL,
        keyPrefix: `${config.LOCAL_KEY_PREFIX}qstash:`,
        token: config.QSTASH_TOKEN,
        currentSigningKey: config.QSTASH_CURRENT_SIGNING_KEY,
        nextSigningKey: config.QSTASH_NEXT_SIGNING_KEY,
        leaseMs: options.qstashLeaseMs,
        logger: logger.child({ service: "qstash" }),
      });
    let qstash: QStashServer = await startQStash();
    track({ close: () => qstash.close() });
    const github = track(
      await startGitHubStandIn({
        port: 0,
        host,
        token: config.GITHUB_TOKEN,
        ...(config.GITHUB_SNAPSHOT_DIR ? { snapshotDir: config.GITHUB_SNAPSHOT_DIR } : {}),
        logger: logger.child({ service: "github" }),
      }),
    );
    const model = track(
      await startModelStandIn({
        port: 0,
        host,
        apiKey: config.MODEL_API_KEY,
        model: config.MODEL_NAME,
        logger: logger.child({ service: "model" }),
      }),
    );
    const sinks = track(
      await startSinkServer({
        port: 0,
        host,
        redisUrl: config.REDIS_URL,
        keyPrefix: sinksKeyPrefix,
        resendApiKey: config.RESEND_API_KEY,
        logger: logger.child({ service: "sinks" }),
      }),
    );

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
      sinksKeyPrefix,
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
