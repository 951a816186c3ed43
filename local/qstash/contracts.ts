/**
 * Contracts between the parts of the local QStash server.
 *
 * The message core (store, scheduler, delivery, workflow runs, DLQ, events) and the dispatch features
 * (queues, flow control, schedules, URL groups) are built as separate modules. They meet only here.
 */
import type { Hono } from "hono";
import type { Redis } from "ioredis";
import type { Logger } from "pino";

/** Shared dependencies handed to every module of one server instance. */
export interface ServerContext {
  redis: Redis;
  /** Prefix of every Redis key this server instance writes, e.g. `qstash:` or a test's own prefix. */
  keyPrefix: string;
  logger: Logger;
  /** Current time in epoch milliseconds; injectable so tests can reason about due times. */
  now(): number;
}

/** Flow-control settings parsed from `Upstash-Flow-Control-Key` and `Upstash-Flow-Control-Value`. */
export interface FlowControlSettings {
  key: string;
  /** Maximum deliveries in flight for the key; undefined means unlimited. */
  parallelism?: number;
  /** Maximum deliveries started per period; undefined means unlimited. */
  rate?: number;
  /** Length of the rate window in seconds (QStash's default is 1). */
  periodSeconds: number;
}

/** Facts about a due message that the dispatch gate decides on. */
export interface GateSubject {
  messageId: string;
  queueName?: string;
  flowControl?: FlowControlSettings;
  /** Schedule that created the message; lets `onMessageFinished` report the schedule's last states. */
  scheduleId?: string;
}

/** Way a message left the system: delivered, failed for good (DLQ), or cancelled. */
export type MessageOutcome = "delivered" | "failed" | "cancelled";

export type GateDecision = { granted: true } | { granted: false; retryAt: number };

/**
 * Decides whether a due message may be delivered now, given its queue and flow-control key.
 * The scheduler calls `acquire` before each delivery attempt and `release` after the attempt ends
 * (whatever its outcome). A denied message is rescheduled at `retryAt` without using up a retry.
 * Slots are leases that expire after `leaseMs`, so a crashed server never holds a slot for ever.
 */
export interface DispatchGate {
  acquire(subject: GateSubject, leaseMs: number): Promise<GateDecision>;
  release(subject: GateSubject): Promise<void>;
}

/** Extra publish attributes that do not come from headers. */
export interface PublishExtras {
  queueName?: string;
  scheduleId?: string;
  /** URL group (topic) name when the message fans out from a group. */
  topicName?: string;
  /** Endpoint name inside the URL group. */
  endpointName?: string;
}

export interface PublishResult {
  messageId: string;
  url?: string;
  deduplicated?: boolean;
}

/**
 * Accepts one message exactly as `POST /v2/publish/{destination}` does: parses the publish headers
 * (delay, retries, callbacks, deduplication, flow control, labels, forwarded headers, workflow
 * headers), stores the message and schedules it. Throws a `QStashHttpError` for invalid input.
 */
export type AcceptPublish = (
  destination: string,
  headers: Headers,
  body: Uint8Array,
  extras?: PublishExtras,
) => Promise<PublishResult>;

/** Route modules register their endpoints on the server's Hono app. */
export type RegisterRoutes = (
  app: Hono,
  deps: { context: ServerContext; acceptPublish: AcceptPublish },
) => void;

/** An endpoint of a URL group (QStash's older name for it is "topic"). */
export interface UrlGroupEndpoint {
  name?: string;
  url: string;
}

/**
 * The dispatch features the core mounts. Built in `local/qstash/dispatch/`, exported from its
 * `index.ts` as `createDispatchFeatures(context)`.
 */
export interface DispatchFeatures {
  gate: DispatchGate;
  /** Registers `/v2/queues*`, `/v2/enqueue/*`, `/v2/flowControl*`, `/v2/globalParallelism`, `/v2/schedules*`, `/v2/topics*`. */
  registerRoutes: RegisterRoutes;
  /** Endpoints of a URL group, or null when no group has that name. Used by publish to fan out. */
  resolveUrlGroup(name: string): Promise<UrlGroupEndpoint[] | null>;
  /** Starts the loop that fires due schedules through `acceptPublish`; safe with several servers on one Redis. */
  startScheduler(acceptPublish: AcceptPublish): { stop(): Promise<void> };
  /** Called when a message is accepted with a queue or flow-control key, so `waitListSize`/`lag` can be reported. */
  onMessageAccepted(subject: GateSubject): Promise<void>;
  /**
   * Called when a message leaves the system (delivered, failed for good, or cancelled). Call it for
   * messages with a queue, a flow-control key or a `scheduleId`; with `outcome` and `scheduleId` set,
   * the schedule's `lastScheduleStates` turns from IN_PROGRESS to SUCCESS or FAIL.
   */
  onMessageFinished(subject: GateSubject, outcome?: MessageOutcome): Promise<void>;
}
