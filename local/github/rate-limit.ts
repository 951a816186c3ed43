/**
 * GitHub's primary GraphQL rate limit: a budget of points per token that resets one hour after the
 * window's first request. Kept in memory, so a restart gives every token a full budget.
 */

export const RATE_LIMIT_WINDOW_MS = 60 * 60 * 1000;

export interface RateLimitState {
  limit: number;
  used: number;
  remaining: number;
  /** Epoch milliseconds at which the window resets. */
  resetAtMs: number;
}

export class RateLimitLedger {
  private readonly windows = new Map<string, { startMs: number; used: number }>();

  constructor(
    private readonly pointsPerHour: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(pointsPerHour) || pointsPerHour < 1) {
      throw new Error(`pointsPerHour must be a positive integer, got ${pointsPerHour}`);
    }
  }

  private window(token: string): { startMs: number; used: number } {
    const now = this.now();
    let window = this.windows.get(token);
    if (!window || now >= window.startMs + RATE_LIMIT_WINDOW_MS) {
      window = { startMs: now, used: 0 };
      this.windows.set(token, window);
    }
    return window;
  }

  private state(window: { startMs: number; used: number }): RateLimitState {
    return {
      limit: this.pointsPerHour,
      used: window.used,
      remaining: Math.max(0, this.pointsPerHour - window.used),
      // Whole seconds, because the `x-ratelimit-reset` header and `resetAt` carry no milliseconds.
      resetAtMs: Math.ceil((window.startMs + RATE_LIMIT_WINDOW_MS) / 1000) * 1000,
    };
  }

  /** Returns the token's current window state, opening a new one when none is open. */
  peek(token: string): RateLimitState {
    return this.state(this.window(token));
  }

  /** Charges `cost` points when they fit in the remaining budget; charges nothing otherwise. */
  charge(token: string, cost: number): { allowed: boolean; state: RateLimitState } {
    const window = this.window(token);
    const allowed = cost <= this.pointsPerHour - window.used;
    if (allowed) window.used += cost;
    return { allowed, state: this.state(window) };
  }

  /** Uses up the remaining points of the token's current window. */
  exhaust(token: string): void {
    this.window(token).used = this.pointsPerHour;
  }
}
