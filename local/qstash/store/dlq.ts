/**
 * Dead-letter queue entries: a snapshot of the message that ran out of retries plus the last
 * response it got. Entries stay until deleted, retried or resumed.
 */
import { randomInt } from "node:crypto";
import type { Redis } from "ioredis";
import { z } from "zod";
import type { RedisKeys } from "../keys.js";
import { storedMessageSchema } from "./message.js";

export const dlqEntrySchema = z.object({
  dlqId: z.string(),
  message: storedMessageSchema,
  /** Epoch ms at which the message entered the DLQ. */
  failedAt: z.number(),
  responseStatus: z.number(),
  responseHeader: z.record(z.string(), z.array(z.string())),
  /** Base64 of the last response body. */
  responseBody: z.string(),
  error: z.string().optional(),
  /** State of the failure callback for workflow runs: CALLBACK_INPROGRESS, CALLBACK_SUCCESS or CALLBACK_FAIL. */
  failureCallbackState: z.string().optional(),
  failureCallbackResponse: z
    .object({ status: z.number(), body: z.string(), headers: z.record(z.string(), z.array(z.string())) })
    .optional(),
});
export type DlqEntry = z.infer<typeof dlqEntrySchema>;

export class DlqStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** Creates a DLQ id in QStash's `<epoch ms>-<sequence>` form. */
  newId(now: number): string {
    return `${now}-${randomInt(0, 1_000_000)}`;
  }

  async insert(entry: DlqEntry): Promise<void> {
    await this.redis
      .multi()
      .set(this.keys.dlqEntry(entry.dlqId), JSON.stringify(entry))
      .zadd(this.keys.dlq, entry.failedAt, entry.dlqId)
      .exec();
  }

  async update(entry: DlqEntry): Promise<void> {
    await this.redis.set(this.keys.dlqEntry(entry.dlqId), JSON.stringify(entry), "XX");
  }

  async get(dlqId: string): Promise<DlqEntry | undefined> {
    const json = await this.redis.get(this.keys.dlqEntry(dlqId));
    return json === null ? undefined : dlqEntrySchema.parse(JSON.parse(json));
  }

  /** Returns every entry, newest first. */
  async list(): Promise<DlqEntry[]> {
    const ids = await this.redis.zrevrange(this.keys.dlq, 0, -1);
    if (ids.length === 0) return [];
    const values = await this.redis.mget(ids.map((id) => this.keys.dlqEntry(id)));
    return values
      .filter((value): value is string => value !== null)
      .map((value) => dlqEntrySchema.parse(JSON.parse(value)));
  }

  /** Deletes entries; returns how many existed. */
  async delete(dlqIds: string[]): Promise<number> {
    if (dlqIds.length === 0) return 0;
    const multi = this.redis.multi();
    multi.del(...dlqIds.map((id) => this.keys.dlqEntry(id)));
    multi.zrem(this.keys.dlq, ...dlqIds);
    const results = await multi.exec();
    return Number(results?.[0]?.[1] ?? 0);
  }
}
