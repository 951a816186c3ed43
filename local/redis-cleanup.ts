/**
 * Deletion of every Redis key under one prefix, for tests, benchmarks and chaos runs that each write
 * under their own prefix. SCAN walks the keyspace, so no key outside the prefix is touched.
 */
import { Redis } from "ioredis";

/** Deletes every key that starts with `prefix` and returns how many were deleted. */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<number> {
  // Glob characters in the prefix match literally, not as patterns.
  const pattern = `${prefix.replace(/[*?[\]\\]/g, "\\$&")}*`;
  let cursor = "0";
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 500);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== "0");
  return deleted;
}

/** Deletes every key under `prefix` through a connection of its own, so it works after other clients failed. */
export async function deleteKeysWithPrefixAt(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { protocol: 2, lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    return await deleteKeysWithPrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
}
