/**
 * Running counters of dead-letter handling, re-drives, stuck runs and alerts, in the Redis hash
 * `{prefix}ops:counters`. `GET /admin/alerts` returns them.
 *
 * Fields: `dead.recorded`, `dead.recorded.{dependency}`, `dead.authentication.{dependency}`,
 * `alerts.suppressed.dependency-authentication-failed`, `redrive.resumed`, `redrive.resumed.{dependency}`,
 * `redrive.missing-dlq-entry`, `quarantine.added`, `stuck.detected`, `stuck.restarted`,
 * `stuck.restart-failed`, `alerts.{code}`, `alerts.webhook-failed`, `dlq.{action}` for operator actions.
 */
import type { Redis } from "@upstash/redis";

export function createOpsCounters(redis: Redis, keyPrefix: string) {
  const key = `${keyPrefix}ops:counters`;
  return {
    async add(field: string, by = 1): Promise<void> {
      await redis.hincrby(key, field, by);
    },
    async read(): Promise<Record<string, number>> {
      const all = await redis.hgetall<Record<string, number | string>>(key);
      const counters: Record<string, number> = {};
      for (const [field, value] of Object.entries(all ?? {})) counters[field] = Number(value);
      return counters;
    },
  };
}

export type OpsCounters = ReturnType<typeof createOpsCounters>;
