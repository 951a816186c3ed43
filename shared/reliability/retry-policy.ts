/**
 * Named retry policies, one per workflow, compiled once from configuration.
 *
 * QStash retries a failed step itself: `retries` is how many times, and `retryDelay` is the
 * `Upstash-Retry-Delay` math expression in milliseconds over the variable `retried` (0 on the first
 * retry). Each policy compiles to `min(maxDelayMs, initialDelayMs * pow(backoffCoefficient, retried))`.
 * The expression language has no random function (QStash docs list pow, sqrt, abs, exp, floor, ceil,
 * round, min and max), so QStash's own retries are not jittered. Delays computed in code go through
 * `computeRetryDelayMs`, which adds jitter.
 */
import { z } from "zod";

export const RETRY_POLICY_NAMES = ["scan", "analyze", "notify", "sweep"] as const;
export type RetryPolicyName = (typeof RETRY_POLICY_NAMES)[number];

const SECOND_MS = 1_000;
const MINUTE_MS = 60 * SECOND_MS;
/** QStash caps one retry delay at one day; a longer delay falls back to its default backoff. */
export const MAX_RETRY_DELAY_MS = 24 * 60 * MINUTE_MS;
/** Upper bound on `retries`, a guard against typos rather than a QStash limit. */
export const MAX_RETRIES = 20;

/** One compiled policy. Delays are in milliseconds. */
export interface RetryPolicy {
  name: RetryPolicyName;
  /** Retries after the first attempt; 0 disables retries. */
  retries: number;
  /** Delay before the first retry. */
  initialDelayMs: number;
  /** Cap on any single delay, at most one day. */
  maxDelayMs: number;
  /** Factor between consecutive delays, at least 1 (1 means a constant delay). */
  backoffCoefficient: number;
  /** The `Upstash-Retry-Delay` expression equivalent to the fields above. */
  retryDelay: string;
}

export type RetryPolicies = Readonly<Record<RetryPolicyName, RetryPolicy>>;

/** Defaults for each workflow, overridden field by field from configuration. */
export const DEFAULT_RETRY_POLICIES: Readonly<
  Record<RetryPolicyName, Omit<RetryPolicy, "name" | "retryDelay">>
> = {
  // GitHub failures are mostly short 5xx bursts; rate limits use Retry-After and spend no retry here.
  scan: { retries: 5, initialDelayMs: 2 * SECOND_MS, maxDelayMs: 5 * MINUTE_MS, backoffCoefficient: 2 },
  // Model providers recover more slowly from overload, so the first delay is longer.
  analyze: { retries: 4, initialDelayMs: 5 * SECOND_MS, maxDelayMs: 10 * MINUTE_MS, backoffCoefficient: 3 },
  // Notification targets are many small hosts; more attempts spread over about half an hour.
  notify: { retries: 6, initialDelayMs: 1 * SECOND_MS, maxDelayMs: 15 * MINUTE_MS, backoffCoefficient: 3 },
  // The next cron tick starts a new sweep anyway, so a failed sweep retries little.
  sweep: { retries: 2, initialDelayMs: 1 * SECOND_MS, maxDelayMs: 1 * MINUTE_MS, backoffCoefficient: 2 },
};

const PolicyInputSchema = z
  .object({
    retries: z
      .number()
      .int("must be a whole number")
      .min(0, "must be at least 0")
      .max(MAX_RETRIES)
      .optional(),
    initialDelayMs: z.number().int("must be whole milliseconds").min(1, "must be at least 1 ms").optional(),
    maxDelayMs: z
      .number()
      .int("must be whole milliseconds")
      .min(1, "must be at least 1 ms")
      .max(MAX_RETRY_DELAY_MS, `must be at most ${MAX_RETRY_DELAY_MS} ms (one day, the QStash maximum)`)
      .optional(),
    backoffCoefficient: z.number().min(1, "must be at least 1").max(10, "must be at most 10").optional(),
  })
  .strict();

const PoliciesInputSchema = z
  .object(Object.fromEntries(RETRY_POLICY_NAMES.map((name) => [name, PolicyInputSchema.optional()])))
  .strict();

/** Per-workflow overrides, for example `{ scan: { retries: 3 } }`. Omitted fields keep their defaults. */
export type RetryPoliciesInput = Partial<Record<RetryPolicyName, z.input<typeof PolicyInputSchema>>>;

/** Invalid retry configuration. `field` is the dotted path, for example `scan.maxDelayMs`. */
export class RetryPolicyError extends Error {
  override readonly name = "RetryPolicyError";
  readonly field: string;

  constructor(field: string, problem: string) {
    super(`Invalid retry policy ${field}: ${problem}`);
    this.field = field;
  }
}

/**
 * Compiles every policy from `input` over the defaults. Throws `RetryPolicyError` naming the first
 * invalid field, including `maxDelayMs` below `initialDelayMs` and unknown policy or field names.
 */
export function compileRetryPolicies(input: unknown = {}): RetryPolicies {
  const parsed = PoliciesInputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const keys = issue !== undefined && "keys" in issue ? (issue.keys as string[]) : [];
    const path = [...(issue?.path ?? []), ...keys].map(String).join(".") || "(root)";
    throw new RetryPolicyError(path, issue?.message ?? "invalid");
  }

  const overrides = parsed.data as RetryPoliciesInput;
  const policies = {} as Record<RetryPolicyName, RetryPolicy>;
  for (const name of RETRY_POLICY_NAMES) {
    const fields = { ...DEFAULT_RETRY_POLICIES[name], ...overrides[name] };
    if (fields.maxDelayMs < fields.initialDelayMs) {
      throw new RetryPolicyError(
        `${name}.maxDelayMs`,
        `${fields.maxDelayMs} is below initialDelayMs ${fields.initialDelayMs}; raise maxDelayMs or lower initialDelayMs`,
      );
    }
    policies[name] = { name, ...fields, retryDelay: retryDelayExpression(fields) };
  }
  return policies;
}

function retryDelayExpression(fields: Omit<RetryPolicy, "name" | "retryDelay">): string {
  if (fields.backoffCoefficient === 1) return String(fields.initialDelayMs);
  return `min(${fields.maxDelayMs}, ${fields.initialDelayMs} * pow(${fields.backoffCoefficient}, retried))`;
}

/**
 * Returns the options `client.trigger`, `context.invoke` and `serve` take for retries.
 *
 * @example
 * await client.trigger({ url, body, ...retryOptions(policies.scan) });
 */
export function retryOptions(policy: RetryPolicy): { retries: number; retryDelay: string } {
  return { retries: policy.retries, retryDelay: policy.retryDelay };
}

/**
 * Computes the delay before retry number `retried` (0-based), with "equal jitter": a uniform random
 * value between half the backoff delay and the full delay. The jitter spreads out retries that failed
 * together, and the lower half-bound keeps the backoff growing. `random` returns values in [0, 1).
 */
export function computeRetryDelayMs(
  policy: RetryPolicy,
  retried: number,
  random: () => number = Math.random,
): number {
  const base = backoffDelayMs(policy, retried);
  return Math.round(base / 2 + random() * (base / 2));
}

/** Computes the delay before retry number `retried` without jitter, the same value as `retryDelay`. */
export function backoffDelayMs(policy: RetryPolicy, retried: number): number {
  const attempt = Math.max(0, Math.floor(retried));
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.backoffCoefficient ** attempt);
}
