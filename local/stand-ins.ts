/**
 * Starters for each stand-in of the local stack, configured from one `StackConfig`. `startLocalStack`
 * and the chaos stack both use them, so a stand-in is set up the same way everywhere. Only the port
 * differs: the configured one, or 0 for a free one.
 */
import type { Logger } from "pino";
import type { StackConfig } from "./config.js";
import { type GitHubStandIn, startGitHubStandIn } from "./github/index.js";
import { type ModelStandIn, startModelStandIn } from "./model/index.js";
import { type QStashServerOptions, startQStashServer } from "./qstash/index.js";
import { type RedisRestBridge, startRedisRestBridge } from "./redis-rest/index.js";
import { type SinkServer, startSinkServer } from "./sinks/index.js";

/** Key prefix of the sinks' records in Redis, under the stack's prefix. */
export function sinksKeyPrefix(config: StackConfig): string {
  return `${config.LOCAL_KEY_PREFIX}sinks:`;
}

export function startRedisRest(config: StackConfig, port: number, logger: Logger): Promise<RedisRestBridge> {
  return startRedisRestBridge({
    port,
    host: config.LOCAL_HOST,
    redisUrl: config.REDIS_URL,
    token: config.REDIS_REST_TOKEN,
    logger: logger.child({ service: "redis-rest" }),
  });
}

/** Options of the stack's QStash server; `overrides` adds settings such as a short lease. */
export function qstashOptions(
  config: StackConfig,
  port: number,
  logger: Logger,
  overrides: Partial<QStashServerOptions> = {},
): QStashServerOptions {
  return {
    port,
    host: config.LOCAL_HOST,
    redisUrl: config.REDIS_URL,
    keyPrefix: `${config.LOCAL_KEY_PREFIX}qstash:`,
    token: config.QSTASH_TOKEN,
    currentSigningKey: config.QSTASH_CURRENT_SIGNING_KEY,
    nextSigningKey: config.QSTASH_NEXT_SIGNING_KEY,
    logger: logger.child({ service: "qstash" }),
    ...overrides,
  };
}

export function startGitHub(config: StackConfig, port: number, logger: Logger): Promise<GitHubStandIn> {
  return startGitHubStandIn({
    port,
    host: config.LOCAL_HOST,
    token: config.GITHUB_TOKEN,
    ...(config.GITHUB_SNAPSHOT_DIR ? { snapshotDir: config.GITHUB_SNAPSHOT_DIR } : {}),
    logger: logger.child({ service: "github" }),
  });
}

export function startModel(config: StackConfig, port: number, logger: Logger): Promise<ModelStandIn> {
  return startModelStandIn({
    port,
    host: config.LOCAL_HOST,
    apiKey: config.MODEL_API_KEY,
    model: config.MODEL_NAME,
    logger: logger.child({ service: "model" }),
  });
}

export function startSinks(config: StackConfig, port: number, logger: Logger): Promise<SinkServer> {
  return startSinkServer({
    port,
    host: config.LOCAL_HOST,
    redisUrl: config.REDIS_URL,
    keyPrefix: sinksKeyPrefix(config),
    resendApiKey: config.RESEND_API_KEY,
    logger: logger.child({ service: "sinks" }),
  });
}

export { startQStashServer };
