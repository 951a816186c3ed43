/**
 * The stores and sinks of dead-letter handling, built once per runtime.
 */
import type { PipelineRuntime } from "../../workflows/runtime.js";
import { type AlertSink, createAlertSink } from "./alerts.js";
import { createDeadRunStore, type DeadRunStore } from "./dead-run-store.js";
import { createOpsCounters, type OpsCounters } from "./ops-counters.js";

export interface Ops {
  deadRuns: DeadRunStore;
  counters: OpsCounters;
  alerts: AlertSink;
}

const cache = new WeakMap<PipelineRuntime, Ops>();

export function opsOf(runtime: PipelineRuntime): Ops {
  let ops = cache.get(runtime);
  if (!ops) {
    const { redis, config, logger } = runtime;
    const counters = createOpsCounters(redis, config.redis.keyPrefix);
    ops = {
      deadRuns: createDeadRunStore(redis, config.redis.keyPrefix),
      counters,
      alerts: createAlertSink({
        redis,
        keyPrefix: config.redis.keyPrefix,
        counters,
        logger,
        alertsKept: config.maintenance.alertsKept,
        webhook: config.maintenance.alertWebhook,
        timeoutMs: config.delivery.timeoutMs,
        now: () => runtime.now(),
      }),
    };
    cache.set(runtime, ops);
  }
  return ops;
}
