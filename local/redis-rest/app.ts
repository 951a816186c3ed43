/**
 * HTTP routes of the Redis REST bridge, in the shapes the Upstash Redis REST API uses:
 * - `POST /` with a JSON command array returns `{"result": ...}`;
 * - `POST /pipeline` and `POST /multi-exec` with a JSON array of commands return one
 *   `{"result": ...}` or `{"error": "..."}` entry per command;
 * - `GET|POST /<command>/<arg>/...` is the path form (see `commandFromPath`).
 * A Redis error reply, an invalid body or a rejected command is `{"error": "..."}` with status 400.
 * A missing or wrong token is status 401. The token is read from `Authorization: Bearer <token>` or,
 * when that header is absent, from the `_token` query parameter.
 */
import { timingSafeEqual } from "node:crypto";
import type { Context } from "hono";
import { Hono } from "hono";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { z } from "zod";
import {
  commandBodySchema,
  commandFromJson,
  commandFromPath,
  commandListBodySchema,
  InvalidCommandError,
  type RedisCommand,
} from "./commands.js";
import { ENCODING_HEADER, encodeReply, type ResponseEncoding, responseEncodingOf } from "./encoding.js";
import { type CommandOutcome, isRedisReplyError, runCommand, runPipeline, runTransaction } from "./runner.js";

export interface BridgeAppOptions {
  redis: Redis;
  token: string;
  logger: Logger;
}

type Batch = "pipeline" | "multi-exec";

/** Builds the Hono app that serves the REST API on top of `redis`. */
export function createRedisRestApp(options: BridgeAppOptions): Hono {
  const { redis, logger } = options;
  const expectedToken = Buffer.from(options.token, "utf8");
  const app = new Hono();

  app.use("*", async (c, next) => {
    if (!isAuthorized(c, expectedToken)) return c.json({ error: "Unauthorized" }, 401);
    // NOTE: `Upstash-Sync-Token` (read-your-writes across replicas) is accepted and ignored: a single
    // Redis server always reflects earlier writes, and the client keeps working without the header.
    await next();
  });

  app.post("/", async (c) => {
    const parts = await parseJsonBody(c, commandBodySchema);
    const command = commandFromJson(parts);
    const reply = await runCommand(redis, command);
    return c.json({ result: encodeReply(reply, encodingOf(c)) });
  });

  const batchHandler = (batch: Batch) => async (c: Context) => {
    const list = await parseJsonBody(c, commandListBodySchema);
    const commands = list.map(commandFromJson);
    const outcomes =
      batch === "multi-exec" ? await runTransaction(redis, commands) : await runPipeline(redis, commands);
    const encoding = encodingOf(c);
    return c.json(outcomes.map((outcome) => outcomeToJson(outcome, encoding)));
  };
  app.post("/pipeline", batchHandler("pipeline"));
  app.post("/multi-exec", batchHandler("multi-exec"));
  app.on(["GET", "PUT", "DELETE", "PATCH"], ["/pipeline", "/multi-exec"], (c) =>
    c.json(
      { error: `ERR ${c.req.method} is not allowed on ${c.req.path}; send a POST with a JSON array` },
      405,
    ),
  );

  app.on(["GET", "POST"], "*", async (c) => {
    const url = new URL(c.req.url);
    const body = c.req.method === "POST" ? Buffer.from(await c.req.arrayBuffer()) : Buffer.alloc(0);
    const command: RedisCommand = commandFromPath(url.pathname, body, url.searchParams);
    const reply = await runCommand(redis, command);
    return c.json({ result: encodeReply(reply, encodingOf(c)) });
  });

  app.onError((error, c) => {
    const message = error.message;
    if (error instanceof InvalidCommandError || isRedisReplyError(error)) {
      logger.debug({ path: c.req.path, error: message }, "redis rest command rejected");
      return c.json({ error: message }, 400);
    }
    logger.error({ path: c.req.path, err: error }, "redis rest request failed");
    return c.json({ error: `ERR local Redis REST bridge failed to run the command: ${message}` }, 500);
  });

  app.notFound((c) =>
    c.json({ error: `ERR ${c.req.method} ${c.req.path} is not a Redis REST endpoint` }, 404),
  );

  return app;
}

function isAuthorized(c: Context, expectedToken: Buffer): boolean {
  const header = c.req.header("authorization");
  const presented = header === undefined ? c.req.query("_token") : bearerToken(header);
  if (presented === undefined) return false;
  const presentedBytes = Buffer.from(presented, "utf8");
  return presentedBytes.length === expectedToken.length && timingSafeEqual(presentedBytes, expectedToken);
}

function bearerToken(header: string): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

function encodingOf(c: Context): ResponseEncoding {
  return responseEncodingOf(c.req.header(ENCODING_HEADER));
}

async function parseJsonBody<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  let body: unknown;
  try {
    body = JSON.parse(await c.req.text());
  } catch {
    throw new InvalidCommandError("ERR failed to parse the request body as JSON");
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join(".")}` : "";
    throw new InvalidCommandError(`ERR invalid command body${where}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}

function outcomeToJson(outcome: CommandOutcome, encoding: ResponseEncoding) {
  return outcome.ok ? { result: encodeReply(outcome.reply, encoding) } : { error: outcome.error };
}
