/**
 * One delivery attempt: builds the outgoing request of a stored message (headers, signature and, for
 * workflow steps, the sliced step log), sends it with a timeout, and reports what came back.
 */
import { HEADER, type RawStep } from "../../shared/qstash/index.js";
import type { CoreContext } from "./context.js";
import { signDelivery } from "./signing.js";
import { type StoredMessage, toHeaders } from "./store/message.js";
import type { WorkflowRun } from "./workflow/run.js";

export interface OutgoingRequest {
  url: string;
  method: string;
  headers: Headers;
  body: Uint8Array;
}

export interface AttemptResult {
  /** HTTP status, or 0 when no response arrived (connection error or timeout). */
  status: number;
  headers: Headers;
  body: Uint8Array;
  /** Failure reason when no response arrived. */
  error?: string;
}

/**
 * Body of a workflow step delivery: the run's step log up to and including this message's entry,
 * never entries appended later, so a delayed parallel branch gets the log as it was when published.
 */
async function stepListBody(context: CoreContext, runId: string, logIndex: number): Promise<Uint8Array> {
  const entries = await context.runs.log(runId, logIndex);
  const rawSteps: RawStep[] = entries.map(({ messageId, body, callType }) => ({ messageId, body, callType }));
  const json = JSON.stringify(rawSteps);
  // Hosted QStash sends an empty body for large step lists; the SDK then fetches GET /v2/workflows/runs/{id}.
  if (Buffer.byteLength(json) > context.settings.lazyFetchThresholdBytes) return new Uint8Array();
  return Buffer.from(json, "utf8");
}

/** Headers that belong to one HTTP connection (RFC 9110 section 7.6.1) and are never forwarded. */
const HOP_BY_HOP_HEADERS = [
  "connection",
  "content-length",
  "host",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "expect",
] as const;

/** Builds the request for one attempt; `run` is the message's workflow run, when it has one. */
export async function buildRequest(
  context: CoreContext,
  message: StoredMessage,
  run: WorkflowRun | undefined,
): Promise<OutgoingRequest> {
  const headers = toHeaders(message.headers);
  // Connection-level headers describe the publisher's request, not this one. The workflow SDK forwards
  // all of a plain POST's headers (`Upstash-Forward-Content-Length` among them), and sending those back
  // with another body makes the receiver cut the request short.
  for (const name of HOP_BY_HOP_HEADERS) headers.delete(name);
  let body: Uint8Array = Buffer.from(message.body, "base64");
  const workflow = message.workflow;
  if (workflow && run) {
    if ((workflow.kind === "init" || workflow.kind === "step") && workflow.logIndex !== undefined) {
      body = await stepListBody(context, run.runId, workflow.logIndex);
      headers.set(HEADER.workflowCreatedAt, String(run.createdAt));
    }
    if (workflow.kind !== "toCallback") headers.set(HEADER.workflowRunId, run.runId);
    if (workflow.unknownSdk) {
      headers.set(HEADER.workflowUnknownSdk, "true");
      headers.delete(HEADER.workflowSdkVersion);
    }
  }
  headers.set(HEADER.userAgent, "Upstash-QStash");
  headers.set(HEADER.messageId, message.messageId);
  headers.set(HEADER.retried, String(message.retried));
  if (message.scheduleId) headers.set(HEADER.scheduleId, message.scheduleId);
  if (message.topicName) headers.set(HEADER.topicName, message.topicName);
  headers.set(HEADER.signature, await signDelivery(context.settings.currentSigningKey, message.url, body));
  return { url: message.url, method: message.method, headers, body };
}

/** Sends one request; resolves (never rejects) with the response or the network error. */
export async function sendRequest(
  request: OutgoingRequest,
  timeoutMs: number,
  closeSignal: AbortSignal,
): Promise<AttemptResult> {
  const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), closeSignal]);
  const canHaveBody = request.method !== "GET" && request.method !== "HEAD";
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: canHaveBody ? Buffer.from(request.body) : undefined,
      signal,
      redirect: "manual",
    });
    const body = new Uint8Array(await response.arrayBuffer());
    return { status: response.status, headers: response.headers, body };
  } catch (error) {
    const reason =
      error instanceof Error && error.name === "TimeoutError"
        ? `request timed out after ${timeoutMs} ms`
        : `request failed: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)}`;
    return { status: 0, headers: new Headers(), body: new Uint8Array(), error: reason };
  }
}
