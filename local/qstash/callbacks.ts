/**
 * Callback and failure-callback messages, with the JSON bodies QStash documents:
 * `{status, header, body, retried, maxRetries, sourceMessageId, url, method, sourceHeader,
 * sourceBody, notBefore, createdAt, ...}` plus `dlqId` (and the workflow run fields) for failures.
 */
import { HEADER, headersToMultiMap } from "../../shared/qstash/index.js";
import type { CoreContext } from "./context.js";
import type { AttemptResult } from "./delivery.js";
import { type CallbackTarget, type StoredMessage, toHeaders } from "./store/message.js";
import type { WorkflowRun } from "./workflow/run.js";

function sourceFields(message: StoredMessage, result: AttemptResult) {
  return {
    status: result.status,
    header: headersToMultiMap(result.headers),
    body: Buffer.from(result.body).toString("base64"),
    retried: message.retried,
    maxRetries: message.maxRetries,
    sourceMessageId: message.messageId,
    topicName: message.topicName,
    endpointName: message.endpointName,
    url: message.url,
    method: message.method,
    sourceHeader: headersToMultiMap(message.headers),
    sourceBody: message.body,
    notBefore: message.notBefore,
    createdAt: message.createdAt,
    scheduleId: message.scheduleId,
    callerIP: message.callerIp ?? "127.0.0.1",
  };
}

async function publishTo(
  context: CoreContext,
  target: CallbackTarget,
  body: object,
  ids: object,
): Promise<void> {
  const headers = toHeaders(target.headers);
  headers.set(HEADER.contentType, "application/json");
  try {
    await context.acceptPublish(target.url, headers, Buffer.from(JSON.stringify(body), "utf8"));
  } catch (error) {
    context.logger.error({ ...ids, url: target.url, err: error }, "callback message not published");
  }
}

/**
 * Publishes the callback of a message whose delivery ended (successfully or for good).
 * NOTE: failed attempts that are retried get no callback here; hosted QStash may send one per attempt.
 */
export async function publishCallback(
  context: CoreContext,
  message: StoredMessage,
  result: AttemptResult,
): Promise<void> {
  if (!message.callback) return;
  await publishTo(context, message.callback, sourceFields(message, result), {
    messageId: message.messageId,
    workflowRunId: message.workflow?.runId,
  });
}

/**
 * Publishes the failure callback of a message that ran out of retries. For a workflow run the target
 * comes from the run and `sourceBody` is the run's initial payload, which the failure function reads.
 */
export async function publishFailureCallback(
  context: CoreContext,
  message: StoredMessage,
  result: AttemptResult,
  dlqId: string,
  run: WorkflowRun | undefined,
): Promise<boolean> {
  const target = run ? run.failureCallback : message.failureCallback;
  if (!target) return false;
  const body = {
    ...sourceFields(message, result),
    dlqId,
    ...(run
      ? {
          workflowRunId: run.runId,
          workflowCreatedAt: run.createdAt,
          url: run.url,
          sourceBody: run.initialBody,
        }
      : {}),
  };
  await publishTo(context, target, body, { messageId: message.messageId, workflowRunId: run?.runId, dlqId });
  return true;
}
