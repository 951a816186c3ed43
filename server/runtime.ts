/**
 * Builds the `PipelineRuntime` from a Worker's `env` (or `process.env` under Node), once per env object.
 */
import { Redis } from "@upstash/redis";
import { Client as WorkflowClient } from "@upstash/workflow";
import { getConfig } from "../shared/config.js";
import { createLogger } from "../shared/logger.js";
import {
  type CircuitBreaker,
  createCircuitBreaker,
  type DependencyName,
} from "../shared/reliability/index.js";
import { createStores } from "../shared/store/index.js";
import { createGitHubClient } from "../steps/github/client.js";
import type { PipelineRuntime } from "../workflows/runtime.js";
import { runCountingFailures } from "./failure-counter.js";

const runtimes = new WeakMap<object, PipelineRuntime>();

function createRuntime(env: Record<string, unknown>): PipelineRuntime {
  const config = getConfig(env);
  const logger = createLogger({ level: config.logLevel, bindings: { service: "contribution-radar" } });
  const redis = new Redis({ url: config.redis.url, token: config.redis.token, enableTelemetry: false });
  const stores = createStores(redis, config.redis.keyPrefix);
  const breakers = new Map<DependencyName, CircuitBreaker>();

  const breakerFor = (dependency: DependencyName): CircuitBreaker => {
    let breaker = breakers.get(dependency);
    if (!breaker) {
      breaker = createCircuitBreaker(redis, {
        name: dependency,
        keyPrefix: config.redis.keyPrefix,
        windowSeconds: config.breakers.windowSeconds,
        minimumRequests: config.breakers.minimumRequests,
        failureRateThreshold: config.breakers.failureRateThreshold,
        openSeconds: config.breakers.openSeconds,
        halfOpenProbes: config.breakers.halfOpenProbes,
        logger,
      });
      breakers.set(dependency, breaker);
    }
    return breaker;
  };

  const now = (): Date => new Date(config.clockFixedAtMs ?? Date.now());

  return {
    config,
    redis,
    stores,
    logger,
    github: createGitHubClient({
      baseUrl: config.github.graphqlUrl,
      token: config.github.token,
      timeoutMs: config.github.timeoutMs,
      logger,
    }),
    workflowClient: new WorkflowClient({ baseUrl: config.qstash.url, token: config.qstash.token }),
    now,
    guard: (dependency, call, callLogger) =>
      runCountingFailures(stores.stats, dependency, call, {
        breaker: breakerFor(dependency),
        logger: callLogger ?? logger,
        now: now(),
      }),
    workflowUrl: (workflowId) => `${config.appBaseUrl}/workflows/${workflowId}`,
  };
}

/** Returns the runtime of `env`, building it on first use. Throws `ConfigError` for an invalid env. */
export function getRuntime(env: Record<string, unknown> | undefined): PipelineRuntime {
  const source = env ?? (typeof process === "undefined" ? {} : (process.env as Record<string, unknown>));
  let runtime = runtimes.get(source);
  if (!runtime) {
    runtime = createRuntime(source);
    runtimes.set(source, runtime);
  }
  return runtime;
}
