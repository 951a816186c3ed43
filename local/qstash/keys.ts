/**
 * Redis key names of one server instance. Every key starts with the instance's prefix, so several
 * test suites or stacks can share one Redis without seeing each other's data.
 */
export interface RedisKeys {
  /** String: JSON of one stored message. */
  message(messageId: string): string;
  /** ZSET of message ids scored by the epoch ms at which they are due (or their lease expires). */
  due: string;
  /** String: token of the server process currently delivering the message; expires with the lease. */
  lease(messageId: string): string;
  /** Pub/sub channel that wakes schedulers when a message becomes due now. */
  wakeChannel: string;
  /** String: message id that claimed a deduplication id, expiring after the deduplication window. */
  dedup(deduplicationId: string): string;
  /** String: JSON of one workflow run. */
  run(runId: string): string;
  /** String: the run's state (`RUN_STARTED`...), kept apart from the record so scripts can check it. */
  runState(runId: string): string;
  /** List: the run's step log, one JSON entry per step. */
  runLog(runId: string): string;
  /** Set: ids of the run's messages that are still pending. */
  runMessages(runId: string): string;
  /** ZSET of run ids scored by creation time. */
  runs: string;
  /** String: JSON of a waiter of run `runId` on event `eventId`. */
  waiter(runId: string, eventId: string): string;
  /** Set: event ids the run has a waiter on. */
  runWaits(runId: string): string;
  /** Set: run ids waiting on `eventId`. */
  eventWaiters(eventId: string): string;
  /** List: events delivered to (runId, eventId) before anyone waited for them. */
  pendingEvents(runId: string, eventId: string): string;
  /** String: JSON of one dead-letter-queue entry. */
  dlqEntry(dlqId: string): string;
  /** ZSET of DLQ ids scored by the time they entered the DLQ. */
  dlq: string;
  /** List of message events, newest first. */
  events: string;
}

export function createRedisKeys(prefix: string): RedisKeys {
  return {
    message: (messageId) => `${prefix}msg:${messageId}`,
    due: `${prefix}due`,
    lease: (messageId) => `${prefix}lease:${messageId}`,
    wakeChannel: `${prefix}wake`,
    dedup: (deduplicationId) => `${prefix}dedup:${deduplicationId}`,
    run: (runId) => `${prefix}run:${runId}`,
    runState: (runId) => `${prefix}run:${runId}:state`,
    runLog: (runId) => `${prefix}run:${runId}:log`,
    runMessages: (runId) => `${prefix}run:${runId}:msgs`,
    runs: `${prefix}runs`,
    waiter: (runId, eventId) => `${prefix}waiter:${runId}:${eventId}`,
    runWaits: (runId) => `${prefix}run:${runId}:waits`,
    eventWaiters: (eventId) => `${prefix}waiters:${eventId}`,
    pendingEvents: (runId, eventId) => `${prefix}pending-events:${runId}:${eventId}`,
    dlqEntry: (dlqId) => `${prefix}dlq:${dlqId}`,
    dlq: `${prefix}dlq`,
    events: `${prefix}events`,
  };
}
