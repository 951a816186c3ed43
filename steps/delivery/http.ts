import type { ChannelType } from "../../shared/domain/index.js";
import { DeliveryError, parseRetryAfter } from "./errors.js";

/** Characters of a response body kept in `DeliveryError.bodySnippet`. */
export const BODY_SNIPPET_CHARS = 500;
/** Response bytes read before the rest is cancelled. Provider replies we parse (Resend's `{ id }`) are far smaller. */
const MAX_RESPONSE_BYTES = 64 * 1024;

export interface PostRequest {
  channel: ChannelType;
  url: string;
  headers: Record<string, string>;
  /** Serialised JSON body. Webhook senders sign exactly these bytes. */
  body: string;
  /** Limit for the whole exchange, body read included, in milliseconds. */
  timeoutMs: number;
  fetch: typeof fetch;
}

export interface PostResponse {
  status: number;
  /** Response body as text, cut after the read chunk that passes 64 KiB. */
  bodyText: string;
}

/** Returns `host[:port]` of a URL, the only part of a target URL that errors and logs may show. */
export function targetHostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "(invalid URL)";
  }
}

/**
 * POSTs a JSON body once and returns the 2xx response. Throws `DeliveryError` for a non-2xx status,
 * a timeout or a network failure. Redirects are not followed, because a 301/302 would turn the POST
 * into a GET, so a 3xx counts as a failed delivery.
 */
export async function postJson(request: PostRequest): Promise<PostResponse> {
  const targetHost = targetHostOf(request.url);
  const signal = AbortSignal.timeout(request.timeoutMs);

  // Called detached: Workers' fetch throws "Illegal invocation" when called as a method of another
  // object (`request.fetch(...)` would bind `this` to `request`).
  const send = request.fetch;
  let response: Response;
  let bodyText: string;
  try {
    response = await send(request.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...request.headers },
      body: request.body,
      redirect: "manual",
      signal,
    });
    bodyText = await readText(response, MAX_RESPONSE_BYTES);
  } catch (error) {
    throw new DeliveryError({
      channel: request.channel,
      targetHost,
      reason: signal.aborted ? "timeout" : "network",
      cause: error,
    });
  }

  if (response.status < 200 || response.status > 299) {
    throw new DeliveryError({
      channel: request.channel,
      targetHost,
      reason: "http-status",
      status: response.status,
      retryAfterSeconds: parseRetryAfter(response.headers.get("retry-after"), new Date()),
      bodySnippet: bodyText.slice(0, BODY_SNIPPET_CHARS),
    });
  }
  return { status: response.status, bodyText };
}

/**
 * Reads at most `maxBytes` of the body and cancels the rest. Hand-written because `Response.text()` has
 * no size limit and a misbehaving target could stream without end.
 */
async function readText(response: Response, maxBytes: number): Promise<string> {
  if (response.body === null) return "";

  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let received = 0;
  while (received < maxBytes) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    received += value.byteLength;
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel();
  return text + decoder.decode();
}
