/** Request and response helpers shared by the dispatch routes. */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";

/** Sends QStash's error shape: a JSON object with one `error` message. */
export function errorResponse(c: Context, status: ContentfulStatusCode, message: string): Response {
  return c.json({ error: message }, status);
}

/**
 * Returns the raw request target after `prefix` (e.g. `/v2/enqueue/jobs/`), query string included.
 * QStash clients put the destination URL unencoded into the path, so `https://a.b/c?x=1` arrives as
 * `/v2/enqueue/jobs/https://a.b/c?x=1` and the destination's own query is the request's query.
 */
export function rawPathRemainder(requestUrl: string, prefix: string): string {
  const url = new URL(requestUrl);
  const target = url.pathname + url.search;
  return target.startsWith(prefix) ? target.slice(prefix.length) : "";
}

/** Decodes one path segment; returns null for malformed percent-encoding. */
export function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/**
 * True when `destination` is a URL rather than a URL group name. Any scheme counts, so that an
 * `ftp://…` destination is rejected as an invalid URL, not looked up as a group.
 */
export function isUrlDestination(destination: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(destination);
}

/** Returns the parsed absolute http(s) URL, or null when it is not one. */
export function parseHttpUrl(text: string): URL | null {
  if (!URL.canParse(text)) return null;
  const url = new URL(text);
  return url.protocol === "http:" || url.protocol === "https:" ? url : null;
}

export type JsonBodyResult<T> = { ok: true; value: T } | { ok: false; message: string };

/** Reads the request body as JSON and validates it; the failure message names the invalid field. */
export async function readJsonBody<T>(c: Context, schema: z.ZodType<T>): Promise<JsonBodyResult<T>> {
  let raw: unknown;
  try {
    raw = JSON.parse(await c.req.text());
  } catch {
    return { ok: false, message: "invalid request body: expected JSON" };
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? "body" : issue.path.join(".");
  return { ok: false, message: `invalid request body: ${where}: ${issue?.message ?? "invalid value"}` };
}
