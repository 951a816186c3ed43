/**
 * A `fetch` implementation backed by Upstash Workflow's `context.call`, so an SDK that takes a custom
 * `fetch` (here the `ai` SDK's OpenAI-compatible provider) sends its HTTP request through QStash and
 * the Worker does not stay alive while the model thinks.
 *
 * How `context.call` behaves (read in @upstash/workflow 1.3.3, `WorkflowContext.call` and
 * `LazyCallStep`): on the first pass it submits the request to QStash and throws `WorkflowAbort`, which
 * ends the invocation. QStash makes the request and calls the workflow back, and on that replay the same
 * `context.call` returns the memoised `{ status, header, body }`. Non-2xx responses are results, not
 * errors. Text and JSON bodies come back parsed as JSON where possible, else as the raw string.
 *
 * So the wrapped SDK must build a byte-identical request on every replay, and must not retry by calling
 * `fetch` again (a second call would need a second step name). The model analyser sets `maxRetries: 0`
 * and builds its prompt deterministically.
 *
 * When QStash delivers a `context.call` result, the workflow SDK first runs the route function with the
 * callback body as `requestPayload` to authorise the request, and any error thrown before the first
 * step fails that delivery. So a workflow should reach a step (e.g. `context.run`) before it reads its
 * payload and calls the analyser.
 */
import type { CallResponse, CallSettings } from "@upstash/workflow";

/** The part of `WorkflowContext` this module needs; tests may pass any object with this shape. */
export interface CallContext {
  call(stepName: string, settings: CallSettings): Promise<CallResponse<unknown>>;
}

export interface ContextCallFetchOptions {
  /** Seconds QStash waits for the provider before failing the call. Default: QStash's own limit. */
  timeoutSeconds?: number;
  /** Times QStash retries a failed call before handing the failure to the workflow. Default 0. */
  retries?: number;
}

type FetchFunction = typeof globalThis.fetch;

// The methods QStash can forward (`HTTPMethods` in @upstash/qstash 2.12.0).
const HTTP_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"] as const;
type HttpMethod = (typeof HTTP_METHODS)[number];

function toHttpMethod(method: string | undefined): HttpMethod {
  const upper = (method ?? "GET").toUpperCase();
  const known = HTTP_METHODS.find((candidate) => candidate === upper);
  if (known === undefined) throw new TypeError(`context.call does not support HTTP method ${upper}`);
  return known;
}

function toHeaderRecord(headers: HeadersInit | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  new Headers(headers).forEach((value, name) => {
    record[name] = value;
  });
  return record;
}

async function toBodyString(body: BodyInit | null | undefined): Promise<string | undefined> {
  if (body === null || body === undefined) return undefined;
  if (typeof body === "string") return body;
  // Non-string bodies (bytes, streams, forms) are read through a Request so every BodyInit is covered.
  return await new Request("http://body.invalid", { method: "POST", body }).text();
}

/**
 * Rebuilds the response body text. The workflow SDK hands back JSON bodies already parsed, so they are
 * serialised again: the result is JSON-equivalent to what the provider sent, not byte-identical.
 * NOTE: a JSON body that is a bare string (`"text"`) comes back unquoted; chat-completion responses are
 * objects, so the model analyser never meets this case.
 */
function toResponseText(body: unknown): string {
  if (body === undefined || body === null) return "";
  if (typeof body === "string") return body;
  return JSON.stringify(body);
}

function toResponseHeaders(header: Record<string, string[]> | undefined): Headers {
  const headers = new Headers();
  for (const [name, values] of Object.entries(header ?? {})) {
    for (const value of values) headers.append(name, value);
  }
  return headers;
}

/** Statuses whose responses must not carry a body (Fetch standard, "null body status"). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

function toResponse(result: CallResponse<unknown>): Response {
  // NOTE: a status outside 200-599 (QStash reporting a failed call without a provider response) cannot
  // be put in a Response, so it is reported as 502 Bad Gateway.
  const status = result.status >= 200 && result.status <= 599 ? result.status : 502;
  const body = NULL_BODY_STATUSES.has(status) ? null : toResponseText(result.body);
  return new Response(body, { status, headers: toResponseHeaders(result.header) });
}

/**
 * Creates a `fetch` that sends each request as `context.call(stepName, ...)` and returns the memoised
 * result as a `Response`. Each returned function is meant for exactly one request: create a new one,
 * with a new step name, for every call (for example `analyse:<issueId>` and `analyse:<issueId>:retry`).
 *
 * @example
 * const fetch = createContextCallFetch(context, `analyse:${issue.id}`);
 * const provider = createOpenAICompatible({ baseURL, apiKey, name: "model", fetch });
 */
export function createContextCallFetch(
  context: CallContext,
  stepName: string,
  options: ContextCallFetchOptions = {},
): FetchFunction {
  if (stepName.length === 0) throw new TypeError("createContextCallFetch needs a non-empty step name");
  let used = false;

  const contextCallFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    if (used) {
      throw new Error(
        `step ${stepName} already sent its request; create a new fetch with a new step name for another call`,
      );
    }
    used = true;

    const request = input instanceof Request ? input : null;
    const url = request?.url ?? (input instanceof URL ? input.href : String(input));
    const method = toHttpMethod(init?.method ?? request?.method);
    const headers = toHeaderRecord(init?.headers ?? request?.headers);
    const body = init?.body !== undefined ? await toBodyString(init.body) : await request?.text();

    const settings: CallSettings = { url, method, headers, retries: options.retries ?? 0 };
    if (body !== undefined && body.length > 0) settings.body = body;
    if (options.timeoutSeconds !== undefined) settings.timeout = options.timeoutSeconds;

    const result = await context.call(stepName, settings);
    return toResponse(result);
  };
  return contextCallFetch as FetchFunction;
}
