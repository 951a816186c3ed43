/**
 * Flow-control keys as the API shows them: settings, pause and pin state, rate window and counts.
 * A key comes into existence with the first message that carries it (or a pause or pin call), and
 * lives in Redis until the server's keys are deleted.
 */
import { z } from "zod";
import type { ServerContext } from "../contracts.js";
import { createDispatchKeys } from "./keys.js";
import { countLane } from "./lane-stats.js";

/** Response shape of `GET /v2/flowControl/{key}`. */
export interface FlowControlInfo {
  flowControlKey: string;
  waitListSize: number;
  parallelismMax: number;
  parallelismCount: number;
  rateMax: number;
  rateCount: number;
  /** Rate window length in seconds. */
  ratePeriod: number;
  /** Start of the current rate window, unix seconds. */
  ratePeriodStart: number;
  isPaused: boolean;
  isPinnedParallelism: boolean;
  isPinnedRate: boolean;
}

export interface PinSettings {
  parallelism?: number;
  rate?: number;
  /** Seconds. */
  period?: number;
}

const numberField = z.coerce.number().catch(0);
const storedFlowControlSchema = z.object({
  paused: z.string().optional(),
  parallelismMax: numberField,
  rateMax: numberField,
  ratePeriod: z.coerce.number().catch(1),
  rateCount: numberField,
  ratePeriodStart: numberField,
  pinnedParallelism: z.string().optional(),
  pinnedRate: z.string().optional(),
});

export function createFlowControlStore(context: ServerContext) {
  const keys = createDispatchKeys(context.keyPrefix);
  const { redis } = context;

  async function exists(key: string): Promise<boolean> {
    return (await redis.exists(keys.flowControl(key))) === 1;
  }

  /** Creates the key with unlimited settings when it does not exist yet. */
  async function ensure(key: string): Promise<void> {
    const now = context.now();
    const created = await redis.hsetnx(keys.flowControl(key), "createdAt", now);
    if (created === 1) {
      await redis
        .multi()
        .hset(keys.flowControl(key), {
          paused: "0",
          parallelismMax: 0,
          rateMax: 0,
          ratePeriod: 1,
          rateCount: 0,
          ratePeriodStart: now,
          pinnedParallelism: "0",
          pinnedRate: "0",
        })
        .zadd(keys.flowControlIndex, "NX", now, key)
        .exec();
    }
  }

  return {
    exists,

    async get(key: string): Promise<FlowControlInfo | null> {
      const now = context.now();
      const [raw, counts] = await Promise.all([
        redis.hgetall(keys.flowControl(key)),
        countLane(redis, keys.lane("flowControl", key), now),
      ]);
      if (Object.keys(raw).length === 0) return null;

      const stored = storedFlowControlSchema.parse(raw);
      const windowOver = now >= stored.ratePeriodStart + stored.ratePeriod * 1000;
      return {
        flowControlKey: key,
        waitListSize: counts.waiting,
        parallelismMax: stored.parallelismMax,
        parallelismCount: counts.inFlight,
        rateMax: stored.rateMax,
        rateCount: windowOver ? 0 : stored.rateCount,
        ratePeriod: stored.ratePeriod,
        ratePeriodStart: Math.floor(stored.ratePeriodStart / 1000),
        isPaused: stored.paused === "1",
        isPinnedParallelism: stored.pinnedParallelism === "1",
        isPinnedRate: stored.pinnedRate === "1",
      };
    },

    async list(): Promise<FlowControlInfo[]> {
      const names = await redis.zrange(keys.flowControlIndex, 0, -1);
      const infos = await Promise.all(names.map((name) => this.get(name)));
      return infos.filter((info): info is FlowControlInfo => info !== null);
    },

    async setPaused(key: string, paused: boolean): Promise<void> {
      if (paused) await ensure(key);
      await redis.hset(keys.flowControl(key), "paused", paused ? "1" : "0");
    },

    /** Pins the given settings; pinning rate or period also starts a fresh rate window. */
    async pin(key: string, settings: PinSettings): Promise<void> {
      await ensure(key);
      const fields: Record<string, string | number> = {};
      if (settings.parallelism !== undefined) {
        fields["parallelismMax"] = settings.parallelism;
        fields["pinnedParallelism"] = "1";
      }
      if (settings.rate !== undefined || settings.period !== undefined) {
        if (settings.rate !== undefined) fields["rateMax"] = settings.rate;
        if (settings.period !== undefined) fields["ratePeriod"] = settings.period;
        fields["pinnedRate"] = "1";
      }
      fields["rateCount"] = 0;
      fields["ratePeriodStart"] = context.now();
      await redis.hset(keys.flowControl(key), fields);
    },

    async unpin(key: string, fieldsToUnpin: { parallelism: boolean; rate: boolean }): Promise<void> {
      const fields: Record<string, string> = {};
      if (fieldsToUnpin.parallelism) fields["pinnedParallelism"] = "0";
      if (fieldsToUnpin.rate) fields["pinnedRate"] = "0";
      if (Object.keys(fields).length > 0) await redis.hset(keys.flowControl(key), fields);
    },

    /** Clears the rate count and starts a new rate window now. */
    async resetRate(key: string): Promise<void> {
      await redis.hset(keys.flowControl(key), { rateCount: 0, ratePeriodStart: context.now() });
    },

    async globalParallelism(maximum: number): Promise<{ parallelismMax: number; parallelismCount: number }> {
      const count = await redis.zcount(keys.globalInFlight, `(${context.now()}`, "+inf");
      return { parallelismMax: maximum, parallelismCount: count };
    },
  };
}

export type FlowControlStore = ReturnType<typeof createFlowControlStore>;
