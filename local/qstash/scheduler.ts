/**
 * The delivery loop: claims due messages from Redis with a lease and processes them concurrently.
 *
 * The loop sleeps until the next due time, the poll interval, or a wake-up published on the wake
 * channel by any server sharing the Redis prefix (so a new message is delivered without waiting for
 * the next poll). Several schedulers on one Redis are safe: claiming is atomic (see MessageStore).
 */
import type { Redis } from "ioredis";
import type { CoreContext } from "./context.js";
import { newLeaseToken } from "./ids.js";
import { processMessage } from "./process-message.js";

export interface SchedulerOptions {
  /** Maximum sleep between two claims, in ms. */
  pollIntervalMs: number;
  /** Lease of a claimed message before another server may take it over, in ms. */
  leaseMs: number;
  /** Maximum messages processed at the same time by this server. */
  maxConcurrency: number;
}

export interface Scheduler {
  stop(): Promise<void>;
}

export function startScheduler(
  context: CoreContext,
  subscriber: Redis,
  options: SchedulerOptions,
): Scheduler {
  const token = newLeaseToken();
  const closing = new AbortController();
  const inFlight = new Set<Promise<void>>();
  let wakeUp: (() => void) | undefined;
  let woken = false;

  const wake = () => {
    woken = true;
    wakeUp?.();
  };
  subscriber.on("message", wake);
  void subscriber.subscribe(context.keys.wakeChannel).catch((error: unknown) => {
    context.logger.error({ err: error }, "wake channel subscription failed; falling back to polling");
  });

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (woken || closing.signal.aborted) {
        resolve();
        return;
      }
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });

  const runOne = (messageId: string) => {
    const task = processMessage(context, messageId, {
      token,
      leaseMs: options.leaseMs,
      closeSignal: closing.signal,
    })
      .catch((error: unknown) => {
        context.logger.error(
          { messageId, err: error },
          "message processing failed; it is retried when its lease expires",
        );
      })
      .finally(() => {
        inFlight.delete(task);
        wake();
      });
    inFlight.add(task);
  };

  const loop = async () => {
    while (!closing.signal.aborted) {
      woken = false;
      let claimed = 0;
      try {
        const capacity = options.maxConcurrency - inFlight.size;
        if (capacity > 0) {
          const ids = await context.messages.claimDue(capacity, options.leaseMs, token);
          claimed = ids.length;
          for (const id of ids) runOne(id);
        }
        if (claimed > 0 && claimed === capacity) continue;
        if (capacity <= 0) {
          // All slots are busy; a finishing delivery wakes the loop.
          await sleep(options.pollIntervalMs);
          continue;
        }
        const nextDue = await context.messages.nextDueAt();
        const untilDue = nextDue === undefined ? options.pollIntervalMs : nextDue - context.now();
        await sleep(Math.min(options.pollIntervalMs, untilDue));
      } catch (error) {
        if (closing.signal.aborted) break;
        context.logger.error(
          { err: error },
          "claiming due messages failed; retrying after the poll interval",
        );
        await sleep(options.pollIntervalMs);
      }
    }
  };
  const loopDone = loop();

  return {
    async stop() {
      closing.abort();
      wake();
      await loopDone;
      await Promise.allSettled([...inFlight]);
      subscriber.off("message", wake);
    },
  };
}
