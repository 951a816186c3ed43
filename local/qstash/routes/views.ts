/**
 * JSON shapes of messages and DLQ entries as the QStash API returns them.
 */
import { headersToMultiMap } from "../../../shared/qstash/index.js";
import type { DlqEntry } from "../store/dlq.js";
import type { StoredMessage } from "../store/message.js";
import type { FilterSubject } from "./filters.js";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Returns `{body}` when the bytes are UTF-8 text, else `{bodyBase64}`, as QStash does. */
export function bodyFields(base64: string, field = "body"): Record<string, string> {
  if (base64.length === 0) return {};
  const bytes = Buffer.from(base64, "base64");
  try {
    return { [field]: strictUtf8.decode(bytes) };
  } catch {
    return { [`${field}Base64`]: base64 };
  }
}

export function messageView(message: StoredMessage) {
  const flowControl = message.flowControl;
  return {
    messageId: message.messageId,
    url: message.url,
    topicName: message.topicName,
    endpointName: message.endpointName,
    method: message.method,
    header: headersToMultiMap(message.headers),
    ...bodyFields(message.body),
    maxRetries: message.maxRetries,
    retryDelayExpression: message.retryDelay,
    notBefore: message.notBefore,
    createdAt: message.createdAt,
    callback: message.callback?.url,
    failureCallback: message.failureCallback?.url,
    queueName: message.queueName,
    scheduleId: message.scheduleId,
    callerIp: message.callerIp ?? "127.0.0.1",
    flowControlKey: flowControl?.key,
    parallelism: flowControl?.parallelism,
    rate: flowControl?.rate,
    period: flowControl ? flowControl.periodSeconds : undefined,
    label: message.labels[0],
    labels: message.labels.length > 0 ? message.labels : undefined,
    workflowRunId: message.workflow?.runId,
  };
}

export function messageSubject(message: StoredMessage): FilterSubject {
  return {
    url: message.url,
    labels: message.labels,
    time: message.createdAt,
    callerIp: message.callerIp ?? "127.0.0.1",
    flowControlKey: message.flowControl?.key,
    queueName: message.queueName,
    topicName: message.topicName,
    scheduleId: message.scheduleId,
    workflowRunId: message.workflow?.runId,
    messageId: message.messageId,
  };
}

export function dlqView(entry: DlqEntry, run?: { url: string; createdAt: number; failureCallback?: string }) {
  return {
    ...messageView(entry.message),
    dlqId: entry.dlqId,
    responseStatus: entry.responseStatus,
    responseHeader: entry.responseHeader,
    ...bodyFields(entry.responseBody, "responseBody"),
    errorMessage: entry.error,
    ...(run
      ? {
          workflowCreatedAt: run.createdAt,
          workflowUrl: run.url,
          failureCallback: run.failureCallback,
          failureCallbackInfo: entry.failureCallbackState
            ? {
                state: entry.failureCallbackState,
                responseStatus: entry.failureCallbackResponse?.status,
                responseBody: entry.failureCallbackResponse
                  ? Buffer.from(entry.failureCallbackResponse.body, "base64").toString("utf8")
                  : undefined,
                responseHeaders: entry.failureCallbackResponse?.headers,
              }
            : undefined,
        }
      : {}),
  };
}

export function dlqSubject(entry: DlqEntry): FilterSubject {
  return {
    ...messageSubject(entry.message),
    time: entry.failedAt,
    dlqId: entry.dlqId,
    responseStatus: entry.responseStatus,
    failureFunctionState: entry.failureCallbackState,
  };
}

/** Re-exported for routes that build multi-value header maps. */
export { headersToMultiMap };
