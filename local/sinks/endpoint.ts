/**
 * The request path shared by the three channel stand-ins. It reads the request, applies an injected
 * fault, lets the channel validate the request and build the response, then records the attempt.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Logger } from "pino";
import type { FaultInjector } from "./faults.js";
import type { SinkRecorder } from "./recorder.js";
import type { SinkAttempt, SinkChannel } from "./types.js";

/** A request to a channel endpoint, read once. */
export interface ChannelRequest {
  method: string;
  path: string;
  /** Route parameters, e.g. `{ name: "alerts" }` for `/webhooks/:name`. */
  params: Record<string, string>;
  /** Headers with lower-case names. */
  headers: Record<string, string>;
  /** Raw body as UTF-8 text. */
  body: string;
}

/** Response of a channel endpoint. */
export interface ChannelResponse {
  status: number;
  contentType: "application/json" | "text/plain";
  body: string;
  headers?: Record<string, string>;
}

/** A channel's verdict on a request that was not faulted. */
export interface ChannelResult {
  outcome: "delivered" | "replayed" | "rejected";
  target: string;
  response: ChannelResponse;
  /** Error code for a rejected request, as the real service names it. */
  error?: string;
  emailId?: string;
}

/** One stand-in service. */
export interface ChannelEndpoint {
  channel: SinkChannel;
  /** Names the destination of a request without validating it, for faulted attempts. */
  targetOf(request: ChannelRequest): string;
  handle(request: ChannelRequest): ChannelResult;
  /** Builds the service's error response for an injected fault with `status`. */
  faultResponse(status: number): ChannelResponse & { error: string };
  /** Deletes per-server state, such as Resend idempotency keys. */
  reset?(): void;
}

export interface EndpointDependencies {
  recorder: SinkRecorder;
  faults: FaultInjector;
  logger: Logger;
}

const REDACTED_HEADERS = new Set(["authorization"]);

/** Registers `endpoint` on `app` for `methods` at `path`. */
export function mountChannel(
  app: Hono,
  methods: string[],
  path: string,
  endpoint: ChannelEndpoint,
  dependencies: EndpointDependencies,
): void {
  app.on(methods, path, async (c) => {
    const request = await readRequest(c);
    const time = new Date().toISOString();
    const fault = dependencies.faults.decide(endpoint.channel);
    if (fault !== null && fault.delayMs > 0) await sleep(fault.delayMs);

    let attemptFields: Pick<SinkAttempt, "outcome" | "status" | "target" | "error" | "emailId">;
    let response: ChannelResponse;
    if (fault?.status !== undefined) {
      const faulted = endpoint.faultResponse(fault.status);
      response = faulted;
      if (fault.retryAfterSeconds !== undefined) {
        response = {
          ...faulted,
          headers: { ...faulted.headers, "retry-after": String(fault.retryAfterSeconds) },
        };
      }
      attemptFields = {
        outcome: "faulted",
        status: fault.status,
        target: endpoint.targetOf(request),
        error: faulted.error,
      };
    } else {
      const result = endpoint.handle(request);
      response = result.response;
      attemptFields = {
        outcome: result.outcome,
        status: result.response.status,
        target: result.target,
        error: result.error,
        emailId: result.emailId,
      };
    }

    const attempt: SinkAttempt = {
      id: `att_${randomUUID()}`,
      time,
      channel: endpoint.channel,
      method: request.method,
      path: request.path,
      headers: redactHeaders(request.headers),
      body: request.body,
      ...withoutUndefined(attemptFields),
    };
    await dependencies.recorder.record(attempt);
    dependencies.logger.debug(
      {
        attemptId: attempt.id,
        channel: attempt.channel,
        target: attempt.target,
        outcome: attempt.outcome,
        status: attempt.status,
      },
      "sink attempt recorded",
    );

    return c.body(response.body, response.status as ContentfulStatusCode, {
      "content-type": `${response.contentType}; charset=utf-8`,
      ...response.headers,
    });
  });
}

async function readRequest(c: Context): Promise<ChannelRequest> {
  const headers: Record<string, string> = {};
  c.req.raw.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return {
    method: c.req.method,
    path: c.req.path,
    params: c.req.param(),
    headers,
    body: await c.req.text(),
  };
}

function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const redacted: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    redacted[name] = REDACTED_HEADERS.has(name) ? "[redacted]" : value;
  }
  return redacted;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}

/** Builds a JSON response. */
export function jsonResponse(status: number, body: unknown): ChannelResponse {
  return { status, contentType: "application/json", body: JSON.stringify(body) };
}

/** Builds a plain-text response. */
export function textResponse(status: number, body: string): ChannelResponse {
  return { status, contentType: "text/plain", body };
}
