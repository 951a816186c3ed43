/**
 * Redis access shared by the idempotency store and the circuit breakers.
 *
 * Every state change runs as one Lua script, so it is atomic across isolates and runs. Scripts go
 * through `@upstash/redis`'s `createScript`, which sends `EVALSHA` and falls back to `EVAL` once
 * when the server replies `NOSCRIPT`. Each script returns one JSON document (`cjson.encode`), and
 * `runJsonScript` parses it with a zod schema.
 */
import type { Redis } from "@upstash/redis";
import type { z } from "zod";

/**
 * The subset of the Upstash Redis client this folder uses. Both `@upstash/redis` (Node) and
 * `@upstash/redis/cloudflare` clients satisfy it.
 */
export type RedisClient = Pick<Redis, "createScript" | "get" | "smembers">;

type CompiledScript = ReturnType<RedisClient["createScript"]>;

// One compiled script per client and source text, so the SHA-1 is computed once per isolate.
const scriptCache = new WeakMap<RedisClient, Map<string, CompiledScript>>();

function compiledScript(redis: RedisClient, source: string): CompiledScript {
  let scripts = scriptCache.get(redis);
  if (scripts === undefined) {
    scripts = new Map();
    scriptCache.set(redis, scripts);
  }
  let script = scripts.get(source);
  if (script === undefined) {
    script = redis.createScript(source);
    scripts.set(source, script);
  }
  return script;
}

/**
 * Runs a Lua script that returns one `cjson.encode`d value, and parses that value with `schema`.
 *
 * The Upstash client parses JSON replies by default (`automaticDeserialization`). So the reply
 * arrives either as a JSON string or as the parsed value, and both are accepted.
 */
export async function runJsonScript<T>(
  redis: RedisClient,
  source: string,
  keys: string[],
  args: Array<string | number>,
  schema: z.ZodType<T>,
): Promise<T> {
  const reply: unknown = await compiledScript(redis, source).exec(keys, args.map(String));
  const value: unknown = typeof reply === "string" ? JSON.parse(reply) : reply;
  return schema.parse(value);
}
