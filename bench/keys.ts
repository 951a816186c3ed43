/** Redis key prefixes of benchmark runs: each run writes under its own prefix and deletes it at the end. */
import { randomBytes } from "node:crypto";

/** A fresh prefix such as `bench:qstash:3f9a1c:`; allowed by the stack's `LOCAL_KEY_PREFIX` pattern. */
export function randomKeyPrefix(area: string): string {
  return `${area}:${randomBytes(6).toString("hex")}:`;
}

export { deleteKeysWithPrefix } from "../local/redis-cleanup.js";
