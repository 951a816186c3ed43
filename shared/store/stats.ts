import type { Redis } from "@upstash/redis";
import type { Keys } from "./keys.js";

/** Names of the running counters the pipeline keeps; the discover summary reports their deltas. */
export type StatsField =
  | "scans"
  | "repositories.scanned"
  | "repositories.notFound"
  | "issues.seen"
  | "issues.changed"
  | "candidates"
  | "analyses.heuristic"
  | "analyses.model"
  | "analyses.fallback"
  | "model.tokens.input"
  | "model.tokens.output"
  | "opportunities.ranked"
  | "github.requests"
  | "github.points"
  | "notifications.webhook"
  | "notifications.email"
  | "notifications.slack"
  | "notifications.failed"
  | "poison.skipped"
  /** Failed calls to a dependency by failure class; `transient` and `rate-limited` ones are retried. */
  | "failures.transient"
  | "failures.rate-limited"
  | "failures.authentication"
  | "failures.permanent"
  | "failures.poison"
  /** Calls deferred by an open circuit breaker without reaching the dependency; each is retried. */
  | "failures.breaker-open";

export type Stats = Partial<Record<StatsField, number>>;

export function createStatsStore(redis: Redis, keys: Keys) {
  return {
    async add(increments: Stats): Promise<void> {
      const entries = Object.entries(increments).filter(([, value]) => value !== undefined && value !== 0);
      if (entries.length === 0) return;
      const writes = redis.pipeline();
      for (const [field, value] of entries) writes.hincrby(keys.stats(), field, value as number);
      await writes.exec();
    },

    async read(): Promise<Stats> {
      const all = await redis.hgetall<Record<string, number | string>>(keys.stats());
      const stats: Stats = {};
      for (const [field, value] of Object.entries(all ?? {})) stats[field as StatsField] = Number(value);
      return stats;
    },
  };
}

export type StatsStore = ReturnType<typeof createStatsStore>;
