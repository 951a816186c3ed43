/**
 * Schedules in Redis. Each schedule is a HASH of definition JSON, createdAt, isPaused,
 * nextScheduleTime, lastScheduleTime and lastScheduleStates JSON. A ZSET orders active schedules by
 * their next fire time, so any server sharing the Redis can find and claim what is due.
 */
import { z } from "zod";
import type { ServerContext } from "../contracts.js";
import { parseCron } from "./cron.js";
import { createDispatchKeys } from "./keys.js";
import { defineLuaScript } from "./lua-script.js";
import {
  bodyFields,
  deliveredHeaderMap,
  type ScheduleDefinition,
  scheduleDefinitionSchema,
} from "./schedule-definition.js";

/** State of the messages started by a schedule's latest fire, as QStash reports them. */
export type ScheduleMessageState = "IN_PROGRESS" | "SUCCESS" | "FAIL";

export interface StoredSchedule {
  scheduleId: string;
  createdAt: number;
  isPaused: boolean;
  nextScheduleTime?: number;
  lastScheduleTime?: number;
  lastScheduleStates?: Record<string, ScheduleMessageState>;
  definition: ScheduleDefinition;
}

const storedHashSchema = z.object({
  definition: z.string(),
  createdAt: z.coerce.number(),
  isPaused: z.enum(["0", "1"]).catch("0"),
  nextScheduleTime: z.coerce.number().optional(),
  lastScheduleTime: z.coerce.number().optional(),
  lastScheduleStates: z.string().optional(),
});

const statesSchema = z.record(z.string(), z.enum(["IN_PROGRESS", "SUCCESS", "FAIL"]));

/**
 * KEYS: schedule hash, due zset, index zset. ARGV: id, definition JSON, next fire time ('' = never), now.
 * A paused schedule stays paused when it is replaced.
 */
const upsertScript = defineLuaScript(`
local paused = redis.call('HGET', KEYS[1], 'isPaused') == '1'
redis.call('HSETNX', KEYS[1], 'createdAt', ARGV[4])
redis.call('HSET', KEYS[1], 'definition', ARGV[2], 'isPaused', paused and '1' or '0')
redis.call('ZADD', KEYS[3], 'NX', ARGV[4], ARGV[1])
if ARGV[3] == '' then
  redis.call('HDEL', KEYS[1], 'nextScheduleTime')
  redis.call('ZREM', KEYS[2], ARGV[1])
else
  redis.call('HSET', KEYS[1], 'nextScheduleTime', ARGV[3])
  if not paused then redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1]) end
end
return 1
`);

/**
 * KEYS: schedule hash, due zset. ARGV: id, "1" to pause or "0" to resume, next fire time for resume
 * ('' = never). Returns 0 when the schedule does not exist.
 */
const setPausedScript = defineLuaScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'isPaused', ARGV[2])
if ARGV[2] == '1' or ARGV[3] == '' then
  redis.call('ZREM', KEYS[2], ARGV[1])
else
  redis.call('HSET', KEYS[1], 'nextScheduleTime', ARGV[3])
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
end
return 1
`);

/**
 * Claims one fire of a due schedule: a compare-and-set on its due score, so of several servers that
 * saw the same due entry exactly one fires it.
 * KEYS: schedule hash, due zset. ARGV: id, expected due score, next fire time ('' = never), now.
 * Returns 1 when this caller owns the fire.
 */
const claimScript = defineLuaScript(`
local score = redis.call('ZSCORE', KEYS[2], ARGV[1])
if not score or tonumber(score) ~= tonumber(ARGV[2]) then return 0 end
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HGET', KEYS[1], 'isPaused') == '1' then
  redis.call('ZREM', KEYS[2], ARGV[1])
  return 0
end
if ARGV[3] == '' then
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('HDEL', KEYS[1], 'nextScheduleTime')
else
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
  redis.call('HSET', KEYS[1], 'nextScheduleTime', ARGV[3])
end
redis.call('HSET', KEYS[1], 'lastScheduleTime', ARGV[4], 'lastScheduleStates', '{}')
return 1
`);

/**
 * Sets the state of one message of the latest fire, unless a newer fire replaced the states.
 * KEYS: schedule hash. ARGV: message id, state.
 */
const setMessageStateScript = defineLuaScript(`
local text = redis.call('HGET', KEYS[1], 'lastScheduleStates')
if not text then return 0 end
local states = cjson.decode(text)
if type(states) ~= 'table' or states[ARGV[1]] == nil then return 0 end
states[ARGV[1]] = ARGV[2]
redis.call('HSET', KEYS[1], 'lastScheduleStates', cjson.encode(states))
return 1
`);

/** Reference to one due schedule, as read from the due ZSET. */
export interface DueSchedule {
  scheduleId: string;
  dueAt: number;
}

export function createScheduleStore(context: ServerContext) {
  const keys = createDispatchKeys(context.keyPrefix);
  const { redis } = context;

  function nextFire(cron: string, afterMs: number): string {
    const next = parseCron(cron).nextRunAfter(afterMs);
    return next === null ? "" : String(next);
  }

  async function get(scheduleId: string): Promise<StoredSchedule | null> {
    const raw = await redis.hgetall(keys.schedule(scheduleId));
    if (Object.keys(raw).length === 0) return null;
    const stored = storedHashSchema.parse(raw);
    const states =
      stored.lastScheduleStates === undefined
        ? undefined
        : statesSchema.catch({}).parse(JSON.parse(stored.lastScheduleStates));
    return {
      scheduleId,
      createdAt: stored.createdAt,
      isPaused: stored.isPaused === "1",
      nextScheduleTime: stored.nextScheduleTime,
      lastScheduleTime: stored.lastScheduleTime,
      lastScheduleStates: states,
      definition: scheduleDefinitionSchema.parse(JSON.parse(stored.definition)),
    };
  }

  return {
    get,

    async list(): Promise<StoredSchedule[]> {
      const ids = await redis.zrange(keys.scheduleIndex, 0, -1);
      const schedules = await Promise.all(ids.map((id) => get(id)));
      return schedules.filter((schedule): schedule is StoredSchedule => schedule !== null);
    },

    /** Creates or replaces a schedule; the first fire is the cron's next time after now. */
    async upsert(scheduleId: string, definition: ScheduleDefinition): Promise<void> {
      const now = context.now();
      await upsertScript.run(
        redis,
        [keys.schedule(scheduleId), keys.scheduleDue, keys.scheduleIndex],
        [scheduleId, JSON.stringify(definition), nextFire(definition.cron, now), now],
      );
    },

    /** Returns false when the schedule does not exist. */
    async delete(scheduleId: string): Promise<boolean> {
      const results = await redis
        .multi()
        .del(keys.schedule(scheduleId))
        .zrem(keys.scheduleDue, scheduleId)
        .zrem(keys.scheduleIndex, scheduleId)
        .exec();
      return results?.[0]?.[1] === 1;
    },

    /** Pauses or resumes; a resumed schedule next fires at the cron's next time after now. */
    async setPaused(scheduleId: string, paused: boolean): Promise<boolean> {
      let next = "";
      if (!paused) {
        const schedule = await get(scheduleId);
        if (schedule === null) return false;
        next = nextFire(schedule.definition.cron, context.now());
      }
      const updated = await setPausedScript.run(
        redis,
        [keys.schedule(scheduleId), keys.scheduleDue],
        [scheduleId, paused ? "1" : "0", next],
      );
      return updated === 1;
    },

    /** Schedules whose next fire time is at or before `now`, oldest first. */
    async listDue(now: number, limit: number): Promise<DueSchedule[]> {
      const flat = await redis.zrangebyscore(keys.scheduleDue, "-inf", now, "WITHSCORES", "LIMIT", 0, limit);
      const due: DueSchedule[] = [];
      for (let index = 0; index + 1 < flat.length; index += 2) {
        due.push({ scheduleId: flat[index] ?? "", dueAt: Number(flat[index + 1]) });
      }
      return due;
    },

    /** Claims the fire of a due schedule; true when this caller must fire it. */
    async claim(due: DueSchedule, cron: string, now: number): Promise<boolean> {
      const claimed = await claimScript.run(
        redis,
        [keys.schedule(due.scheduleId), keys.scheduleDue],
        [due.scheduleId, due.dueAt, nextFire(cron, now), now],
      );
      return claimed === 1;
    },

    /** Records the messages a fire created, all IN_PROGRESS. */
    async recordFiredMessages(scheduleId: string, messageIds: string[]): Promise<void> {
      const states = Object.fromEntries(messageIds.map((id) => [id, "IN_PROGRESS"]));
      await redis.hset(keys.schedule(scheduleId), "lastScheduleStates", JSON.stringify(states));
    },

    async setMessageState(scheduleId: string, messageId: string, state: ScheduleMessageState): Promise<void> {
      await setMessageStateScript.run(redis, [keys.schedule(scheduleId)], [messageId, state]);
    },
  };
}

export type ScheduleStore = ReturnType<typeof createScheduleStore>;

/** The schedule as `GET /v2/schedules/{id}` returns it. */
export function toScheduleResponse(schedule: StoredSchedule): Record<string, unknown> {
  const { definition } = schedule;
  const labels = definition.labels;
  return {
    scheduleId: schedule.scheduleId,
    cron: definition.cron,
    createdAt: schedule.createdAt,
    destination: definition.destination,
    method: definition.method,
    header: deliveredHeaderMap(definition.publishHeaders),
    ...bodyFields(definition.bodyBase64),
    retries: definition.retries,
    delay: definition.delay,
    callback: definition.callback,
    failureCallback: definition.failureCallback,
    isPaused: schedule.isPaused,
    queueName: definition.queueName,
    flowControlKey: definition.flowControlKey,
    parallelism: definition.parallelism,
    rate: definition.rate,
    period: definition.period,
    retryDelayExpression: definition.retryDelayExpression,
    label: labels?.[0],
    labels,
    lastScheduleTime: schedule.lastScheduleTime,
    nextScheduleTime: schedule.nextScheduleTime,
    lastScheduleStates: schedule.lastScheduleStates,
  };
}
