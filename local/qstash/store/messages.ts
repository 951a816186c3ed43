/**
 * Message records and the due ZSET: save, read, cancel, claim with a lease, and finish an attempt.
 *
 * A message is due when its score in the due ZSET is at or before now. Claiming pushes the score to
 * the end of the lease and stores a lease token, both in one Lua script, so two server processes on
 * one Redis never deliver the same message at the same time. If a process dies mid-delivery, the
 * score it left behind makes the message due again when the lease runs out.
 */
import type { Redis } from "ioredis";
import { errorForScriptCode, SCRIPT_CODE } from "../errors.js";
import type { RedisKeys } from "../keys.js";
import { parseStoredMessage, type StoredMessage } from "./message.js";

const CLAIM_SCRIPT = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local leaseUntil = tonumber(ARGV[1]) + tonumber(ARGV[2])
for _, id in ipairs(ids) do
  redis.call('ZADD', KEYS[1], leaseUntil, id)
  redis.call('SET', ARGV[5] .. id, ARGV[4], 'PX', tonumber(ARGV[2]))
end
return ids
`;

// KEYS: due, message, lease, run messages (or a dummy key). ARGV: id, token, new JSON ('' deletes), due at.
// A message cancelled during its attempt is gone (and so is its lease); that is not a lost lease.
const FINISH_SCRIPT = `
if redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return ${SCRIPT_CODE.messageNotFound}
end
if redis.call('GET', KEYS[3]) ~= ARGV[2] then return ${SCRIPT_CODE.leaseLost} end
redis.call('DEL', KEYS[3])
if ARGV[3] == '' then
  redis.call('DEL', KEYS[2])
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('SREM', KEYS[4], ARGV[1])
else
  redis.call('SET', KEYS[2], ARGV[3])
  redis.call('ZADD', KEYS[1], tonumber(ARGV[4]), ARGV[1])
end
return ${SCRIPT_CODE.ok}
`;

// KEYS: due, message, lease, run messages. ARGV: id. Returns 1 when the message existed.
const CANCEL_SCRIPT = `
local existed = redis.call('DEL', KEYS[2])
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[3])
redis.call('SREM', KEYS[4], ARGV[1])
return existed
`;

// KEYS: due, lease. ARGV: id, token, lease ms, now. Renews the lease only while this token holds it,
// so a heartbeat that arrives after the attempt finished, or after another server took the message
// over, changes nothing.
const RENEW_SCRIPT = `
if redis.call('GET', KEYS[2]) ~= ARGV[2] then return ${SCRIPT_CODE.leaseLost} end
redis.call('SET', KEYS[2], ARGV[2], 'PX', tonumber(ARGV[3]))
redis.call('ZADD', KEYS[1], 'XX', tonumber(ARGV[4]) + tonumber(ARGV[3]), ARGV[1])
return ${SCRIPT_CODE.ok}
`;

// KEYS: message, due, run messages. ARGV: id, due at. Makes a stored message due only when it is
// neither due nor leased (absent from the due ZSET), so a message in flight is never sent twice.
const REQUEUE_STRANDED_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('ZSCORE', KEYS[2], ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[2], tonumber(ARGV[2]), ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
return 1
`;

// KEYS: due, lease. ARGV: id, token, due at. Gives a claimed message back without using up a retry.
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[2]) ~= ARGV[2] then return ${SCRIPT_CODE.leaseLost} end
redis.call('DEL', KEYS[2])
redis.call('ZADD', KEYS[1], 'XX', tonumber(ARGV[3]), ARGV[1])
return ${SCRIPT_CODE.ok}
`;

export class MessageStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly now: () => number,
  ) {}

  private runMessagesKey(message: StoredMessage | undefined): string {
    const runId = message?.workflow?.runId ?? message?.timer?.runId;
    return runId ? this.keys.runMessages(runId) : this.keys.runMessages("-");
  }

  /** Stores a new message and makes it due at `dueAt`; wakes the schedulers when it is due now. */
  async insert(message: StoredMessage, dueAt: number): Promise<void> {
    const multi = this.redis.multi();
    multi.set(this.keys.message(message.messageId), JSON.stringify(message));
    multi.zadd(this.keys.due, dueAt, message.messageId);
    const runId = message.workflow?.runId ?? message.timer?.runId;
    if (runId) multi.sadd(this.keys.runMessages(runId), message.messageId);
    if (dueAt <= this.now()) multi.publish(this.keys.wakeChannel, message.messageId);
    await multi.exec();
  }

  /**
   * Stores a message record without making it due; `insert` makes it due later. A record stored this
   * way and never inserted is found by `requeueStranded`.
   */
  async save(message: StoredMessage): Promise<void> {
    await this.redis.set(this.keys.message(message.messageId), JSON.stringify(message));
  }

  /** Deletes a record stored by `save` that will not be inserted. */
  async discard(messageId: string): Promise<void> {
    await this.redis.del(this.keys.message(messageId));
  }

  /**
   * Makes a message due now when its record exists but it is neither due nor leased, which happens
   * only when the server stopped between `save` and `insert`. Returns true when it did.
   */
  async requeueStranded(message: StoredMessage): Promise<boolean> {
    const requeued = await this.redis.eval(
      REQUEUE_STRANDED_SCRIPT,
      3,
      this.keys.message(message.messageId),
      this.keys.due,
      this.runMessagesKey(message),
      message.messageId,
      this.now(),
    );
    if (requeued !== 1) return false;
    await this.redis.publish(this.keys.wakeChannel, message.messageId);
    return true;
  }

  async get(messageId: string): Promise<StoredMessage | undefined> {
    const json = await this.redis.get(this.keys.message(messageId));
    return json === null ? undefined : parseStoredMessage(json);
  }

  async getMany(messageIds: string[]): Promise<StoredMessage[]> {
    if (messageIds.length === 0) return [];
    const values = await this.redis.mget(messageIds.map((id) => this.keys.message(id)));
    return values.filter((value): value is string => value !== null).map(parseStoredMessage);
  }

  /** Ids of every pending message, in due order. */
  async listIds(): Promise<string[]> {
    return await this.redis.zrange(this.keys.due, 0, -1);
  }

  /** Removes a pending message; returns false when no such message exists. */
  async cancel(message: StoredMessage): Promise<boolean> {
    const keys = [
      this.keys.due,
      this.keys.message(message.messageId),
      this.keys.lease(message.messageId),
      this.runMessagesKey(message),
    ];
    const existed = await this.redis.eval(CANCEL_SCRIPT, keys.length, ...keys, message.messageId);
    return existed === 1;
  }

  /** Claims up to `limit` due messages for `leaseMs`; returns their ids. */
  async claimDue(limit: number, leaseMs: number, token: string): Promise<string[]> {
    const result = await this.redis.eval(
      CLAIM_SCRIPT,
      1,
      this.keys.due,
      this.now(),
      leaseMs,
      limit,
      token,
      this.keys.lease(""),
    );
    return Array.isArray(result) ? result.map(String) : [];
  }

  /**
   * Renews the lease of a claimed message for another `leaseMs` from now. Returns false when `token`
   * no longer holds the lease (the attempt finished, or the lease expired and another server claimed
   * the message).
   */
  async renewLease(messageId: string, token: string, leaseMs: number): Promise<boolean> {
    const code = Number(
      await this.redis.eval(
        RENEW_SCRIPT,
        2,
        this.keys.due,
        this.keys.lease(messageId),
        messageId,
        token,
        leaseMs,
        this.now(),
      ),
    );
    return code === SCRIPT_CODE.ok;
  }

  /**
   * Ends an attempt: deletes the message (`next` undefined) or stores its new state due at `dueAt`.
   * Throws when the lease was lost; returns false when the message was cancelled meanwhile.
   */
  async finish(
    message: StoredMessage,
    token: string,
    next?: { message: StoredMessage; dueAt: number },
  ): Promise<boolean> {
    const keys = [
      this.keys.due,
      this.keys.message(message.messageId),
      this.keys.lease(message.messageId),
      this.runMessagesKey(message),
    ];
    const code = Number(
      await this.redis.eval(
        FINISH_SCRIPT,
        keys.length,
        ...keys,
        message.messageId,
        token,
        next ? JSON.stringify(next.message) : "",
        next?.dueAt ?? -1,
      ),
    );
    if (code === SCRIPT_CODE.messageNotFound) return false;
    const error = errorForScriptCode(code, message.messageId);
    if (error) throw error;
    return true;
  }

  /** Gives a claimed message back so it is due at `dueAt`, without counting an attempt. */
  async release(messageId: string, token: string, dueAt: number): Promise<void> {
    await this.redis.eval(
      RELEASE_SCRIPT,
      2,
      this.keys.due,
      this.keys.lease(messageId),
      messageId,
      token,
      dueAt,
    );
  }

  /** Earliest due time of any pending message, or undefined when none is pending. */
  async nextDueAt(): Promise<number | undefined> {
    const first = await this.redis.zrange(this.keys.due, 0, 0, "WITHSCORES");
    return first[1] === undefined ? undefined : Number(first[1]);
  }
}
