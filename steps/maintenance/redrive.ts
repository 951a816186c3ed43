/**
 * Automatic re-drive: resumes dead-lettered runs whose dependency has recovered, at a bounded rate.
 *
 * A run is re-driven when all of these hold:
 * - its record is `dead` (not re-driven, quarantined or deleted) and its failure tag names a
 *   dependency with a kind worth retrying: `transient`, `rate-limited` or `circuit-open`. Runs that
 *   died of `authentication` or `permanent` failures, or of errors without a tag, wait for an operator;
 * - that dependency's circuit breaker is `closed`, and it either changed state after the run died
 *   (it opened and closed again) or counts no failures in its current window;
 * - fewer than `REDRIVE_MAX_PER_TICK` runs of that dependency were resumed in this pass.
 *
 * The breaker's own `onTransition` hook fires only in the isolate that made the transition, so this
 * runs from the scheduled maintenance workflow instead and reads breaker state from Redis.
 * A half-open breaker closes on the next ordinary call to the dependency (a sweep or webhook scan),
 * not on a re-driven run, so a resumed run is never the probe that finds the dependency still down.
 *
 * The pass reads the `ops:redrive-pending` index, which holds only runs still `dead` with a
 * re-drivable kind, so re-driven, quarantined and deleted runs never crowd out new deaths.
 */

import type { Logger } from "../../shared/logger.js";
import { type BreakerSnapshot, listBreakers } from "../../shared/reliability/index.js";
import type { PipelineRuntime } from "../../workflows/runtime.js";
import { createDeadLetterActions } from "./dead-letters.js";
import { type DeadRun, REDRIVABLE_KINDS } from "./dead-run-store.js";
import { opsOf } from "./ops.js";

/**
 * Maximum ids read from the re-drive index per pass, oldest first. The rest wait for the next pass
 * and are reported under `waiting`. Each id costs about three Redis reads.
 */
const MAX_RECORDS_PER_PASS = 10_000;
const PAGE_SIZE = 200;
/** A record whose DLQ entry is still missing this long after the run died is marked `deleted`. */
const MISSING_ENTRY_GRACE_MS = 60 * 60 * 1000;
/** Key of `RedriveSummary.waiting` for runs the pass did not read because of `MAX_RECORDS_PER_PASS`. */
export const NOT_REACHED_KEY = "(not reached)";

export interface RedriveSummary {
  resumed: { workflowRunId: string; newWorkflowRunId: string; dependency: string }[];
  /**
   * Dependencies with dead runs that stayed in the DLQ this pass, with the reason and how many runs
   * wait. `NOT_REACHED_KEY` counts runs past `MAX_RECORDS_PER_PASS` that this pass did not read.
   */
  waiting: Record<string, string>;
}

function recovered(breaker: BreakerSnapshot | undefined, failedAt: number): boolean {
  // A dependency with no breaker record has had no guarded call since its state was last cleared.
  if (breaker === undefined) return true;
  if (breaker.state !== "closed") return false;
  // NOTE: with fewer than BREAKER_MINIMUM_REQUESTS calls per window the breaker never opens, so
  // "recovered" here only means "no failure counted in the current window", not that a call succeeded.
  return breaker.failures === 0 || (breaker.changedAt ?? 0) > failedAt;
}

/**
 * Reads the re-drive index in pages, oldest first, up to `MAX_RECORDS_PER_PASS` ids. The ids are
 * read before any run is resumed because resuming removes ids and would shift later offsets.
 */
async function readPendingIds(ops: ReturnType<typeof opsOf>): Promise<{ ids: string[]; total: number }> {
  const ids: string[] = [];
  while (ids.length < MAX_RECORDS_PER_PASS) {
    const page = await ops.deadRuns.listRedrivePendingIds(
      ids.length,
      Math.min(PAGE_SIZE, MAX_RECORDS_PER_PASS - ids.length),
    );
    ids.push(...page);
    if (page.length < PAGE_SIZE) break;
  }
  return { ids, total: await ops.deadRuns.countRedrivePending() };
}

/** Runs one re-drive pass. Errors on one run are logged and counted; the pass goes on with the next. */
export async function redriveRecoveredRuns(
  runtime: PipelineRuntime,
  logger: Logger,
): Promise<RedriveSummary> {
  const ops = opsOf(runtime);
  const actions = createDeadLetterActions(runtime);
  const limit = runtime.config.maintenance.redriveMaxPerTick;
  const breakers = new Map(
    (await listBreakers(runtime.redis, runtime.config.redis.keyPrefix)).map((breaker) => [
      breaker.name,
      breaker,
    ]),
  );
  const summary: RedriveSummary = { resumed: [], waiting: {} };
  const resumedPerDependency = new Map<string, number>();
  const waitingPerDependency = new Map<string, { reason: string; runs: number }>();
  const wait = (dependency: string, reason: string) => {
    const runs = (waitingPerDependency.get(dependency)?.runs ?? 0) + 1;
    waitingPerDependency.set(dependency, { reason, runs });
  };
  const now = runtime.now().getTime();

  const { ids, total } = await readPendingIds(ops);
  for (const id of ids) {
    const record = await ops.deadRuns.get(id);
    if (!isCandidate(record) || (await ops.deadRuns.isQuarantined(id))) {
      // The record expired or left the `dead` state without the index being updated.
      await ops.deadRuns.dropRedrivePending(id);
      continue;
    }
    const dependency = record.dependency;

    const breaker = breakers.get(dependency);
    if (!recovered(breaker, record.failedAt)) {
      wait(dependency, `circuit breaker is ${breaker?.state ?? "unknown"}`);
      continue;
    }
    if ((resumedPerDependency.get(dependency) ?? 0) >= limit) {
      wait(dependency, `re-drive limit of ${limit} per pass reached`);
      continue;
    }

    try {
      const letter = await findLetter(actions, runtime, record);
      if (letter === null) {
        await ops.counters.add("redrive.missing-dlq-entry");
        logger.warn("dead run has no DLQ entry", { workflowRunId: id, dependency });
        if (now - record.failedAt > MISSING_ENTRY_GRACE_MS) await ops.deadRuns.markDeleted(id, now);
        continue;
      }
      const started = await actions.resume(letter);
      resumedPerDependency.set(dependency, (resumedPerDependency.get(dependency) ?? 0) + 1);
      summary.resumed.push({ workflowRunId: id, newWorkflowRunId: started.workflowRunId, dependency });
      await ops.counters.add("redrive.resumed");
      await ops.counters.add(`redrive.resumed.${dependency}`);
      logger.info("dead run re-driven", {
        workflowRunId: id,
        newWorkflowRunId: started.workflowRunId,
        dependency,
      });
    } catch (error) {
      await ops.counters.add("redrive.failed");
      logger.error("dead run re-drive failed", { workflowRunId: id, dependency, error });
    }
  }

  for (const [dependency, { reason, runs }] of waitingPerDependency) {
    summary.waiting[dependency] = `${reason}; ${runs} dead runs wait`;
  }
  if (total > ids.length) {
    summary.waiting[NOT_REACHED_KEY] =
      `${total - ids.length} dead runs past the first ${ids.length} were not read this pass`;
    logger.warn("re-drive pass did not reach every dead run", { read: ids.length, total });
  }
  return summary;
}

function isCandidate(record: DeadRun | null): record is DeadRun & { dependency: string } {
  return (
    record !== null &&
    record.state === "dead" &&
    record.dependency !== null &&
    record.kind !== null &&
    REDRIVABLE_KINDS.has(record.kind)
  );
}

async function findLetter(
  actions: ReturnType<typeof createDeadLetterActions>,
  runtime: PipelineRuntime,
  record: DeadRun,
) {
  const { messages } = await runtime.workflowClient.dlq.list({
    filter: { workflowRunId: record.workflowRunId },
    count: 1,
  });
  const dlqId = messages[0]?.dlqId;
  return dlqId === undefined ? null : actions.find(dlqId);
}
