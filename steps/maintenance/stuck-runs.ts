/**
 * Self-healing of stuck runs: finds running workflow runs of this app whose last step progress is
 * older than their workflow's `STUCK_AFTER_SECONDS`, and applies `STUCK_RUN_ACTION` once per run:
 * - `alert`: raise a `stuck-run` alert;
 * - `restart`: cancel the run, start a new one with the same initial payload and trigger options,
 *   and raise a `stuck-run-restarted` alert. Runs of workflows that have no trigger here (maintenance)
 *   are only alerted.
 *
 * "Progress" is the newest `createdAt` of the run's logged steps, or its creation time before the
 * first step. A step that keeps failing and retrying adds no progress, so a run retrying with backoff
 * for longer than its threshold counts as stuck too.
 */
import type { TriggerOptions, WorkflowRunLog } from "@upstash/workflow";
import type { Logger } from "../../shared/logger.js";
import { retryOptions } from "../../shared/reliability/index.js";
import { notifyTrigger, scanTrigger, sweepTrigger } from "../../workflows/launch.js";
import {
  AnalyzePayloadSchema,
  NotifyPayloadSchema,
  ScanPayloadSchema,
  SweepPayloadSchema,
  WORKFLOW_IDS,
} from "../../workflows/payloads.js";
import type { PipelineRuntime } from "../../workflows/runtime.js";
import { opsOf } from "./ops.js";
import { workflowIdOf } from "./record-failure.js";

/** Running runs read per pass at most. */
const MAX_RUNS_PER_PASS = 1000;
const PAGE_SIZE = 100;
/** Seconds a handled stuck run is remembered, so later passes do not act on it again. */
const HANDLED_TTL_SECONDS = 7 * 24 * 60 * 60;

export interface StuckRun {
  workflowRunId: string;
  workflowId: string;
  /** Seconds since the run's last progress. */
  idleSeconds: number;
  action: "alert" | "restart";
  /** Run started in its place, for `restart`. */
  newWorkflowRunId: string | null;
}

/** Epoch ms of the run's newest logged step, or its creation time. */
export function lastProgressAt(run: WorkflowRunLog): number {
  let latest = run.workflowRunCreatedAt;
  for (const group of run.steps) {
    if (group.type === "next") continue;
    for (const step of group.steps) if (step.createdAt > latest) latest = step.createdAt;
  }
  return latest;
}

function initialPayloadOf(run: WorkflowRunLog): unknown {
  for (const group of run.steps) {
    if (group.type === "next") continue;
    const initial = group.steps.find((step) => step.stepType === "Initial");
    if (initial === undefined) continue;
    const out = initial.out;
    if (typeof out !== "string") return out;
    return out === "" ? undefined : JSON.parse(out);
  }
  return undefined;
}

/** Builds the trigger that starts `workflowId` again with `payload`, or null for workflows not restarted here. */
async function restartTrigger(
  runtime: PipelineRuntime,
  workflowId: string,
  payload: unknown,
): Promise<TriggerOptions | null> {
  switch (workflowId) {
    case WORKFLOW_IDS.scan:
      return scanTrigger(runtime, ScanPayloadSchema.parse(payload));
    case WORKFLOW_IDS.sweep:
      return sweepTrigger(runtime, SweepPayloadSchema.parse(payload ?? {}));
    case WORKFLOW_IDS.notify:
      return notifyTrigger(runtime, NotifyPayloadSchema.parse(payload));
    case WORKFLOW_IDS.analyze:
      // Normally invoked by scan-repository. Started on its own, it still invokes notify-subscribers itself.
      return {
        url: runtime.workflowUrl(WORKFLOW_IDS.analyze),
        body: AnalyzePayloadSchema.parse(payload),
        ...retryOptions(runtime.config.retryPolicies.analyze),
        label: "analyze",
      };
    default:
      return null;
  }
}

async function listRunning(runtime: PipelineRuntime): Promise<WorkflowRunLog[]> {
  const prefix = runtime.workflowUrl("");
  const runs: WorkflowRunLog[] = [];
  let cursor: string | undefined;
  do {
    const page = await runtime.workflowClient.logs({
      filter: { state: "RUN_STARTED" },
      count: PAGE_SIZE,
      ...(cursor ? { cursor } : {}),
    });
    for (const run of page.runs) if (run.workflowUrl.startsWith(prefix)) runs.push(run);
    cursor = page.cursor || undefined;
  } while (cursor && runs.length < MAX_RUNS_PER_PASS);
  return runs;
}

/** Runs one stuck-run pass. `selfRunId` (the maintenance run doing the pass) is never acted on. */
export async function handleStuckRuns(
  runtime: PipelineRuntime,
  logger: Logger,
  selfRunId: string,
): Promise<StuckRun[]> {
  const ops = opsOf(runtime);
  const { stuckAfterSeconds, stuckRunAction } = runtime.config.maintenance;
  const now = runtime.now().getTime();
  const handled: StuckRun[] = [];
  const handledKey = (runId: string) => `${runtime.config.redis.keyPrefix}ops:stuck:${runId}`;

  for (const run of await listRunning(runtime)) {
    const workflowId = workflowIdOf(run.workflowUrl);
    const threshold = stuckAfterSeconds[workflowId];
    if (run.workflowRunId === selfRunId || threshold === undefined) continue;
    const idleMs = now - lastProgressAt(run);
    if (idleMs <= threshold * 1000) continue;
    const idleSeconds = Math.floor(idleMs / 1000);

    // Claimed before acting, so a retried step or an overlapping pass does not act twice.
    const claimed = await runtime.redis.set(handledKey(run.workflowRunId), stuckRunAction, {
      nx: true,
      ex: HANDLED_TTL_SECONDS,
    });
    if (claimed === null) continue;
    await ops.counters.add("stuck.detected");
    const context = {
      workflowRunId: run.workflowRunId,
      workflowId,
      idleSeconds,
      thresholdSeconds: threshold,
    };
    logger.warn("stuck workflow run detected", { ...context, action: stuckRunAction });

    const trigger =
      stuckRunAction === "restart" ? await buildTrigger(runtime, run, workflowId, logger) : null;
    if (trigger === null) {
      await ops.alerts.raise({
        code: "stuck-run",
        message: `workflow run ${run.workflowRunId} (${workflowId}) made no progress for ${idleSeconds} s (limit ${threshold} s)`,
        workflowRunId: run.workflowRunId,
        workflowId,
        details: { ...context, action: stuckRunAction },
      });
      handled.push({
        workflowRunId: run.workflowRunId,
        workflowId,
        idleSeconds,
        action: "alert",
        newWorkflowRunId: null,
      });
      continue;
    }

    try {
      const { cancelled } = await runtime.workflowClient.cancel({ ids: run.workflowRunId });
      if (cancelled === 0) {
        logger.info("stuck run ended before it was cancelled", context);
        continue;
      }
      const started = await runtime.workflowClient.trigger(trigger);
      await ops.counters.add("stuck.restarted");
      await ops.alerts.raise({
        code: "stuck-run-restarted",
        message: `workflow run ${run.workflowRunId} (${workflowId}) made no progress for ${idleSeconds} s; cancelled and restarted as ${started.workflowRunId}`,
        workflowRunId: run.workflowRunId,
        workflowId,
        details: { ...context, newWorkflowRunId: started.workflowRunId },
      });
      handled.push({
        workflowRunId: run.workflowRunId,
        workflowId,
        idleSeconds,
        action: "restart",
        newWorkflowRunId: started.workflowRunId,
      });
    } catch (error) {
      await ops.counters.add("stuck.restart-failed");
      await ops.alerts.raise({
        code: "stuck-run-restart-failed",
        message: `restarting stuck workflow run ${run.workflowRunId} (${workflowId}) failed: ${String(error)}`,
        workflowRunId: run.workflowRunId,
        workflowId,
        details: context,
      });
    }
  }
  return handled;
}

async function buildTrigger(
  runtime: PipelineRuntime,
  run: WorkflowRunLog,
  workflowId: string,
  logger: Logger,
): Promise<TriggerOptions | null> {
  try {
    return await restartTrigger(runtime, workflowId, initialPayloadOf(run));
  } catch (error) {
    // The stored payload no longer parses, or the log has none, so the caller alerts instead of restarting.
    logger.error("stuck run cannot be restarted from its payload", {
      workflowRunId: run.workflowRunId,
      workflowId,
      error,
    });
    return null;
  }
}
