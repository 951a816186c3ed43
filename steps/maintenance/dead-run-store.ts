/**
 * Redis records of dead-lettered workflow runs: why each run died, whether it was re-driven, and
 * which runs are quarantined (never re-driven automatically again).
 *
 * | key (under the product prefix)  | type       | contents                                           |
 * | ------------------------------- | ---------- | -------------------------------------------------- |
 * | `ops:dead:{workflowRunId}`      | string     | `DeadRun` JSON, expires `DEAD_RUN_TTL_SECONDS` after its last write |
 * | `ops:dead-runs`                 | sorted set | workflow run id → epoch ms it died, every state    |
 * | `ops:redrive-pending`           | sorted set | the same, only runs still `dead` with a kind in `REDRIVABLE_KINDS` |
 * | `ops:redrive-of:{workflowRunId}`| string     | id of the dead run this run was resumed from       |
 * | `ops:quarantine`                | sorted set | workflow run id → epoch ms it was quarantined      |
 *
 * NOTE: `ops:redrive-pending` is filled only by `recordDeath`, so runs recorded before the index
 * existed are not re-driven automatically; resume them with `npm run dlq`.
 *
 * The failure function and the re-drive can race: a resumed run can die before the re-drive has
 * stored which run it came from. Each side writes its own key and then reads the other's
 * (`recordDeath` writes `dead:`, then reads `redrive-of:`; `linkRedrive` does the reverse), so at
 * least one of them finds both and quarantines the run. `quarantine` is idempotent, so both may.
 */
import type { Redis } from "@upstash/redis";
import { z } from "zod";

/** Seconds a dead-run record is kept after its last change; longer than QStash's DLQ retention (up to 14 days on paid plans). */
export const DEAD_RUN_TTL_SECONDS = 30 * 24 * 60 * 60;

export const DEAD_RUN_STATES = ["dead", "redriven", "quarantined", "deleted"] as const;

/** Failure kinds the automatic re-drive retries; other kinds wait for an operator. */
export const REDRIVABLE_KINDS: ReadonlySet<string> = new Set(["transient", "rate-limited", "circuit-open"]);
export type DeadRunState = (typeof DEAD_RUN_STATES)[number];

export const DeadRunSchema = z.object({
  workflowRunId: z.string().min(1),
  /** Workflow id, the last segment of the workflow URL, e.g. `scan-repository`. */
  workflowId: z.string(),
  labels: z.array(z.string()),
  /** Dependency named by the failure tag of the last error, or null when the error carried none. */
  dependency: z.string().nullable(),
  /** Failure kind from the same tag (`transient`, `rate-limited`, `circuit-open`, ...), or null. */
  kind: z.string().nullable(),
  /** HTTP status of the last failed delivery, as QStash reported it to the failure function. */
  failStatus: z.number().int(),
  /** Error message of the failed step, at most `MAX_MESSAGE_LENGTH` characters. */
  failResponse: z.string(),
  /**
   * Step that threw, from the `Upstash-Error-Step-Name` header of the failed response. The SDK
   * (@upstash/workflow 1.3.3) sets it only on its HTTP 500 error response, so it is null for
   * non-retryable deaths (HTTP 489: `authentication`, `permanent`) and errors outside a step.
   */
  stepName: z.string().nullable(),
  /** Epoch ms the failure function ran. */
  failedAt: z.number(),
  state: z.enum(DEAD_RUN_STATES),
  /** Times this run's chain of dead runs was resumed; the first death is 0. */
  redriveCount: z.number().int().nonnegative(),
  /** Dead run this run was resumed from, when it is itself a re-driven run. */
  redriveOf: z.string().nullable(),
  /** Run started by resuming or restarting this one. */
  redrivenAs: z.string().nullable(),
  /** Epoch ms of the last state change. */
  updatedAt: z.number(),
});
export type DeadRun = z.infer<typeof DeadRunSchema>;

const MAX_MESSAGE_LENGTH = 2000;

export interface DeadRunInput {
  workflowRunId: string;
  workflowId: string;
  labels: string[];
  dependency: string | null;
  kind: string | null;
  failStatus: number;
  failResponse: string;
  stepName: string | null;
  failedAt: number;
}

export interface RecordDeathResult {
  record: DeadRun;
  /** True when this run had been re-driven from an earlier dead run and is now quarantined. */
  quarantined: boolean;
  /** True only for the call that moved the run into quarantine (so exactly one caller alerts). */
  newlyQuarantined: boolean;
}

export function createDeadRunStore(redis: Redis, keyPrefix: string) {
  const base = `${keyPrefix}ops:`;
  const keys = {
    dead: (runId: string) => `${base}dead:${runId}`,
    deadRuns: () => `${base}dead-runs`,
    redrivePending: () => `${base}redrive-pending`,
    redriveOf: (runId: string) => `${base}redrive-of:${runId}`,
    quarantine: () => `${base}quarantine`,
  };

  async function get(workflowRunId: string): Promise<DeadRun | null> {
    const raw = await redis.get<unknown>(keys.dead(workflowRunId));
    if (raw === null) return null;
    const parsed = DeadRunSchema.safeParse(raw);
    if (!parsed.success) {
      throw new Error(`dead-run record ${workflowRunId} is malformed: ${parsed.error.issues[0]?.message}`);
    }
    return parsed.data;
  }

  async function put(record: DeadRun): Promise<void> {
    await redis.set(keys.dead(record.workflowRunId), record, { ex: DEAD_RUN_TTL_SECONDS });
  }

  /** Moves `workflowRunId` into quarantine. Returns whether this call did it (false if it already was). */
  async function quarantine(workflowRunId: string, origin: DeadRun | null, now: number): Promise<boolean> {
    await redis.zrem(keys.redrivePending(), workflowRunId);
    const added = await redis.zadd(keys.quarantine(), { nx: true }, { score: now, member: workflowRunId });
    const record = await get(workflowRunId);
    if (record) {
      await put({
        ...record,
        state: "quarantined",
        redriveOf: origin?.workflowRunId ?? record.redriveOf,
        updatedAt: now,
      });
    }
    return added === 1;
  }

  return {
    keys,
    get,

    /**
     * Stores the record of a run that just died, then quarantines it when it was a re-driven run.
     * Called by every workflow's failure function.
     */
    async recordDeath(input: DeadRunInput): Promise<RecordDeathResult> {
      const record: DeadRun = {
        ...input,
        failResponse: input.failResponse.slice(0, MAX_MESSAGE_LENGTH),
        state: "dead",
        redriveCount: 0,
        redriveOf: null,
        redrivenAs: null,
        updatedAt: input.failedAt,
      };
      await put(record);
      await redis.zadd(keys.deadRuns(), { score: input.failedAt, member: input.workflowRunId });
      await redis.zremrangebyscore(keys.deadRuns(), 0, input.failedAt - DEAD_RUN_TTL_SECONDS * 1000);
      if (input.dependency !== null && input.kind !== null && REDRIVABLE_KINDS.has(input.kind)) {
        await redis.zadd(keys.redrivePending(), { score: input.failedAt, member: input.workflowRunId });
      }
      await redis.zremrangebyscore(keys.redrivePending(), 0, input.failedAt - DEAD_RUN_TTL_SECONDS * 1000);

      const originId = await redis.get<string>(keys.redriveOf(input.workflowRunId));
      if (originId === null) return { record, quarantined: false, newlyQuarantined: false };
      const origin = await get(String(originId));
      const linked: DeadRun = {
        ...record,
        redriveOf: String(originId),
        redriveCount: (origin?.redriveCount ?? 0) + 1,
      };
      await put(linked);
      const newlyQuarantined = await quarantine(input.workflowRunId, origin, input.failedAt);
      const stored = (await get(input.workflowRunId)) ?? linked;
      return { record: stored, quarantined: true, newlyQuarantined };
    },

    /**
     * Records that `origin` was resumed or restarted as `newRunId`, then quarantines `newRunId` when
     * it already died (the race described in the file header). Returns whether this call quarantined it.
     */
    async linkRedrive(
      originId: string,
      newRunId: string,
      now: number,
    ): Promise<{ newlyQuarantined: boolean }> {
      await redis.set(keys.redriveOf(newRunId), originId, { ex: DEAD_RUN_TTL_SECONDS });
      await redis.zrem(keys.redrivePending(), originId);
      const origin = await get(originId);
      if (origin) {
        await put({ ...origin, state: "redriven", redrivenAs: newRunId, updatedAt: now });
      }
      await redis.zrem(keys.quarantine(), originId);

      const early = await get(newRunId);
      if (early === null) return { newlyQuarantined: false };
      await put({ ...early, redriveOf: originId, redriveCount: (origin?.redriveCount ?? 0) + 1 });
      return { newlyQuarantined: await quarantine(newRunId, origin, now) };
    },

    /** Marks a record deleted (its DLQ entry was deleted) and takes it out of quarantine. */
    async markDeleted(workflowRunId: string, now: number): Promise<void> {
      const record = await get(workflowRunId);
      if (record) await put({ ...record, state: "deleted", updatedAt: now });
      await redis.zrem(keys.redrivePending(), workflowRunId);
      await redis.zrem(keys.quarantine(), workflowRunId);
    },

    /**
     * Run ids the automatic re-drive may resume (state `dead`, re-drivable kind), oldest first, from
     * `offset`; at most `count`. Ids leave this index when their run is re-driven, quarantined or deleted.
     */
    async listRedrivePendingIds(offset: number, count: number): Promise<string[]> {
      const ids = await redis.zrange<(string | number)[]>(keys.redrivePending(), offset, offset + count - 1);
      return ids.map(String);
    },

    /** Number of ids in the re-drive index. */
    async countRedrivePending(): Promise<number> {
      return redis.zcard(keys.redrivePending());
    },

    /** Removes `workflowRunId` from the re-drive index, e.g. when its record expired or is no longer `dead`. */
    async dropRedrivePending(workflowRunId: string): Promise<void> {
      await redis.zrem(keys.redrivePending(), workflowRunId);
    },

    /** Run ids of dead runs in every state, oldest first, from `offset`; at most `count`. */
    async listDeadRunIds(offset: number, count: number): Promise<string[]> {
      const ids = await redis.zrange<(string | number)[]>(keys.deadRuns(), offset, offset + count - 1);
      return ids.map(String);
    },

    async isQuarantined(workflowRunId: string): Promise<boolean> {
      return (await redis.zscore(keys.quarantine(), workflowRunId)) !== null;
    },

    /** Quarantined run ids with the epoch ms each was quarantined, newest first. */
    async listQuarantined(count: number): Promise<{ workflowRunId: string; quarantinedAt: number }[]> {
      const flat = await redis.zrange<(string | number)[]>(keys.quarantine(), 0, count - 1, {
        rev: true,
        withScores: true,
      });
      const entries: { workflowRunId: string; quarantinedAt: number }[] = [];
      for (let index = 0; index + 1 < flat.length; index += 2) {
        entries.push({ workflowRunId: String(flat[index]), quarantinedAt: Number(flat[index + 1]) });
      }
      return entries;
    },
  };
}

export type DeadRunStore = ReturnType<typeof createDeadRunStore>;
