/**
 * The message events log behind `GET /v2/events` and `GET /v2/logs`: one entry per state change of a
 * message, newest first, capped at `maxEvents` entries.
 */
import type { Redis } from "ioredis";
import { z } from "zod";
import type { RedisKeys } from "../keys.js";
import type { StoredMessage } from "./message.js";

export const EVENT_STATES = [
  "CREATED",
  "ACTIVE",
  "DELIVERED",
  "ERROR",
  "RETRY",
  "FAILED",
  "CANCEL_REQUESTED",
  "CANCELLED",
] as const;
export type EventState = (typeof EVENT_STATES)[number];

export const messageEventSchema = z.object({
  time: z.number(),
  state: z.enum(EVENT_STATES),
  messageId: z.string(),
  url: z.string(),
  topicName: z.string().optional(),
  endpointName: z.string().optional(),
  queueName: z.string().optional(),
  scheduleId: z.string().optional(),
  workflowRunId: z.string().optional(),
  header: z.record(z.string(), z.array(z.string())).optional(),
  body: z.string().optional(),
  label: z.string().optional(),
  labels: z.array(z.string()).optional(),
  nextDeliveryTime: z.number().optional(),
  responseStatus: z.number().optional(),
  error: z.string().optional(),
});
export type MessageEvent = z.infer<typeof messageEventSchema>;

export class EventStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly now: () => number,
    private readonly maxEvents: number,
  ) {}

  /** Appends an event about `message`. */
  async record(
    message: StoredMessage,
    state: EventState,
    details: { error?: string; nextDeliveryTime?: number; responseStatus?: number; time?: number } = {},
  ): Promise<void> {
    const event: MessageEvent = {
      time: details.time ?? this.now(),
      state,
      messageId: message.messageId,
      url: message.url,
      topicName: message.topicName,
      endpointName: message.endpointName,
      queueName: message.queueName,
      scheduleId: message.scheduleId,
      workflowRunId: message.workflow?.runId,
      body: message.body,
      label: message.labels[0],
      labels: message.labels.length > 0 ? message.labels : undefined,
      ...details,
    };
    await this.redis
      .multi()
      .lpush(this.keys.events, JSON.stringify(event))
      .ltrim(this.keys.events, 0, this.maxEvents - 1)
      .exec();
  }

  /** Returns every stored event, newest first. */
  async list(): Promise<MessageEvent[]> {
    const values = await this.redis.lrange(this.keys.events, 0, -1);
    return values.map((value) => messageEventSchema.parse(JSON.parse(value)));
  }
}
