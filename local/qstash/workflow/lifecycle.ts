/**
 * Ends of a workflow run: success (the SDK's `DELETE /v2/workflows/runs/{id}?cancel=false`), cancel,
 * and failure. Each end happens once per run; the invoking run, if any, then gets a step with the
 * child's result `{body, isFailed, isCanceled}`.
 */
import { HEADER, headersFromMultiMap } from "../../../shared/qstash/index.js";
import type { CoreContext } from "../context.js";
import type { WorkflowRun } from "./run.js";
import { clearRunWaiters } from "./waiters.js";

async function notifyInvoker(
  context: CoreContext,
  run: WorkflowRun,
  result: { body?: string; isFailed: boolean; isCanceled: boolean },
): Promise<void> {
  const invoker = run.invoker;
  if (!invoker) return;
  const headers = headersFromMultiMap(invoker.headers);
  headers.set(HEADER.contentType, "application/json");
  const step = { ...invoker.step, out: JSON.stringify(result) };
  try {
    await context.acceptPublish(invoker.workflowUrl, headers, Buffer.from(JSON.stringify(step), "utf8"));
  } catch (error) {
    // The invoking run may have ended meanwhile (cancelled, failed); its result then has nowhere to go.
    context.logger.warn(
      { workflowRunId: run.runId, invokerRunId: invoker.workflowRunId, err: error },
      "invoke result not delivered to invoking run",
    );
  }
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
  const run = await context.runs.end(runId, "RUN_SUCCESS", context.now(), { response });
  if (!run) return;
  context.logger.info({ workflowRunId: runId }, "workflow run finished");
  await dropPendingMessages(context, runId);
  await notifyInvoker(context, run, { body: response, isFailed: false, isCanceled: false });
}

/** Cancels a started run; returns false when it is missing or already ended. */
export async function cancelRun(context: CoreContext, runId: string): Promise<boolean> {
  const run = await context.runs.end(runId, "RUN_CANCELED", context.now());
  if (!run) return false;
  context.logger.info({ workflowRunId: runId }, "workflow run cancelled");
  await dropPendingMessages(context, runId);
  await notifyInvoker(context, run, { isFailed: false, isCanceled: true });
  return true;
}

/** Marks a run failed after one of its messages went to the DLQ. */
export async function failRun(
  context: CoreContext,
  runId: string,
  details: { dlqId: string; failureCallbackState?: string },
): Promise<void> {
  const run = await context.runs.end(runId, "RUN_FAILED", context.now(), details);
  if (!run) return;
  context.logger.warn({ workflowRunId: runId, dlqId: details.dlqId }, "workflow run failed");
  await dropPendingMessages(context, runId);
  await notifyInvoker(context, run, { isFailed: true, isCanceled: false });
}
