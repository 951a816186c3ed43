/**
 * Workflow DLQ actions. Resume starts a new run that keeps the failed run's successful steps and
 * re-delivers the failed message. Restart starts a new run from the initial payload. Retrying the
 * failure function publishes the failure callback again.
 */
import { HEADER, headersFromMultiMap, WORKFLOW_PROTOCOL_VERSION } from "../../../shared/qstash/index.js";
import { publishFailureCallback } from "../callbacks.js";
import type { CoreContext } from "../context.js";
import type { FlowControlSettings } from "../contracts.js";
import { badRequest, notFound } from "../errors.js";
import { newMessageId, newRunId } from "../ids.js";
import type { DlqEntry } from "../store/dlq.js";
import type { StoredMessage } from "../store/message.js";
import type { WorkflowRun } from "./run.js";

export interface RunOverrides {
  retries?: number;
  flowControl?: FlowControlSettings;
}

export interface StartedRun {
  workflowRunId: string;
  workflowCreatedAt: number;
}

async function runOf(context: CoreContext, entry: DlqEntry): Promise<WorkflowRun> {
  const runId = entry.message.workflow?.runId;
  if (!runId) throw badRequest(`DLQ entry ${entry.dlqId} is not a workflow message`);
  const run = await context.runs.get(runId);
  if (!run) throw notFound(`workflow run ${runId} of DLQ entry ${entry.dlqId} not found`);
  return run;
}

function copyRun(run: WorkflowRun, runId: string, now: number, overrides: RunOverrides): WorkflowRun {
  const failureCallback = run.failureCallback && {
    url: run.failureCallback.url,
    headers: run.failureCallback.headers.map(([name, value]): [string, string] =>
      name.toLowerCase() === HEADER.workflowRunId.toLowerCase() ? [name, runId] : [name, value],
    ),
  };
  return {
    ...run,
    runId,
    state: "RUN_STARTED",
    createdAt: now,
    completedAt: undefined,
    response: undefined,
    dlqId: undefined,
    failureCallbackState: undefined,
    retries: overrides.retries ?? run.retries,
    flowControl: overrides.flowControl ?? run.flowControl,
    failureCallback,
  };
}

function freshMessage(
  message: StoredMessage,
  messageId: string,
  runId: string,
  now: number,
  overrides: RunOverrides,
): StoredMessage {
  return {
    ...message,
    messageId,
    maxRetries: overrides.retries ?? message.maxRetries,
    flowControl: overrides.flowControl ?? message.flowControl,
    notBefore: now,
    createdAt: now,
    retried: 0,
    state: "ACTIVE",
    errors: [],
    workflow: message.workflow ? { ...message.workflow, runId } : undefined,
  };
}

/** Resumes a failed run from the step that failed, under a new run id. */
export async function resumeRun(
  context: CoreContext,
  entry: DlqEntry,
  overrides: RunOverrides,
): Promise<StartedRun> {
  const run = await runOf(context, entry);
  const now = context.now();
  const runId = newRunId();
  const messageId = newMessageId();

  const logIndex = entry.message.workflow?.logIndex;
  const log = await context.runs.log(run.runId, logIndex ?? -1);
  // The re-delivered message owns the last copied entry, so the SDK's lazy fetch finds it by message id.
  const copied = log.map((item, index) =>
    logIndex !== undefined && index === logIndex ? { ...item, messageId, createdAt: now } : item,
  );
  const [first, ...rest] = copied;
  if (!first) throw badRequest(`workflow run ${run.runId} has no steps to resume from`);

  const resumed = copyRun(run, runId, now, overrides);
  await context.runs.create(resumed, first, { replace: false });
  for (const item of rest) await context.runs.append(runId, item);
  await context.messages.insert(freshMessage(entry.message, messageId, runId, now, overrides), now);
  await context.dlq.delete([entry.dlqId]);
  context.logger.info(
    { workflowRunId: runId, resumedFrom: run.runId, dlqId: entry.dlqId },
    "workflow run resumed",
  );
  return { workflowRunId: runId, workflowCreatedAt: now };
}

/** Restarts a failed run from its initial payload under a new run id. */
export async function restartRun(
  context: CoreContext,
  entry: DlqEntry,
  overrides: RunOverrides,
): Promise<StartedRun> {
  const run = await runOf(context, entry);
  const now = context.now();
  const runId = newRunId();
  const messageId = newMessageId();

  const restarted = copyRun(run, runId, now, overrides);
  restarted.initMessageId = messageId;
  await context.runs.create(
    restarted,
    { messageId, body: run.initialBody, callType: "step", createdAt: now },
    { replace: false },
  );

  const message: StoredMessage = {
    ...freshMessage(entry.message, messageId, runId, now, overrides),
    url: run.url,
    method: "POST",
    headers: [
      ...run.forwardHeaders,
      [HEADER.workflowSdkVersion, WORKFLOW_PROTOCOL_VERSION],
      [HEADER.contentType, "application/json"],
    ],
    body: run.initialBody,
    maxRetries: overrides.retries ?? run.retries,
    retryDelay: run.retryDelay,
    timeoutMs: run.timeoutMs,
    callback: undefined,
    failureCallback: undefined,
    workflow: { runId, kind: "init", logIndex: 0, detectTrigger: false },
  };

  await context.messages.insert(message, now);
  await context.dlq.delete([entry.dlqId]);
  context.logger.info(
    { workflowRunId: runId, restartedFrom: run.runId, dlqId: entry.dlqId },
    "workflow run restarted",
  );
  return { workflowRunId: runId, workflowCreatedAt: now };
}

/** Publishes the failure callback of a failed run again; only allowed after the callback failed. */
export async function retryFailureFunction(context: CoreContext, entry: DlqEntry): Promise<StartedRun> {
  const run = await runOf(context, entry);
  if (entry.failureCallbackState !== "CALLBACK_FAIL") {
    throw badRequest(
      `failure function of workflow run ${run.runId} cannot be retried: its state is ${entry.failureCallbackState ?? "not set"}, not CALLBACK_FAIL`,
    );
  }
  const result = {
    status: entry.responseStatus,
    headers: headersFromMultiMap(entry.responseHeader),
    body: Buffer.from(entry.responseBody, "base64"),
  };
  await context.dlq.update({ ...entry, failureCallbackState: "CALLBACK_INPROGRESS" });
  await publishFailureCallback(context, entry.message, result, entry.dlqId, run);
  return { workflowRunId: run.runId, workflowCreatedAt: run.createdAt };
}
