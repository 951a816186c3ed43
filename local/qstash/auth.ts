/**
 * Bearer-token check for every API route. QStash also accepts the token as `?qstash_token=`.
 * Webhook calls (`/v2/workflows/hooks/...`) come from third parties and are not authenticated.
 */
import { timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { QStashHttpError } from "./errors.js";

const UNAUTHENTICATED_PREFIX = "/v2/workflows/hooks/";

function sameToken(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function bearerAuth(token: string): MiddlewareHandler {
  return async function bearerAuth(c, next) {
    if (c.req.path.startsWith(UNAUTHENTICATED_PREFIX)) return await next();
    const header = c.req.header("Authorization");
    const presented = header?.startsWith("Bearer ")
      ? header.slice("Bearer ".length).trim()
      : c.req.query("qstash_token");
    if (!presented)
      throw new QStashHttpError(
        401,
        "missing Authorization header: send Authorization: Bearer <QSTASH_TOKEN>",
      );
    if (!sameToken(presented, token)) throw new QStashHttpError(401, "invalid token: check QSTASH_TOKEN");
    await next();
  };
}
