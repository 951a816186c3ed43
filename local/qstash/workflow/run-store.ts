/**
 * Workflow runs in Redis: create, read, append to the step log, and change state.
 *
 * The run state lives in its own key so Lua scripts can check and change it without decoding JSON.
 * Appending checks that state inside the script, so a step published after the run ended is rejected
 * (hosted QStash returns 400, which the workflow SDK reads as "workflow already finished").
 */
import type { Redis } from "ioredis";
import { errorForScriptCode, SCRIPT_CODE } from "../errors.js";
import type { RedisKeys } from "../keys.js";
import { type LogEntry, parseLogEntry, parseRun, type RunState, type WorkflowRun } from "./run.js";

// KEYS: state, log. ARGV: entry JSON. Returns the entry's index or a negative code.
const APPEND_SCRIPT = `
local state = redis.call('GET', KEYS[1])
if not state then return ${SCRIPT_CODE.runNotFound} end
if state ~= 'RUN_STARTED' then return ${SCRIPT_CODE.runEnded} end
return redis.call('RPUSH', KEYS[2], ARGV[1]) - 1
`;

// KEYS: run, state, log, runs. ARGV: run JSON, first log entry JSON, created at, replace flag, run id.
const CREATE_SCRIPT = `
if ARGV[4] ~= '1' and redis.call('EXISTS', KEYS[2]) == 1 then return ${SCRIPT_CODE.runExists} end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], 'RUN_STARTED')
redis.call('DEL', KEYS[3])
redis.call('RPUSH', KEYS[3], ARGV[2])
redis.call('ZADD', KEYS[4], tonumber(ARGV[3]), ARGV[5])
return ${SCRIPT_CODE.ok}
`;

// KEYS: state, run. ARGV: new state, ended run JSON. Only a started run can end; the state and the
// record change together so a reader never sees the final state without the final record.
const END_SCRIPT = `
local state = redis.call('GET', KEYS[1])
if not state then return ${SCRIPT_CODE.runNotFound} end
if state ~= 'RUN_STARTED' then return ${SCRIPT_CODE.runEnded} end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[2])
return ${SCRIPT_CODE.ok}
`;

export class RunStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** Creates a run with its first log entry; returns false when the run already exists. */
  async create(run: WorkflowRun, first: LogEntry, options: { replace: boolean }): Promise<boolean> {
    const keys = [
      this.keys.run(run.runId),
      this.keys.runState(run.runId),
      this.keys.runLog(run.runId),
      this.keys.runs,
    ];
    const code = Number(
      await this.redis.eval(
        CREATE_SCRIPT,
        keys.length,
        ...keys,
        JSON.stringify(run),
        JSON.stringify(first),
        run.createdAt,
        options.replace ? "1" : "0",
        run.runId,
      ),
    );
    return code === SCRIPT_CODE.ok;
  }

  async get(runId: string): Promise<WorkflowRun | undefined> {
    const [json, state] = await this.redis.mget(this.keys.run(runId), this.keys.runState(runId));
    if (!json || !state) return undefined;
    return { ...parseRun(json), state: state as RunState };
  }

  async getMany(runIds: string[]): Promise<WorkflowRun[]> {
    const runs = await Promise.all(runIds.map((id) => this.get(id)));
    return runs.filter((run): run is WorkflowRun => run !== undefined);
  }

  /** Overwrites a run's record, but never its state (see `end`). */
  async save(run: WorkflowRun): Promise<void> {
    await this.redis.set(this.keys.run(run.runId), JSON.stringify(run));
  }

  /** Appends a step to a started run; returns its index or throws 404/400. */
  async append(runId: string, entry: LogEntry): Promise<number> {
    const code = Number(
      await this.redis.eval(
        APPEND_SCRIPT,
        2,
        this.keys.runState(runId),
        this.keys.runLog(runId),
        JSON.stringify(entry),
      ),
    );
    const error = errorForScriptCode(code, runId);
    if (error) throw error;
    return code;
  }

  /**
   * Moves a started run to a final state and records `completedAt` and `response`. Returns the ended
   * run, or undefined when the run is missing or had already ended (so callers act only once).
   */
  async end(
    runId: string,
    state: Exclude<RunState, "RUN_STARTED">,
    completedAt: number,
    changes: Partial<WorkflowRun> = {},
  ): Promise<WorkflowRun | undefined> {
    const run = await this.get(runId);
    if (run?.state !== "RUN_STARTED") return undefined;
    const ended: WorkflowRun = { ...run, ...changes, state, completedAt };
    const code = Number(
      await this.redis.eval(
        END_SCRIPT,
        2,
        this.keys.runState(runId),
        this.keys.run(runId),
        state,
        JSON.stringify(ended),
      ),
    );
    return code === SCRIPT_CODE.ok ? ended : undefined;
  }

  async log(runId: string, end = -1): Promise<LogEntry[]> {
    const values = await this.redis.lrange(this.keys.runLog(runId), 0, end);
    return values.map(parseLogEntry);
  }

  /** Ids of the run's pending messages. */
  async pendingMessageIds(runId: string): Promise<string[]> {
    return await this.redis.smembers(this.keys.runMessages(runId));
  }

  /** Run ids, newest first. */
  async listIds(): Promise<string[]> {
    return await this.redis.zrevrange(this.keys.runs, 0, -1);
  }
}
