/** Redis key prefixes of benchmark runs: each run writes under its own prefix and deletes it at the end. */
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";

/** A fresh prefix such as `bench:qstash:3f9a1c:`; allowed by the stack's `LOCAL_KEY_PREFIX` pattern. */
export function randomKeyPrefix(area: string): string {
  return `${area}:${randomBytes(6).toString("hex")}:`;
}

/** Deletes every key that starts with `prefix`, walking with SCAN so no other key is touched. */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = "0";
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
    cursor = next;
    if (keys.length > 0) deleted += await redis.del(...keys);
  } while (cursor !== "0");
  return deleted;
}
