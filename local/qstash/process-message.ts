/**
 * Handles one claimed message: checks the dispatch gate, makes one delivery attempt, and applies the
 * outcome — done, retry later, or failed for good (DLQ, callbacks, workflow run failure).
 *
 * Outcome rules, as hosted QStash applies them:
 * - 2xx: delivered.
 * - 489 with `Upstash-NonRetryable-Error: true`: failed at once, no retries.
 * - 429 with a delay (`Retry-After` or `X-RateLimit-Reset*`): tried again after that delay without
 *   using up a retry, up to `MAX_DEFERRALS` times. The workflow SDK responds to `WorkflowRetryAfterError`
 *   this way, and the service that requested the delay is not failing.
 * - anything else (including timeouts and connection errors): retried while retries remain, after the
 *   response's `Retry-After` (or `X-RateLimit-Reset*`) if present, else the `Upstash-Retry-Delay`
 *   expression, else the default exponential backoff.
 *
 * NOTE: hosted QStash does not document whether a 429 with `Retry-After` counts as a retry; this
 * server follows the workflow SDK's contract for `WorkflowRetryAfterError`, that it does not.
 */
import { HEADER, headersToMultiMap, isNonRetryableResponse } from "../../shared/qstash/index.js";
import { publishCallback, publishFailureCallback } from "./callbacks.js";
import type { CoreContext } from "./context.js";
import type { MessageOutcome } from "./contracts.js";
import { type AttemptResult, buildRequest, sendRequest } from "./delivery.js";
import { parseRetryAfterMs } from "./durations.js";
import { type LeaseHeartbeat, startLeaseHeartbeat } from "./lease-heartbeat.js";
import { gateSubjectOf } from "./publish/accept.js";
import { compileRetryDelay, defaultRetryDelayMs, MAX_RETRY_DELAY_MS } from "./retry-delay.js";
import type { StoredMessage } from "./store/message.js";
import { failRun } from "./workflow/lifecycle.js";
import type { WorkflowRun } from "./workflow/run.js";
import { fireWaitTimeout } from "./workflow/waiters.js";

/** How many attempt errors a message keeps for the logs API. */
const MAX_KEPT_ERRORS = 5;
const RETRY_AFTER_HEADERS = [
  "Retry-After",
  "X-RateLimit-Reset",
  "X-RateLimit-Reset-Requests",
  "X-RateLimit-Reset-Tokens",
];

const REST_TRIGGER_ERROR = "trigger rest api is only usable with sdk versions after v1.0.0 major version";
const DETECT_TRIGGER_ERROR =
  "detected a non-workflow destination for trigger/invoke. make sure you are sending the request to the correct endpoint";

export interface ProcessOptions {
  token: string;
  leaseMs: number;
  closeSignal: AbortSignal;
}

/**
 * Deferrals allowed per message before a 429 counts as a failed attempt again, so an endpoint that
 * always requests a delay cannot keep a message for ever (at most about 100 days at one day each).
 */
const MAX_DEFERRALS = 100;

/** Returns the delay the response requested, in ms and capped at one day, or undefined when it requested none. */
function requestedDelayMs(result: AttemptResult, now: number): number | undefined {
  for (const name of RETRY_AFTER_HEADERS) {
    const value = result.headers.get(name);
    const delay = value === null ? undefined : parseRetryAfterMs(value, now);
    if (delay !== undefined) return Math.min(delay, MAX_RETRY_DELAY_MS);
  }
  return undefined;
}

function retryDelayMs(message: StoredMessage, result: AttemptResult, now: number): number {
  const requested = requestedDelayMs(result, now);
  if (requested !== undefined) return requested;
  if (message.retryDelay) return compileRetryDelay(message.retryDelay).delayMs(message.retried);
  return defaultRetryDelayMs(message.retried + 1);
}

function describeFailure(result: AttemptResult): string {
  if (result.error) return result.error;
  return `endpoint returned HTTP ${result.status}`;
}

/** Tells whether this message's final failure fails its workflow run. */
function failsRun(message: StoredMessage): boolean {
  const kind = message.workflow?.kind;
  return kind === "init" || kind === "step" || kind === "fromCallback";
}

async function onDelivered(
  context: CoreContext,
  message: StoredMessage,
  result: AttemptResult,
  token: string,
): Promise<MessageOutcome | undefined> {
  if (!(await context.messages.finish(message, token))) return undefined;
  await context.events.record(message, "DELIVERED", { responseStatus: result.status });
  context.logger.info(
    {
      messageId: message.messageId,
      workflowRunId: message.workflow?.runId,
      url: message.url,
      status: result.status,
      retried: message.retried,
    },
    "message delivered",
  );
  if (message.workflow?.kind === "failureCall") {
    await recordFailureCallbackState(context, message, "CALLBACK_SUCCESS", result);
  }
  await publishCallback(context, message, result);
  return "delivered";
}

async function recordFailureCallbackState(
  context: CoreContext,
  message: StoredMessage,
  state: string,
  result: AttemptResult,
): Promise<void> {
  const runId = message.workflow?.runId;
  const run = runId ? await context.runs.get(runId) : undefined;
  if (!run?.dlqId) return;
  await context.runs.save({ ...run, failureCallbackState: state });
  const entry = await context.dlq.get(run.dlqId);
  if (!entry) return;
  await context.dlq.update({
    ...entry,
    failureCallbackState: state,
    failureCallbackResponse: {
      status: result.status,
      body: Buffer.from(result.body).toString("base64"),
      headers: headersToMultiMap(result.headers),
    },
  });
}

async function onFailed(
  context: CoreContext,
  message: StoredMessage,
  result: AttemptResult,
  token: string,
  run: WorkflowRun | undefined,
  reason: string,
): Promise<MessageOutcome | undefined> {
  if (!(await context.messages.finish(message, token))) return undefined;
  const now = context.now();
  await context.events.record(message, "FAILED", { error: reason, responseStatus: result.status });
  const ids = { messageId: message.messageId, workflowRunId: message.workflow?.runId, url: message.url };

  if (message.workflow?.kind === "failureCall") {
    context.logger.error({ ...ids, error: reason }, "failure callback failed");
    await recordFailureCallbackState(context, message, "CALLBACK_FAIL", result);
    return "failed";
  }

  const dlqId = context.dlq.newId(now);
  const runFailure = failsRun(message) && run !== undefined;
  const hasFailureCallback = runFailure
    ? run.failureCallback !== undefined
    : message.failureCallback !== undefined;
  await context.dlq.insert({
    dlqId,
    message: { ...message, errors: message.errors },
    failedAt: now,
    responseStatus: result.status,
    responseHeader: headersToMultiMap(result.headers),
    responseBody: Buffer.from(result.body).toString("base64"),
    error: reason,
    failureCallbackState: runFailure && hasFailureCallback ? "CALLBACK_INPROGRESS" : undefined,
  });
  context.logger.error(
    { ...ids, dlqId, status: result.status, error: reason },
    "message failed and moved to the DLQ",
  );

  await publishCallback(context, message, result);
  if (runFailure) {
    await failRun(context, run.runId, {
      dlqId,
      failureCallbackState: hasFailureCallback ? "CALLBACK_INPROGRESS" : undefined,
    });
  }
  await publishFailureCallback(context, message, result, dlqId, runFailure ? run : undefined);
  return "failed";
}

async function onRetry(
  context: CoreContext,
  message: StoredMessage,
  result: AttemptResult,
  token: string,
  reason: string,
  options: { deferral?: boolean } = {},
) {
  const now = context.now();
  const delay = retryDelayMs(message, result, now);
  const next: StoredMessage = {
    ...message,
    retried: options.deferral ? message.retried : message.retried + 1,
    deferrals: options.deferral ? (message.deferrals ?? 0) + 1 : message.deferrals,
    state: "RETRY",
    errors: [
      ...message.errors,
      {
        time: now,
        status: result.status,
        error: reason,
        body: Buffer.from(result.body).toString("utf8"),
        headers: headersToMultiMap(result.headers),
      },
    ].slice(-MAX_KEPT_ERRORS),
  };
  if (!(await context.messages.finish(message, token, { message: next, dueAt: now + delay }))) return;
  await context.events.record(message, "ERROR", { error: reason, responseStatus: result.status });
  await context.events.record(next, "RETRY", { nextDeliveryTime: now + delay, time: now });
  context.logger.warn(
    {
      messageId: message.messageId,
      workflowRunId: message.workflow?.runId,
      url: message.url,
      status: result.status,
      error: reason,
      retried: next.retried,
      maxRetries: message.maxRetries,
      deferral: options.deferral === true,
      delayMs: delay,
    },
    options.deferral
      ? "delivery deferred by the endpoint, retrying without using a retry"
      : "delivery failed, retrying",
  );
}

/**
 * Processes one claimed message; `options.token` is the lease token it was claimed with. A heartbeat
 * renews the lease until processing ends, so an attempt may run longer than `options.leaseMs`.
 */
export async function processMessage(
  context: CoreContext,
  messageId: string,
  options: ProcessOptions,
): Promise<void> {
  const heartbeat = startLeaseHeartbeat(context, messageId, options.token, options.leaseMs);
  try {
    await processClaimed(context, messageId, options, heartbeat);
  } finally {
    await heartbeat.stop();
  }
}

async function processClaimed(
  context: CoreContext,
  messageId: string,
  options: ProcessOptions,
  heartbeat: LeaseHeartbeat,
): Promise<void> {
  const { token } = options;
  const message = await context.messages.get(messageId);
  if (!message) return;

  if (message.timer) {
    if (await context.messages.finish(message, token)) {
      await fireWaitTimeout(context, message.timer.runId, message.timer.eventId);
    }
    return;
  }

  const run = message.workflow ? await context.runs.get(message.workflow.runId) : undefined;
  if (message.workflow && message.workflow.kind !== "failureCall" && run?.state !== "RUN_STARTED") {
    // The run ended (finished, cancelled or failed) after this message was published.
    if (await context.messages.finish(message, token)) await context.events.record(message, "CANCELLED");
    return;
  }

  const subject = gateSubjectOf(message);
  const decision = await context.dispatch.gate.acquire(subject, options.leaseMs);
  if (!decision.granted) {
    await context.messages.release(messageId, token, decision.retryAt);
    return;
  }

  heartbeat.holdGate(subject);
  let result: AttemptResult;
  try {
    const timeoutMs = message.timeoutMs ?? context.settings.defaultTimeoutMs;
    const request = await buildRequest(context, message, run);
    context.logger.debug(
      { messageId, workflowRunId: message.workflow?.runId, url: message.url, retried: message.retried },
      "delivery attempt",
    );
    result = await sendRequest(request, timeoutMs, options.closeSignal);
  } finally {
    await heartbeat.releaseGate();
    await context.dispatch.gate.release(subject);
  }

  if (options.closeSignal.aborted) {
    // The server is closing: give the message back untouched so this or another server retries it.
    await context.messages.release(messageId, token, context.now());
    return;
  }

  let outcome: MessageOutcome | undefined;
  if (result.status >= 200 && result.status < 300) {
    const detect = message.workflow?.kind === "init" && message.workflow.detectTrigger;
    const unknownSdk = message.workflow?.unknownSdk === true;
    if (detect && unknownSdk && !result.headers.has(HEADER.workflowSdk)) {
      outcome = await onFailed(context, message, result, token, run, REST_TRIGGER_ERROR);
    } else if (detect && !unknownSdk && !result.headers.has(HEADER.workflowSdkVersion)) {
      outcome = await onFailed(context, message, result, token, run, DETECT_TRIGGER_ERROR);
    } else {
      outcome = await onDelivered(context, message, result, token);
    }
  } else if (isNonRetryableResponse(result.status, result.headers)) {
    outcome = await onFailed(
      context,
      message,
      result,
      token,
      run,
      `${describeFailure(result)} (non-retryable)`,
    );
  } else if (
    result.status === 429 &&
    (message.deferrals ?? 0) < MAX_DEFERRALS &&
    requestedDelayMs(result, context.now()) !== undefined
  ) {
    await onRetry(context, message, result, token, describeFailure(result), { deferral: true });
  } else if (message.retried < message.maxRetries) {
    await onRetry(context, message, result, token, describeFailure(result));
  } else {
    outcome = await onFailed(context, message, result, token, run, describeFailure(result));
  }
  if (outcome && (message.queueName || message.flowControl || message.scheduleId)) {
    await context.dispatch.onMessageFinished(subject, outcome);
  }
}
