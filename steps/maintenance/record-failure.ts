/**
 * The body of every workflow's failure function: records why the run died, and quarantines it with
 * an alert when it was already a re-driven run, so the maintenance workflow never resumes it again.
 */
import { readFailureTag } from "../../shared/reliability/index.js";
import type { PipelineRuntime } from "../../workflows/runtime.js";
import type { DeadRun } from "./dead-run-store.js";
import { opsOf } from "./ops.js";

/**
 * Seconds after an authentication alert for a dependency during which further authentication deaths
 * on it are only counted (`dead.authentication.{dependency}`), so an expired token raises one alert
 * per hour rather than one per run.
 */
export const AUTHENTICATION_ALERT_INTERVAL_SECONDS = 60 * 60;

/** Header the workflow SDK (1.3.3) sets on a failed step's response, naming the step that threw. */
const ERROR_STEP_NAME_HEADER = "upstash-error-step-name";

/** Failure-function input, reduced to the fields this module reads. */
export interface FailedRun {
  workflowRunId: string;
  /** URL of the failed workflow; its last path segment is the workflow id. */
  workflowUrl: string;
  labels: readonly string[];
  failStatus: number;
  failResponse: string;
  failHeaders: Record<string, string[]>;
  failStack: string;
}

/** Returns the last path segment of a workflow URL, e.g. `scan-repository`. */
export function workflowIdOf(workflowUrl: string): string {
  try {
    return new URL(workflowUrl).pathname.split("/").filter(Boolean).at(-1) ?? "";
  } catch {
    return "";
  }
}

function headerValue(headers: Record<string, string[]>, name: string): string | null {
  for (const [key, values] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return values[0] ?? null;
  }
  return null;
}

/** Records the dead run and returns its stored record. Throws when Redis fails, so QStash retries the callback. */
export async function recordFailedRun(runtime: PipelineRuntime, failed: FailedRun): Promise<DeadRun> {
  const ops = opsOf(runtime);
  const tag = readFailureTag(failed.failResponse) ?? readFailureTag(failed.failStack);
  const workflowId = workflowIdOf(failed.workflowUrl);
  const logger = runtime.logger.child({ workflowRunId: failed.workflowRunId, workflowId });

  const result = await ops.deadRuns.recordDeath({
    workflowRunId: failed.workflowRunId,
    workflowId,
    labels: [...failed.labels],
    dependency: tag?.dependency ?? null,
    kind: tag?.kind ?? null,
    failStatus: failed.failStatus,
    failResponse: failed.failResponse,
    stepName: headerValue(failed.failHeaders, ERROR_STEP_NAME_HEADER),
    failedAt: runtime.now().getTime(),
  });
  await ops.counters.add("dead.recorded");
  if (tag) await ops.counters.add(`dead.recorded.${tag.dependency}`);
  logger.warn("workflow run dead-lettered", {
    dependency: result.record.dependency,
    kind: result.record.kind,
    failStatus: failed.failStatus,
    step: result.record.stepName,
    redriveOf: result.record.redriveOf,
  });

  if (result.newlyQuarantined) await raiseQuarantineAlert(runtime, result.record);
  if (result.record.kind === "authentication" && result.record.dependency !== null) {
    await raiseAuthenticationAlert(runtime, result.record, result.record.dependency);
  }
  return result.record;
}

/**
 * Counts a run that died because a dependency rejected our credentials, and alerts at most once per
 * dependency per `AUTHENTICATION_ALERT_INTERVAL_SECONDS`: the re-drive never retries such runs, so
 * an operator has to replace the credentials and resume them.
 */
async function raiseAuthenticationAlert(
  runtime: PipelineRuntime,
  record: DeadRun,
  dependency: string,
): Promise<void> {
  const ops = opsOf(runtime);
  await ops.counters.add(`dead.authentication.${dependency}`);
  const throttleKey = `${runtime.config.redis.keyPrefix}ops:authentication-alerted:${dependency}`;
  const first = await runtime.redis.set(throttleKey, record.workflowRunId, {
    nx: true,
    ex: AUTHENTICATION_ALERT_INTERVAL_SECONDS,
  });
  if (first === null) {
    await ops.counters.add("alerts.suppressed.dependency-authentication-failed");
    return;
  }
  const deaths = (await ops.counters.read())[`dead.authentication.${dependency}`] ?? 1;
  await ops.alerts.raise({
    code: "dependency-authentication-failed",
    message: `${dependency} rejected our credentials, so workflow run ${record.workflowRunId} (${record.workflowId}) died and will not be re-driven automatically; replace the ${dependency} credentials, then resume the run with npm run dlq. Further such deaths on ${dependency} within ${AUTHENTICATION_ALERT_INTERVAL_SECONDS / 60} minutes are counted in dead.authentication.${dependency} without an alert.`,
    workflowRunId: record.workflowRunId,
    workflowId: record.workflowId,
    dependency,
    details: {
      failStatus: record.failStatus,
      failResponse: record.failResponse,
      authenticationDeathsTotal: deaths,
    },
  });
}

/** Counts and alerts one newly quarantined run. */
export async function raiseQuarantineAlert(runtime: PipelineRuntime, record: DeadRun): Promise<void> {
  const ops = opsOf(runtime);
  await ops.counters.add("quarantine.added");
  await ops.alerts.raise({
    code: "run-quarantined",
    message: `workflow run ${record.workflowRunId} (${record.workflowId}) failed again after re-drive from ${record.redriveOf}; it is quarantined and will not be resumed automatically`,
    workflowRunId: record.workflowRunId,
    workflowId: record.workflowId,
    dependency: record.dependency,
    details: {
      redriveOf: record.redriveOf,
      redriveCount: record.redriveCount,
      failStatus: record.failStatus,
      failResponse: record.failResponse,
    },
  });
}
