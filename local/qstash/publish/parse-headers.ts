/**
 * Parses the headers of a publish request (`/v2/publish`, each `/v2/batch` item, `/v2/enqueue`,
 * schedules) into a typed publish request. Invalid values raise a 400 `QStashHttpError` naming the
 * header; values over the server's quotas raise 412, as hosted QStash does.
 */
import {
  CALLBACK_PREFIX,
  type CallType,
  canonicalHeaderName,
  FAILURE_CALLBACK_PREFIX,
  FEATURE,
  FORWARD_PREFIX,
  HEADER,
  readBooleanHeader,
  readCallType,
  readFeatureSet,
  readLabels,
} from "../../../shared/qstash/index.js";
import type { FlowControlSettings } from "../contracts.js";
import { parseDurationMs, parseSecondsOrDurationMs } from "../durations.js";
import { badRequest, QStashHttpError } from "../errors.js";
import { compileRetryDelay } from "../retry-delay.js";
import type { CallbackTarget, HeaderList } from "../store/message.js";

/** Quotas a publish must stay within; a request above one is rejected with 412. */
export interface PublishLimits {
  maxRetries: number;
  maxDelayMs: number;
}

export interface WorkflowPublishInfo {
  runId: string;
  init: boolean;
  callType?: CallType;
  url?: string;
  /** The message starts a run invoked by another run (`context.invoke`). */
  invoke: boolean;
  /** The SDK re-triggers a run that was started through the REST trigger endpoint. */
  triggerBySdk: boolean;
  /** The run is started through `/v2/trigger`, so its first delivery makes the SDK re-trigger it. */
  unknownSdk: boolean;
  features: Set<string>;
}

export interface PublishRequest {
  method: string;
  /** Headers delivered to the destination. */
  deliveryHeaders: HeaderList;
  /** Undefined when the publish did not set `Upstash-Retries` (workflow steps inherit the run's). */
  retries?: number;
  retryDelay?: string;
  timeoutMs?: number;
  /** Epoch ms of the first attempt. */
  notBefore: number;
  callback?: CallbackTarget;
  failureCallback?: CallbackTarget;
  deduplicationId?: string;
  contentBasedDeduplication: boolean;
  flowControl?: FlowControlSettings;
  labels: string[];
  workflow?: WorkflowPublishInfo;
}

/** Copies the headers that start with `prefix` and renames them to start with `Upstash-` instead. */
function subHeaders(headers: Headers, prefix: string): HeaderList {
  const list: HeaderList = [];
  headers.forEach((value, name) => {
    if (name.toLowerCase().startsWith(prefix.toLowerCase()))
      list.push([`Upstash-${name.slice(prefix.length)}`, value]);
  });
  return list;
}

function parseRetries(value: string | null, limits: PublishLimits, header: string): number | undefined {
  if (value === null) return undefined;
  if (!/^\d+$/.test(value.trim()))
    throw badRequest(`invalid ${header} header "${value}": expected a non-negative integer`);
  const retries = Number(value);
  if (retries > limits.maxRetries) {
    throw new QStashHttpError(
      412,
      `${header} ${retries} exceeds the maximum of ${limits.maxRetries} retries`,
    );
  }
  return retries;
}

/** Parses `parallelism=N, rate=N, period=<duration>`; a bare period number means seconds. */
export function parseFlowControl(key: string | null, value: string | null): FlowControlSettings | undefined {
  if (key === null && value === null) return undefined;
  if (!key) throw badRequest(`${HEADER.flowControlValue} was set without ${HEADER.flowControlKey}`);
  const settings: FlowControlSettings = { key, periodSeconds: 1 };
  for (const part of (value ?? "").split(",")) {
    const item = part.trim();
    if (item.length === 0) continue;
    const [name, raw = ""] = item.split("=").map((text) => text.trim());
    if (name === "parallelism" || name === "rate") {
      if (!/^\d+$/.test(raw) || Number(raw) < 1) {
        throw badRequest(`invalid ${HEADER.flowControlValue} "${value}": ${name} must be a positive integer`);
      }
      settings[name] = Number(raw);
    } else if (name === "period") {
      const periodMs = parseSecondsOrDurationMs(raw);
      if (periodMs === undefined || periodMs <= 0) {
        throw badRequest(
          `invalid ${HEADER.flowControlValue} "${value}": period must be a duration such as 1s or 1m`,
        );
      }
      settings.periodSeconds = periodMs / 1000;
    } else {
      throw badRequest(`invalid ${HEADER.flowControlValue} "${value}": unknown setting "${name}"`);
    }
  }
  return settings;
}

/**
 * Methods a message may be delivered with. The same list as schedules accept (`dispatch/
 * schedule-definition.ts`), because a due schedule publishes through this parser.
 * NOTE: the `HTTPMethods` type of `@upstash/qstash` 2.12.0 lists only GET, POST, PUT, DELETE and
 * PATCH. Whether hosted QStash accepts HEAD and OPTIONS is not documented.
 */
const DELIVERY_METHODS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]);

function parseMethod(value: string | null): string {
  if (value === null) return "POST";
  const method = value.trim().toUpperCase();
  if (!DELIVERY_METHODS.has(method)) {
    throw badRequest(
      `invalid ${HEADER.method} header "${value}": expected one of ${[...DELIVERY_METHODS].join(", ")}`,
    );
  }
  return method;
}

function parseNotBefore(headers: Headers, now: number, limits: PublishLimits): number {
  const notBefore = headers.get(HEADER.notBefore);
  if (notBefore !== null) {
    if (!/^\d+$/.test(notBefore.trim())) {
      throw badRequest(
        `invalid ${HEADER.notBefore} header "${notBefore}": expected a unix timestamp in seconds`,
      );
    }
    const notBeforeMs = Number(notBefore) * 1000;
    // The same quota as Upstash-Delay, which also keeps the time within the range of a JS Date.
    if (notBeforeMs - now > limits.maxDelayMs) {
      throw new QStashHttpError(
        412,
        `${HEADER.notBefore} ${notBefore.trim()} is more than the maximum delay of ${limits.maxDelayMs / 1000}s in the future`,
      );
    }
    return notBeforeMs;
  }
  const delay = headers.get(HEADER.delay);
  if (delay === null) return now;
  const delayMs = parseDurationMs(delay);
  if (delayMs === undefined) {
    throw badRequest(
      `invalid ${HEADER.delay} header "${delay}": expected a duration such as 10s, 5m, 2h or 1d`,
    );
  }
  if (delayMs > limits.maxDelayMs) {
    throw new QStashHttpError(
      412,
      `${HEADER.delay} ${delay} exceeds the maximum delay of ${limits.maxDelayMs / 1000}s`,
    );
  }
  return now + delayMs;
}

function parseWorkflowInfo(headers: Headers): WorkflowPublishInfo | undefined {
  const runId = headers.get(HEADER.workflowRunId);
  if (!runId) return undefined;
  return {
    runId,
    init: readBooleanHeader(headers, HEADER.workflowInit),
    callType: readCallType(headers),
    url: headers.get(HEADER.workflowUrl) ?? undefined,
    invoke: readBooleanHeader(headers, HEADER.workflowInvoke),
    triggerBySdk: readBooleanHeader(headers, HEADER.workflowTriggerBySdk),
    unknownSdk: readBooleanHeader(headers, HEADER.workflowUnknownSdk),
    features: readFeatureSet(headers),
  };
}

/** Parses publish headers; `now` is epoch ms. Validates callback settings too, so bad ones fail now. */
export function parsePublishHeaders(headers: Headers, now: number, limits: PublishLimits): PublishRequest {
  const deliveryHeaders: HeaderList = [];
  headers.forEach((value, name) => {
    if (name.toLowerCase().startsWith(FORWARD_PREFIX.toLowerCase())) {
      deliveryHeaders.push([canonicalHeaderName(name.slice(FORWARD_PREFIX.length)), value]);
    }
  });
  const contentType = headers.get(HEADER.contentType);
  if (contentType !== null) deliveryHeaders.push([HEADER.contentType, contentType]);

  const retryDelay = headers.get(HEADER.retryDelay) ?? undefined;
  if (retryDelay !== undefined) compileRetryDelay(retryDelay);

  const timeout = headers.get(HEADER.timeout);
  const timeoutMs = timeout === null ? undefined : parseSecondsOrDurationMs(timeout);
  if (timeout !== null && (timeoutMs === undefined || timeoutMs <= 0)) {
    throw badRequest(
      `invalid ${HEADER.timeout} header "${timeout}": expected seconds or a duration such as 30s`,
    );
  }

  const callbackUrl = headers.get(HEADER.callback);
  const failureCallbackUrl = headers.get(HEADER.failureCallback);
  const request: PublishRequest = {
    method: parseMethod(headers.get(HEADER.method)),
    deliveryHeaders,
    retries: parseRetries(headers.get(HEADER.retries), limits, HEADER.retries),
    retryDelay,
    timeoutMs,
    notBefore: parseNotBefore(headers, now, limits),
    callback: callbackUrl
      ? { url: checkUrl(callbackUrl, HEADER.callback), headers: subHeaders(headers, CALLBACK_PREFIX) }
      : undefined,
    failureCallback: failureCallbackUrl
      ? {
          url: checkUrl(failureCallbackUrl, HEADER.failureCallback),
          headers: subHeaders(headers, FAILURE_CALLBACK_PREFIX),
        }
      : undefined,
    deduplicationId: headers.get(HEADER.deduplicationId) ?? undefined,
    contentBasedDeduplication: readBooleanHeader(headers, HEADER.contentBasedDeduplication),
    flowControl: parseFlowControl(headers.get(HEADER.flowControlKey), headers.get(HEADER.flowControlValue)),
    labels: readLabels(headers),
    workflow: parseWorkflowInfo(headers),
  };
  for (const target of [request.callback, request.failureCallback]) {
    if (target) parsePublishHeaders(new Headers(target.headers), now, limits);
  }
  return request;
}

/** Checks that `value` is an absolute http(s) URL; `field` names the header or path for the message. */
export function checkUrl(value: string, field: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw badRequest(`invalid ${field} "${value}": expected an absolute http or https URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw badRequest(`invalid ${field} "${value}": only http and https URLs are supported`);
  }
  return value;
}

/** Tells whether a workflow message's features ask the server to detect non-workflow endpoints. */
export function wantsTriggerDetection(info: WorkflowPublishInfo): boolean {
  return info.features.has(FEATURE.detectTrigger);
}
