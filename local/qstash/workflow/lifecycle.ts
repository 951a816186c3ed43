/**
 * Ends of a workflow run: success (the SDK's `DELETE /v2/workflows/runs/{id}?cancel=false`), cancel,
 * and failure. Each end happens once per run; the invoking run, if any, gets a step with the child's
 * result `{body, isFailed, isCanceled}`.
 *
 * The invoking run gets that step before the run is marked ended. If the server stops in between
 * (a restart closes Redis under a running request, or the process dies), the run is still started,
 * so the retried delivery or `DELETE` ends it again. The other order would leave the invoking run
 * waiting for ever, because a retry finds the run ended and does nothing.
 */
import { HEADER, headersFromMultiMap } from "../../../shared/qstash/index.js";
import type { CoreContext } from "../context.js";
import { QStashHttpError } from "../errors.js";
import type { RunState, WorkflowRun } from "./run.js";
import { clearRunWaiters } from "./waiters.js";

interface InvokeResult {
  body?: string;
  isFailed: boolean;
  isCanceled: boolean;
}

/**
 * Publishes the invoke result to the invoking run. The deduplication id makes a repeat within the
 * deduplication window (10 minutes) a no-op, so ending a run again after a stop sends one result.
 * Throws on any failure other than a rejection by the server's own checks, so that the run is not
 * marked ended while its invoker still waits.
 */
async function notifyInvoker(context: CoreContext, run: WorkflowRun, result: InvokeResult): Promise<void> {
  const invoker = run.invoker;
  if (!invoker) return;
  const headers = headersFromMultiMap(invoker.headers);
  headers.set(HEADER.contentType, "application/json");
  headers.set(HEADER.deduplicationId, `invoke-result-${run.runId}`);
  const step = { ...invoker.step, out: JSON.stringify(result) };
  try {
    await context.acceptPublish(invoker.workflowUrl, headers, Buffer.from(JSON.stringify(step), "utf8"));
  } catch (error) {
    if (!(error instanceof QStashHttpError)) throw error;
    // The invoking run ended meanwhile (cancelled, failed), so its result has nowhere to go.
    context.logger.warn(
      { workflowRunId: run.runId, invokerRunId: invoker.workflowRunId, err: error },
      "invoke result not delivered to invoking run",
    );
  }
}

/**
 * Notifies the invoker, then marks a started run ended. Returns the ended run, or undefined when the
 * run is unknown or already ended (by this call's caller or a concurrent one).
 * NOTE: two concurrent ends with different outcomes (success and failure) both notify the invoker,
 * the deduplication id lets only the first through, and the run keeps whichever `end` won.
 */
async function endRun(
  context: CoreContext,
  runId: string,
  state: Exclude<RunState, "RUN_STARTED">,
  result: InvokeResult,
  changes: Partial<WorkflowRun> = {},
): Promise<WorkflowRun | undefined> {
  const run = await context.runs.get(runId);
  if (run?.state !== "RUN_STARTED") return undefined;
  await notifyInvoker(context, run, result);
  return await context.runs.end(runId, state, context.now(), changes);
}

/** Drops every pending message of a run, except its failure callback. */
async function dropPendingMessages(context: CoreContext, runId: string): Promise<void> {
  const ids = await context.runs.pendingMessageIds(runId);
  const messages = await context.messages.getMany(ids);
  for (const message of messages) {
    if (message.workflow?.kind === "failureCall") continue;
    if (await context.messages.cancel(message)) await context.events.record(message, "CANCELLED");
  }
  await clearRunWaiters(context, runId);
}

/** Marks a run successful with the endpoint's response body; repeated or unknown runs are a no-op. */
export async function finishRun(
  context: CoreContext,
  runId: string,
  response: string | undefined,
): Promise<void> {
  const result = { body: response, isFailed: false, isCanceled: false };
  const run = await endRun(context, runId, "RUN_SUCCESS", result, { response });
  if (!run) return;
  context.logger.info({ workflowRunId: runId }, "workflow run finished");
  await dropPendingMessages(context, runId);
}

/** Cancels a started run; returns false when it is missing or already ended. */
export async function cancelRun(context: CoreContext, runId: string): Promise<boolean> {
  const run = await endRun(context, runId, "RUN_CANCELED", { isFailed: false, isCanceled: true });
  if (!run) return false;
  context.logger.info({ workflowRunId: runId }, "workflow run cancelled");
  await dropPendingMessages(context, runId);
  return true;
}

/** Marks a run failed after one of its messages went to the DLQ. */
export async function failRun(
  context: CoreContext,
  runId: string,
  details: { dlqId: string; failureCallbackState?: string },
): Promise<void> {
  const run = await endRun(context, runId, "RUN_FAILED", { isFailed: true, isCanceled: false }, details);
  if (!run) return;
  context.logger.warn({ workflowRunId: runId, dlqId: details.dlqId }, "workflow run failed");
  await dropPendingMessages(context, runId);
}
