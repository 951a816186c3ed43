/**
 * The GitHub rate budget shared by every scan of one credential: the last `rateLimit` seen is kept in
 * Redis, so a scan starts from what the previous scan learned instead of spending its first request
 * blind.
 */
import type { Redis } from "@upstash/redis";
import { RateBudget, RateBudgetStateSchema } from "../github/index.js";

/** Seconds the saved state lives; GitHub's window is one hour, so older state says nothing. */
const BUDGET_STATE_TTL_SECONDS = 60 * 60;

export async function loadRateBudget(
  redis: Redis,
  key: string,
  options: { reserve: number; now: () => number },
): Promise<RateBudget> {
  const saved = RateBudgetStateSchema.safeParse(await redis.get(key));
  if (!saved.success) return new RateBudget(options);
  // Counters restart per scan; only the window facts carry over.
  return new RateBudget(options, { ...saved.data, spent: 0, requests: 0 });
}

export async function saveRateBudget(redis: Redis, key: string, budget: RateBudget): Promise<void> {
  await redis.set(key, budget.toJSON(), { ex: BUDGET_STATE_TTL_SECONDS });
}
