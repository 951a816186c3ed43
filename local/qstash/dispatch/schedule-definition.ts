/**
 * Turns a `POST /v2/schedules/{destination}` request into the stored schedule definition, and the
 * definition back into the API's schedule shape.
 */
import { z } from "zod";
import { parseCron } from "./cron.js";
import { parseDurationSeconds } from "./duration.js";
import { parseFlowControlValue } from "./flow-control-value.js";
import { isUrlDestination, parseHttpUrl } from "./http.js";
import { QUEUE_NAME_PATTERN } from "./queue-store.js";
import { URL_GROUP_NAME_PATTERN } from "./url-group-store.js";

/** Schedule ids a caller may choose with `Upstash-Schedule-Id`. */
export const SCHEDULE_ID_PATTERN = /^[A-Za-z0-9._-]{1,256}$/;

const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;

/** Default number of retries after the first delivery attempt, as in QStash. */
export const DEFAULT_RETRIES = 3;

export const scheduleDefinitionSchema = z.object({
  cron: z.string(),
  destination: z.string(),
  method: z.string(),
  /** `Upstash-*` and `Content-Type` request headers, replayed to the publish path at every fire. */
  publishHeaders: z.array(z.tuple([z.string(), z.string()])),
  /** Request body, base64. */
  bodyBase64: z.string(),
  retries: z.number(),
  /** Seconds. */
  delay: z.number().optional(),
  callback: z.string().optional(),
  failureCallback: z.string().optional(),
  queueName: z.string().optional(),
  flowControlKey: z.string().optional(),
  parallelism: z.number().optional(),
  rate: z.number().optional(),
  /** Seconds. */
  period: z.number().optional(),
  retryDelayExpression: z.string().optional(),
  labels: z.array(z.string()).optional(),
});

export type ScheduleDefinition = z.infer<typeof scheduleDefinitionSchema>;

export type DefinitionResult = { ok: true; definition: ScheduleDefinition } | { ok: false; message: string };

/** Headers that configure the schedule itself and are not replayed at each fire. */
const SCHEDULE_ONLY_HEADERS = new Set(["upstash-cron", "upstash-schedule-id", "upstash-queue-name"]);

/**
 * Validates the schedule request: cron, destination, method, retries, delay, queue name and flow
 * control. The publish path validates the remaining publish headers at each fire.
 */
export function parseScheduleRequest(
  destination: string,
  headers: Headers,
  body: Uint8Array,
): DefinitionResult {
  const cronHeader = headers.get("upstash-cron");
  if (cronHeader === null || cronHeader.trim() === "") {
    return { ok: false, message: "missing Upstash-Cron header: set a 5-field cron expression" };
  }
  let cron: string;
  try {
    cron = parseCron(cronHeader).expression;
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }

  if (
    isUrlDestination(destination)
      ? parseHttpUrl(destination) === null
      : !URL_GROUP_NAME_PATTERN.test(destination)
  ) {
    return {
      ok: false,
      message: `invalid destination "${destination}": expected an http(s) URL or a URL group name`,
    };
  }

  const method = (headers.get("upstash-method") ?? "POST").toUpperCase();
  if (!(HTTP_METHODS as readonly string[]).includes(method)) {
    return {
      ok: false,
      message: `invalid Upstash-Method "${method}": expected one of ${HTTP_METHODS.join(", ")}`,
    };
  }

  const retriesHeader = headers.get("upstash-retries");
  if (retriesHeader !== null && !/^\d+$/.test(retriesHeader.trim())) {
    return {
      ok: false,
      message: `invalid Upstash-Retries "${retriesHeader}": expected a non-negative integer`,
    };
  }

  const delayHeader = headers.get("upstash-delay");
  const delay = delayHeader === null ? undefined : parseDurationSeconds(delayHeader);
  if (delay === null) {
    return {
      ok: false,
      message: `invalid Upstash-Delay "${delayHeader}": expected a duration such as 10s or 1h30m`,
    };
  }

  const queueName = headers.get("upstash-queue-name") ?? undefined;
  if (queueName !== undefined && !QUEUE_NAME_PATTERN.test(queueName)) {
    return {
      ok: false,
      message: `invalid Upstash-Queue-Name "${queueName}": use letters, digits, "-", "_" and "."`,
    };
  }

  const flowControlKey = headers.get("upstash-flow-control-key") ?? undefined;
  const flowControlValue = headers.get("upstash-flow-control-value") ?? undefined;
  if ((flowControlKey === undefined) !== (flowControlValue === undefined)) {
    return {
      ok: false,
      message: "Upstash-Flow-Control-Key and Upstash-Flow-Control-Value must be set together",
    };
  }
  let flowControl: ReturnType<typeof parseFlowControlValue> | undefined;
  if (flowControlValue !== undefined) {
    try {
      flowControl = parseFlowControlValue(flowControlValue);
    } catch (error) {
      return { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
  }

  const labels = headers
    .get("upstash-label")
    ?.split(",")
    .map((label) => label.trim())
    .filter((label) => label !== "");

  const publishHeaders: [string, string][] = [];
  headers.forEach((value, name) => {
    const lower = name.toLowerCase();
    if (SCHEDULE_ONLY_HEADERS.has(lower)) return;
    if (lower.startsWith("upstash-") || lower === "content-type") publishHeaders.push([lower, value]);
  });

  return {
    ok: true,
    definition: {
      cron,
      destination,
      method,
      publishHeaders,
      bodyBase64: Buffer.from(body).toString("base64"),
      retries: retriesHeader === null ? DEFAULT_RETRIES : Number(retriesHeader.trim()),
      delay,
      callback: headers.get("upstash-callback") ?? undefined,
      failureCallback: headers.get("upstash-failure-callback") ?? undefined,
      queueName,
      flowControlKey,
      parallelism: flowControl?.parallelism,
      rate: flowControl?.rate,
      period: flowControl === undefined ? undefined : flowControl.periodSeconds,
      retryDelayExpression: headers.get("upstash-retry-delay") ?? undefined,
      labels: labels === undefined || labels.length === 0 ? undefined : labels,
    },
  };
}

/** Writes a header name in Go's canonical form (`test-header` → `Test-Header`), as QStash returns them. */
export function canonicalHeaderName(name: string): string {
  return name
    .toLowerCase()
    .split("-")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("-");
}

/** Lists the headers delivered to the destination: forwarded headers without their prefix, and Content-Type. */
export function deliveredHeaderMap(publishHeaders: [string, string][]): Record<string, string[]> {
  const header: Record<string, string[]> = {};
  const forwardPrefix = "upstash-forward-";
  for (const [name, value] of publishHeaders) {
    let deliveredName: string | undefined;
    if (name === "content-type") deliveredName = "Content-Type";
    else if (name.startsWith(forwardPrefix))
      deliveredName = canonicalHeaderName(name.slice(forwardPrefix.length));
    if (deliveredName === undefined) continue;
    header[deliveredName] = [...(header[deliveredName] ?? []), value];
  }
  return header;
}

/** The body as the API returns it: `body` when it is valid UTF-8, else `bodyBase64`; nothing when empty. */
export function bodyFields(bodyBase64: string): { body?: string; bodyBase64?: string } {
  if (bodyBase64 === "") return {};
  const bytes = Buffer.from(bodyBase64, "base64");
  try {
    return { body: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
  } catch {
    return { bodyBase64 };
  }
}
