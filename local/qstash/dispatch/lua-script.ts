/**
 * Runs a Lua script by its SHA1 and loads it on first use.
 *
 * Hand-written instead of ioredis' `defineCommand` because that adds an untyped method to the
 * server's shared client, which other modules also use.
 */
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

export interface LuaScript {
  run(redis: Redis, keys: string[], args: (string | number)[]): Promise<unknown>;
}

export function defineLuaScript(source: string): LuaScript {
  const sha = createHash("sha1").update(source).digest("hex");
  return {
    async run(redis, keys, args) {
      try {
        return await redis.evalsha(sha, keys.length, ...keys, ...args);
      } catch (error) {
        if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
        return await redis.eval(source, keys.length, ...keys, ...args);
      }
    },
  };
}
