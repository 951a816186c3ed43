/**
 * QStash and Upstash Workflow wire vocabulary: header names, step and call types, feature-set values
 * and special status codes, with typed helpers to read and write them.
 *
 * Values match what `@upstash/qstash` 2.12.0 and `@upstash/workflow` 1.3.3 send and expect. The
 * product app and the local QStash server both import from here, so a header name is spelled once.
 */
import { z } from "zod";

/** Header names. HTTP header names are case-insensitive; these are the spellings the SDKs write. */
export const HEADER = {
  authorization: "Authorization",
  contentType: "Content-Type",
  userAgent: "User-Agent",
  retryAfter: "Retry-After",

  method: "Upstash-Method",
  delay: "Upstash-Delay",
  notBefore: "Upstash-Not-Before",
  retries: "Upstash-Retries",
  retryDelay: "Upstash-Retry-Delay",
  timeout: "Upstash-Timeout",
  callback: "Upstash-Callback",
  failureCallback: "Upstash-Failure-Callback",
  deduplicationId: "Upstash-Deduplication-Id",
  contentBasedDeduplication: "Upstash-Content-Based-Deduplication",
  flowControlKey: "Upstash-Flow-Control-Key",
  flowControlValue: "Upstash-Flow-Control-Value",
  label: "Upstash-Label",
  redactFields: "Upstash-Redact-Fields",
  featureSet: "Upstash-Feature-Set",
  cron: "Upstash-Cron",
  scheduleId: "Upstash-Schedule-Id",
  queueName: "Upstash-Queue-Name",

  messageId: "Upstash-Message-Id",
  retried: "Upstash-Retried",
  signature: "Upstash-Signature",
  topicName: "Upstash-Topic-Name",
  callerIp: "Upstash-Caller-Ip",
  nonRetryableError: "Upstash-NonRetryable-Error",

  workflowRunId: "Upstash-Workflow-RunId",
  workflowInit: "Upstash-Workflow-Init",
  workflowUrl: "Upstash-Workflow-Url",
  workflowCreatedAt: "Upstash-Workflow-CreatedAt",
  workflowCallType: "Upstash-Workflow-CallType",
  workflowInvoke: "Upstash-Workflow-Invoke",
  workflowInvokeCount: "Upstash-Workflow-Invoke-Count",
  workflowIsFailure: "Upstash-Workflow-Is-Failure",
  workflowFailureCallback: "Upstash-Workflow-Failure-Callback",
  workflowSdkVersion: "Upstash-Workflow-Sdk-Version",
  workflowUnknownSdk: "Upstash-Workflow-Unknown-Sdk",
  workflowTriggerBySdk: "upstash-workflow-trigger-by-sdk",
  workflowSdk: "Upstash-Workflow-Sdk",
} as const;

/** Prefix of publish headers that are delivered to the destination with the prefix removed. */
export const FORWARD_PREFIX = "Upstash-Forward-";
/** Prefix of publish headers that configure the callback message. */
export const CALLBACK_PREFIX = "Upstash-Callback-";
/** Prefix of publish headers that configure the failure-callback message. */
export const FAILURE_CALLBACK_PREFIX = "Upstash-Failure-Callback-";
/** Prefix of every workflow header; run-level forwarded headers exclude names with this prefix. */
export const WORKFLOW_HEADER_PREFIX = "Upstash-Workflow-";

/** Workflow protocol version that the SDK sends in `Upstash-Workflow-Sdk-Version`. */
export const WORKFLOW_PROTOCOL_VERSION = "1";

/** Status a destination returns, with `Upstash-NonRetryable-Error: true`, to fail without retries. */
export const NON_RETRYABLE_STATUS = 489;
/** Status QStash returns when a publish exceeds a quota; the workflow SDK turns it into a 489. */
export const QUOTA_EXCEEDED_STATUS = 412;

/** QStash's default number of retries after the first delivery attempt. */
export const DEFAULT_RETRIES = 3;

export const STEP_TYPES = [
  "Initial",
  "Run",
  "SleepFor",
  "SleepUntil",
  "Call",
  "Wait",
  "Notify",
  "Invoke",
  "CreateWebhook",
  "WaitForWebhook",
] as const;
export type StepType = (typeof STEP_TYPES)[number];

/**
 * Role of a workflow message: an ordinary step, a `context.call` request to a third party
 * (`toCallback`), the callback that carries its response (`fromCallback`), or the failure callback.
 */
export const CALL_TYPES = ["step", "toCallback", "fromCallback", "failureCall"] as const;
export type CallType = (typeof CALL_TYPES)[number];

/** Values of `Upstash-Feature-Set` that change what the server does. */
export const FEATURE = {
  lazyFetch: "LazyFetch",
  initialBody: "InitialBody",
  detectTrigger: "WF_DetectTrigger",
  triggerOnConfig: "WF_TriggerOnConfig",
  noDelete: "WF_NoDelete",
} as const;
export type Feature = (typeof FEATURE)[keyof typeof FEATURE];

/** A workflow step as the SDK publishes it and reads it back; `out` is a JSON string. */
export const stepSchema = z.looseObject({
  stepId: z.number(),
  stepName: z.string(),
  stepType: z.enum(STEP_TYPES),
  out: z.unknown().optional(),
  sleepFor: z.union([z.number(), z.string()]).optional(),
  sleepUntil: z.number().optional(),
  concurrent: z.number(),
  targetStep: z.number().optional(),
  callUrl: z.string().optional(),
  callMethod: z.string().optional(),
  callBody: z.unknown().optional(),
  callHeaders: z.record(z.string(), z.string()).optional(),
  waitEventId: z.string().optional(),
  timeout: z.union([z.number(), z.string()]).optional(),
  waitTimeout: z.boolean().optional(),
});
export type Step = z.infer<typeof stepSchema>;

/** One element of the step list delivered to a workflow endpoint; `body` is base64. */
export const rawStepSchema = z.object({
  messageId: z.string(),
  body: z.string(),
  callType: z.enum(CALL_TYPES),
});
export type RawStep = z.infer<typeof rawStepSchema>;

/**
 * Converts a header name to the canonical MIME form QStash reports (`x-foo-bar` → `X-Foo-Bar`),
 * which is Go's `textproto.CanonicalMIMEHeaderKey` for names made of letters, digits and dashes.
 */
export function canonicalHeaderName(name: string): string {
  return name
    .toLowerCase()
    .split("-")
    .map((part) => (part.length === 0 ? part : part[0]!.toUpperCase() + part.slice(1)))
    .join("-");
}

/** Returns the headers whose name starts with `prefix` (any case), keyed by the rest of the name. */
export function readPrefixedHeaders(headers: Headers, prefix: string): Map<string, string> {
  const lowerPrefix = prefix.toLowerCase();
  const found = new Map<string, string>();
  headers.forEach((value, name) => {
    if (name.toLowerCase().startsWith(lowerPrefix)) found.set(name.slice(prefix.length), value);
  });
  return found;
}

/** Reads the comma-separated `Upstash-Feature-Set` header. */
export function readFeatureSet(headers: Headers): Set<string> {
  const value = headers.get(HEADER.featureSet) ?? "";
  return new Set(
    value
      .split(",")
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  );
}

/** Reads a header whose value must be `true` to switch something on. */
export function readBooleanHeader(headers: Headers, name: string): boolean {
  return headers.get(name)?.toLowerCase() === "true";
}

/** Reads `Upstash-Workflow-CallType`; an absent value means an ordinary step. */
export function readCallType(headers: Headers): CallType | undefined {
  const value = headers.get(HEADER.workflowCallType);
  if (value === null) return undefined;
  return (CALL_TYPES as readonly string[]).includes(value) ? (value as CallType) : undefined;
}

/** Reads the comma-separated `Upstash-Label` header. */
export function readLabels(headers: Headers): string[] {
  const value = headers.get(HEADER.label);
  if (!value) return [];
  return value
    .split(",")
    .map((label) => label.trim())
    .filter((label) => label.length > 0);
}

/** Tells whether a response requests failing without retries (status 489 plus the header). */
export function isNonRetryableResponse(status: number, headers: Headers): boolean {
  return status === NON_RETRYABLE_STATUS && readBooleanHeader(headers, HEADER.nonRetryableError);
}

/**
 * Turns `{Name: [value]}` header maps, the shape QStash uses in JSON bodies, into `Headers`. When two
 * keys differ only in case (the workflow SDK sends both `Upstash-Workflow-RunId` and `-Runid`), the
 * later key replaces the earlier one instead of joining both values.
 */
export function headersFromMultiMap(map: Record<string, string[] | string>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(map)) {
    headers.delete(name);
    const values = Array.isArray(value) ? value : [value];
    for (const item of values) headers.append(name, item);
  }
  return headers;
}

/** Turns headers into the `{Canonical-Name: [value]}` shape QStash uses in JSON bodies. */
export function headersToMultiMap(headers: Headers | Iterable<[string, string]>): Record<string, string[]> {
  const map: Record<string, string[]> = {};
  const entries = headers instanceof Headers ? headers.entries() : headers;
  for (const [name, value] of entries) {
    const key = canonicalHeaderName(name);
    const list = map[key] ?? [];
    list.push(value);
    map[key] = list;
  }
  return map;
}
