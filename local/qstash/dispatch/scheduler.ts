/**
 * The schedule loop: every poll it lists the schedules due at `context.now()`, claims each one with a
 * compare-and-set on its due time, and replays the stored request through the publish path.
 *
 * All state is in Redis, so a restarted server picks up where it stopped, and several servers on one
 * Redis fire each due time once. A schedule that fell due several times while no server ran fires
 * once, and its next fire is the cron's next time after now.
 */
import type { AcceptPublish, ServerContext } from "../contracts.js";
import { publishedMessageIds, publishToDestination, type ResolveUrlGroup } from "./publish-destination.js";
import type { ScheduleDefinition } from "./schedule-definition.js";
import type { ScheduleStore } from "./schedule-store.js";

export interface SchedulerOptions {
  /** Time between two looks for due schedules, in real milliseconds. Default 1000. */
  pollIntervalMs?: number;
  /** Maximum due schedules handled per poll. Default 100. */
  batchSize?: number;
}

export interface Scheduler {
  /** Fires every schedule due now; returns how many fires this caller claimed. */
  fireDueSchedules(): Promise<number>;
  /** Starts polling until `stop()` resolves. */
  start(): { stop(): Promise<void> };
}

export interface SchedulerDependencies {
  context: ServerContext;
  store: ScheduleStore;
  acceptPublish: AcceptPublish;
  resolveUrlGroup: ResolveUrlGroup;
}

export function createScheduler(
  dependencies: SchedulerDependencies,
  options: SchedulerOptions = {},
): Scheduler {
  const { context, store, acceptPublish } = dependencies;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const batchSize = options.batchSize ?? 100;
  if (!Number.isInteger(pollIntervalMs) || pollIntervalMs < 1) {
    throw new RangeError(`scheduler pollIntervalMs must be a positive integer, got ${pollIntervalMs}`);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`scheduler batchSize must be a positive integer, got ${batchSize}`);
  }
  const logger = context.logger.child({ module: "dispatch-scheduler" });

  async function publishScheduled(scheduleId: string, definition: ScheduleDefinition): Promise<string[]> {
    const outcome = await publishToDestination(
      acceptPublish,
      dependencies.resolveUrlGroup,
      definition.destination,
      new Headers(definition.publishHeaders),
      new Uint8Array(Buffer.from(definition.bodyBase64, "base64")),
      { scheduleId, queueName: definition.queueName },
    );
    if (outcome.kind === "unknownUrlGroup") {
      logger.warn({ scheduleId, urlGroup: definition.destination }, "schedule fired for a missing URL group");
    }
    return publishedMessageIds(outcome);
  }

  async function fireDueSchedules(): Promise<number> {
    const now = context.now();
    const due = await store.listDue(now, batchSize);
    let fired = 0;
    for (const entry of due) {
      const schedule = await store.get(entry.scheduleId);
      const cron = schedule?.definition.cron ?? "* * * * *";
      // A missing schedule still gets a claim attempt, which drops its stale due entry.
      if (!(await store.claim(entry, cron, now)) || schedule === null) continue;
      fired += 1;
      try {
        const messageIds = await publishScheduled(entry.scheduleId, schedule.definition);
        await store.recordFiredMessages(entry.scheduleId, messageIds);
        logger.info({ scheduleId: entry.scheduleId, dueAt: entry.dueAt, messageIds }, "schedule fired");
      } catch (error) {
        // The claim already moved the schedule to its next time, so a failing publish is not retried
        // until then, as a failed fire in QStash is not.
        logger.error(
          { scheduleId: entry.scheduleId, dueAt: entry.dueAt, err: error },
          "schedule fire failed",
        );
      }
    }
    return fired;
  }

  return {
    fireDueSchedules,
    start() {
      let stopped = false;
      let timer: NodeJS.Timeout | undefined;
      let running: Promise<void> = Promise.resolve();

      const poll = () => {
        running = fireDueSchedules()
          .then(() => undefined)
          .catch((error: unknown) => {
            logger.error({ err: error }, "schedule poll failed");
          })
          .finally(() => {
            if (!stopped) timer = setTimeout(poll, pollIntervalMs);
          });
      };
      logger.info({ pollIntervalMs }, "scheduler started");
      timer = setTimeout(poll, 0);

      return {
        async stop() {
          stopped = true;
          clearTimeout(timer);
          await running;
          logger.info("scheduler stopped");
        },
      };
    },
  };
}
