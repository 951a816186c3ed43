/**
 * Circuit breakers per dependency (`github`, `model`, `email`, `slack`, `webhook:<host>`), with their
 * state in Redis so that every isolate and every workflow run reads the same state.
 *
 * - closed: calls pass. Outcomes are counted in a sliding window of `windowSeconds`, kept as ten
 *   time buckets. A failure opens the breaker once the window has at least `minimumRequests` calls
 *   and the share of failures reaches `failureRateThreshold`.
 * - open: `check()` rejects calls with the time left until `openSeconds` have passed.
 * - half-open: after that time, `check()` admits at most `halfOpenProbes` concurrent probe calls.
 *   Each probe holds a lease of `probeLeaseSeconds`, so a probe that crashed frees its slot. The first
 *   probe success closes the breaker, and a probe failure opens it again.
 *
 * Every transition runs in one Lua script (`breaker-scripts.ts`), increments
 * `{keyPrefix}breaker:{name}:transitions` field `{from}->{to}`, logs one line and calls `onTransition`.
 * A transition can happen in any isolate, and only that isolate logs it and calls the hook.
 */
import { z } from "zod";
import { type Logger, silentLogger } from "../logger.js";
import { CHECK_SCRIPT, RECORD_SCRIPT } from "./breaker-scripts.js";
import {
  type BreakerSnapshot,
  type BreakerState,
  breakerKeys,
  readBreakerSnapshot,
  type ScriptArguments,
} from "./breaker-store.js";
import type { DependencyName } from "./failure.js";
import { type RedisClient, runJsonScript } from "./redis-script.js";

export interface CircuitBreakerOptions {
  /** Dependency name, for example `github` or `webhook:hooks.example.com`. */
  name: DependencyName;
  /** Product Redis prefix (`config.redis.keyPrefix`). Tests pass their own. */
  keyPrefix: string;
  /** Length of the sliding window in seconds, default 60. */
  windowSeconds?: number;
  /** Calls in the window before the failure rate can open the breaker, default 10. */
  minimumRequests?: number;
  /** Share of failed calls in the window, in (0, 1], that opens the breaker. Default 0.5. */
  failureRateThreshold?: number;
  /** Seconds the breaker stays open before it admits probes, default 30. Fractions are allowed. */
  openSeconds?: number;
  /** Concurrent probe calls admitted while half-open, default 1. */
  halfOpenProbes?: number;
  /** Lease of a probe slot in seconds, freed early when the probe reports. Longer than one call. Default 60. */
  probeLeaseSeconds?: number;
  logger?: Logger;
  /** Called after each transition this instance made. Errors it throws are logged and ignored. */
  onTransition?: (event: BreakerTransitionEvent) => void | Promise<void>;
}

export interface BreakerTransitionEvent {
  name: string;
  from: BreakerState;
  to: BreakerState;
}

/** Proof that `check()` admitted a call; pass it back to `recordSuccess` or `recordFailure`. */
export interface BreakerPermit {
  /** Set when the call is a half-open probe. */
  readonly probeId: string | null;
}

export type BreakerCheck =
  | { allowed: true; permit: BreakerPermit }
  | { allowed: false; retryAfterSeconds: number; state: BreakerState };

export interface CircuitBreaker {
  readonly name: DependencyName;
  /** Asks whether a call may go ahead. When rejected, retry after `retryAfterSeconds` (at least 1). */
  check(): Promise<BreakerCheck>;
  /** Records a call that the dependency served. */
  recordSuccess(permit?: BreakerPermit): Promise<void>;
  /** Records a call that failed because of the dependency (timeout, 5xx, network error). */
  recordFailure(permit?: BreakerPermit): Promise<void>;
  /** Frees a probe slot without an outcome, for calls whose result tells nothing about health. */
  release(permit: BreakerPermit): Promise<void>;
  /** Reads the state, window counts and transition counts without changing the state. */
  state(): Promise<BreakerSnapshot>;
}

const OptionsSchema = z.object({
  name: z.string().min(1),
  keyPrefix: z.string(),
  windowSeconds: z.number().int().min(1).max(86_400).default(60),
  minimumRequests: z.number().int().min(1).default(10),
  failureRateThreshold: z.number().gt(0).max(1).default(0.5),
  openSeconds: z.number().positive().max(86_400).default(30),
  halfOpenProbes: z.number().int().min(1).default(1),
  probeLeaseSeconds: z.number().positive().max(86_400).default(60),
});

// The window is kept as this many buckets, so it slides in steps of a tenth of its length.
const WINDOW_BUCKETS = 10;

const CheckReplySchema = z.object({
  allowed: z.boolean(),
  state: z.enum(["closed", "open", "half-open"]),
  transition: z.string(),
  retryAfterMs: z.number().optional(),
  probe: z.boolean().optional(),
});

const RecordReplySchema = z.object({
  state: z.enum(["closed", "open", "half-open"]),
  transition: z.string(),
});

/**
 * Creates a breaker for one dependency. Options are checked here, and invalid ones throw a
 * `ZodError` naming the field. Instances with the same `name` and `keyPrefix` share their state.
 *
 * @example
 * const github = createCircuitBreaker(redis, { name: "github", keyPrefix: config.redis.keyPrefix, logger });
 */
export function createCircuitBreaker(redis: RedisClient, options: CircuitBreakerOptions): CircuitBreaker {
  const parsed = OptionsSchema.parse(options);
  const name = options.name;
  const logger = (options.logger ?? silentLogger).child({ breaker: name });
  const keys = breakerKeys(parsed.keyPrefix, name);
  const windowMs = parsed.windowSeconds * 1000;
  const scriptArguments: ScriptArguments = {
    name,
    windowMs,
    bucketMs: Math.max(1, Math.floor(windowMs / WINDOW_BUCKETS)),
    minimumRequests: parsed.minimumRequests,
    failureRateThreshold: parsed.failureRateThreshold,
    openMs: Math.round(parsed.openSeconds * 1000),
    halfOpenProbes: parsed.halfOpenProbes,
    probeLeaseMs: Math.round(parsed.probeLeaseSeconds * 1000),
  };

  const args = (probeId: string, outcome: string) => [
    scriptArguments.name,
    scriptArguments.windowMs,
    scriptArguments.bucketMs,
    scriptArguments.minimumRequests,
    scriptArguments.failureRateThreshold,
    scriptArguments.openMs,
    scriptArguments.halfOpenProbes,
    scriptArguments.probeLeaseMs,
    probeId,
    outcome,
  ];

  const reportTransition = async (transition: string): Promise<void> => {
    if (transition === "") return;
    const [from, to] = transition.split("->") as [BreakerState, BreakerState];
    const event: BreakerTransitionEvent = { name, from, to };
    const level = to === "open" ? "warn" : "info";
    logger[level]("circuit breaker transition", { from, to });
    if (options.onTransition === undefined) return;
    try {
      await options.onTransition(event);
    } catch (error) {
      logger.error("circuit breaker transition hook failed", { from, to, error });
    }
  };

  const record = async (
    outcome: "success" | "failure" | "release",
    permit?: BreakerPermit,
  ): Promise<void> => {
    const reply = await runJsonScript(
      redis,
      RECORD_SCRIPT,
      keys.list,
      args(permit?.probeId ?? "", outcome),
      RecordReplySchema,
    );
    await reportTransition(reply.transition);
  };

  return {
    name,
    async check() {
      const probeId = crypto.randomUUID();
      const reply = await runJsonScript(redis, CHECK_SCRIPT, keys.list, args(probeId, ""), CheckReplySchema);
      await reportTransition(reply.transition);
      if (reply.allowed) return { allowed: true, permit: { probeId: reply.probe ? probeId : null } };
      return {
        allowed: false,
        state: reply.state,
        retryAfterSeconds: Math.max(1, Math.ceil((reply.retryAfterMs ?? 1000) / 1000)),
      };
    },
    recordSuccess: (permit) => record("success", permit),
    recordFailure: (permit) => record("failure", permit),
    release: (permit) => record("release", permit),
    state: () => readBreakerSnapshot(redis, parsed.keyPrefix, name, scriptArguments),
  };
}
