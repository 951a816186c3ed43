/**
 * Fault injection for the GitHub stand-in: which failure, if any, the next request gets.
 *
 * Each request draws one number from a seeded generator and compares it with the cumulative fault
 * rates, so the same seed and the same sequence of requests give the same sequence of faults.
 */
import { z } from "zod";

export const GitHubFaultsSchema = z.object({
  /** Fraction (0 to 1) of requests that get a 200 response with `data: null` and a GraphQL execution error. */
  errorRate: z.number().min(0).max(1).default(0),
  /** Fraction of requests that get a 502 response with GitHub's "Something went wrong" body. */
  badGatewayRate: z.number().min(0).max(1).default(0),
  /** Fraction of requests that get a 403 response with a secondary rate limit message and `retry-after`. */
  secondaryRateLimitRate: z.number().min(0).max(1).default(0),
  /** Value of the `retry-after` header on secondary rate limit responses, in seconds. */
  retryAfterSeconds: z.number().int().nonnegative().default(60),
  /** Fraction of requests held open without a response for `hangMs`, to trip the client's timeout. */
  timeoutRate: z.number().min(0).max(1).default(0),
  /** How long a request picked by `timeoutRate` is held before it gets a 504, in milliseconds. */
  hangMs: z.number().int().nonnegative().default(30_000),
  /** Delay added before every response, in milliseconds. */
  latencyMs: z.number().int().nonnegative().default(0),
  /** Extra random delay of up to this many milliseconds, drawn from the seeded generator. */
  latencyJitterMs: z.number().int().nonnegative().default(0),
  /** When true, every token's remaining points are used up, so GraphQL requests get `RATE_LIMITED`. */
  rateLimitExhausted: z.boolean().default(false),
  /** HTTP status of a `RATE_LIMITED` response. GitHub has sent both. */
  rateLimitedStatus: z.union([z.literal(200), z.literal(403)]).default(200),
  /** When true, every GraphQL request gets a 401 Bad credentials response. */
  badCredentials: z.boolean().default(false),
});
export type GitHubFaults = z.infer<typeof GitHubFaultsSchema>;
export type GitHubFaultsInput = z.input<typeof GitHubFaultsSchema>;

/** Body of `POST /_github/faults`: the new fault set, plus an optional seed that restarts the draws. */
export const FaultsRequestSchema = GitHubFaultsSchema.extend({ seed: z.number().int().optional() });

export type FaultDecision = "none" | "error" | "badGateway" | "secondaryRateLimit" | "timeout";

/**
 * mulberry32, a 32-bit seeded generator. Hand-written because no seeded generator is a dependency of
 * this project and Math.random cannot be seeded; statistical quality is irrelevant for fault picks.
 */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export class FaultInjector {
  private random: () => number;
  faults: GitHubFaults;

  constructor(faults: GitHubFaultsInput = {}, seed = 1) {
    this.faults = GitHubFaultsSchema.parse(faults);
    this.random = createRandom(seed);
  }

  /** Replaces the fault set; a given seed also restarts the generator. */
  set(faults: GitHubFaultsInput, seed?: number): void {
    this.faults = GitHubFaultsSchema.parse(faults);
    if (seed !== undefined) this.random = createRandom(seed);
  }

  /** Draws the fault for the next request and the latency to add before responding. */
  next(): { decision: FaultDecision; delayMs: number } {
    const draw = this.random();
    const jitter = this.faults.latencyJitterMs > 0 ? this.random() * this.faults.latencyJitterMs : 0;
    const delayMs = Math.round(this.faults.latencyMs + jitter);
    const thresholds: [FaultDecision, number][] = [
      ["badGateway", this.faults.badGatewayRate],
      ["secondaryRateLimit", this.faults.secondaryRateLimitRate],
      ["timeout", this.faults.timeoutRate],
      ["error", this.faults.errorRate],
    ];
    let cumulative = 0;
    for (const [decision, rate] of thresholds) {
      cumulative += rate;
      if (draw < cumulative) return { decision, delayMs };
    }
    return { decision: "none", delayMs };
  }
}
