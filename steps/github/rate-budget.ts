/**
 * Tracks GitHub's primary GraphQL rate limit from the responses a scan receives and decides whether
 * the next request fits, keeping a reserve for other work (webhook scans, retries).
 *
 * The state is plain JSON (`toJSON`, `RateBudget.from`), so a workflow can carry it from one step to
 * the next.
 */
import { z } from "zod";

export const RateBudgetStateSchema = z.object({
  /** Points per window, from the last response; null before the first response. */
  limit: z.number().int().positive().nullable(),
  /** Points left after the last response; null before the first response. */
  remaining: z.number().int().nonnegative().nullable(),
  /** ISO time at which the window resets; null before the first response. */
  resetAt: z.string().nullable(),
  /** Points charged per query name, as GitHub last reported them. */
  lastCostByQuery: z.record(z.string(), z.number().int().nonnegative()),
  /** Points charged to responses recorded by this budget. */
  spent: z.number().int().nonnegative(),
  /** Responses recorded. */
  requests: z.number().int().nonnegative(),
});
export type RateBudgetState = z.infer<typeof RateBudgetStateSchema>;

export interface RateBudgetOptions {
  /** Points that must stay unused after any planned request; defaults to 200. */
  reserve?: number;
  /** Clock in epoch milliseconds; a window whose `resetAt` has passed counts as unknown again. */
  now?: () => number;
}

export class RateBudget {
  readonly reserve: number;
  private readonly now: () => number;
  private state: RateBudgetState;

  constructor(options: RateBudgetOptions = {}, state?: RateBudgetState) {
    const reserve = options.reserve ?? 200;
    if (!Number.isInteger(reserve) || reserve < 0) {
      throw new Error(`RateBudget reserve must be a non-negative integer, got ${reserve}`);
    }
    this.reserve = reserve;
    this.now = options.now ?? Date.now;
    this.state = state
      ? RateBudgetStateSchema.parse(state)
      : { limit: null, remaining: null, resetAt: null, lastCostByQuery: {}, spent: 0, requests: 0 };
  }

  /** Restores a budget saved with `toJSON`; throws a ZodError when `state` is malformed. */
  static from(state: unknown, options: RateBudgetOptions = {}): RateBudget {
    return new RateBudget(options, RateBudgetStateSchema.parse(state));
  }

  /** Records the `rateLimit` object of a response to `queryName`. */
  record(
    queryName: string,
    rateLimit: { cost: number; remaining: number; resetAt: string; limit?: number },
  ): void {
    this.state.remaining = rateLimit.remaining;
    this.state.resetAt = rateLimit.resetAt;
    if (rateLimit.limit !== undefined) this.state.limit = rateLimit.limit;
    this.state.lastCostByQuery[queryName] = rateLimit.cost;
    this.state.spent += rateLimit.cost;
    this.state.requests += 1;
  }

  /**
   * Records the `x-ratelimit-*` headers of a response that had no `rateLimit` object, such as an
   * error response. Headers with missing or non-numeric values are ignored.
   */
  recordHeaders(headers: Record<string, string>): void {
    const remaining = Number(headers["x-ratelimit-remaining"]);
    const reset = Number(headers["x-ratelimit-reset"]);
    const limit = Number(headers["x-ratelimit-limit"]);
    if (headers["x-ratelimit-remaining"] !== undefined && Number.isInteger(remaining)) {
      this.state.remaining = remaining;
    }
    if (headers["x-ratelimit-reset"] !== undefined && Number.isInteger(reset)) {
      this.state.resetAt = new Date(reset * 1000).toISOString();
    }
    if (headers["x-ratelimit-limit"] !== undefined && Number.isInteger(limit) && limit > 0) {
      this.state.limit = limit;
    }
  }

  /** Points left, or null when no response was recorded or the recorded window has reset since. */
  get remaining(): number | null {
    if (this.state.remaining === null) return null;
    if (this.state.resetAt !== null && Date.parse(this.state.resetAt) <= this.now()) return null;
    return this.state.remaining;
  }

  /** ISO time at which the recorded window resets, or null when unknown. */
  get resetAt(): string | null {
    return this.state.resetAt;
  }

  /**
   * Estimates the points of the next `queryName` request: `computed` when the caller derived it from
   * the query's shape (see `queries.ts`), else the cost GitHub last charged for that query, else 1.
   */
  estimateCost(queryName: string, computed?: number): number {
    return computed ?? this.state.lastCostByQuery[queryName] ?? 1;
  }

  /**
   * Checks whether a request of `cost` points leaves at least `reserve` points. Returns true while the
   * remaining points are unknown, so the first request of a window is sent and its response fills the budget.
   */
  fits(cost: number): boolean {
    const remaining = this.remaining;
    return remaining === null || remaining - cost >= this.reserve;
  }

  toJSON(): RateBudgetState {
    return structuredClone(this.state);
  }
}
