/**
 * Mapping of failure classes to what the Upstash Workflow runtime does, and `runExternal`, which wraps
 * one call to a dependency with its circuit breaker, classification and mapping.
 *
 * | kind             | thrown                       | what happens (@upstash/workflow 1.3.3)              |
 * | ---------------- | ---------------------------- | --------------------------------------------------- |
 * | `transient`      | the original error           | HTTP 500, QStash retries with the policy's backoff  |
 * | `rate-limited`   | `WorkflowRetryAfterError`    | HTTP 429 + `Retry-After`, QStash retries after it   |
 * | `authentication` | `WorkflowNonRetryableError`  | HTTP 489, failure function, then the DLQ            |
 * | `permanent`      | `WorkflowNonRetryableError`  | HTTP 489, failure function, then the DLQ            |
 * | `poison`         | `PoisonInputError`           | caught by the step: skip the item and record why    |
 *
 * `PoisonInputError` extends `WorkflowNonRetryableError`, so one that no step catches still ends the
 * run through the failure function instead of spending retries on input that can never succeed.
 */
import { WorkflowNonRetryableError, WorkflowRetryAfterError } from "@upstash/workflow";
import { type Logger, silentLogger } from "../logger.js";
import type { BreakerPermit, CircuitBreaker } from "./circuit-breaker.js";
import {
  type ClassifyContext,
  classifyFailure,
  type DependencyName,
  type FailureClassification,
} from "./failure.js";
import { tagFailure } from "./failure-tag.js";

/** Delay used when a service rate-limited us without saying for how long. */
export const DEFAULT_RETRY_AFTER_SECONDS = 60;
/** QStash honours `Retry-After` up to one day; a longer value falls back to its default backoff. */
export const MAX_RETRY_AFTER_SECONDS = 86_400;

/**
 * Input that can never be processed (it fails validation, or names something that no longer exists).
 * Steps catch it with `isPoisonInputError`, record `classification.reason` and skip the item.
 */
export class PoisonInputError extends WorkflowNonRetryableError {
  override readonly name = "PoisonInputError";
  readonly classification: FailureClassification;

  constructor(classification: FailureClassification, options: { cause?: unknown } = {}) {
    super(`poison input: ${classification.reason}`);
    this.classification = classification;
    if (options.cause !== undefined) this.cause = options.cause;
  }
}

/** Checks for a `PoisonInputError` by its stable `name`, so it works across bundles. */
export function isPoisonInputError(value: unknown): value is PoisonInputError {
  return value instanceof Error && value.name === "PoisonInputError";
}

// Errors the workflow SDK uses for control flow; they pass through `runExternal` unchanged.
const WORKFLOW_CONTROL_NAMES = new Set([
  "WorkflowAbort",
  "WorkflowAuthError",
  "WorkflowCancelAbort",
  "WorkflowNonRetryableError",
  "WorkflowRetryAfterError",
  "PoisonInputError",
]);

function isWorkflowControlError(value: unknown): boolean {
  return value instanceof Error && WORKFLOW_CONTROL_NAMES.has(value.name);
}

/**
 * Converts a classification into the error a step should throw. For `transient`, returns `original`
 * when it is an `Error` (QStash then retries with backoff) and a new `Error` otherwise.
 */
export function toWorkflowError(classification: FailureClassification, original?: unknown): Error {
  switch (classification.kind) {
    case "transient":
      return original instanceof Error ? original : new Error(classification.reason, { cause: original });
    case "rate-limited": {
      const seconds = classification.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS;
      const clamped = Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, Math.ceil(seconds)));
      return new WorkflowRetryAfterError(`rate limited: ${classification.reason}`, clamped);
    }
    case "authentication":
    case "permanent":
      return new WorkflowNonRetryableError(`${classification.kind} failure: ${classification.reason}`);
    case "poison":
      return new PoisonInputError(classification, { cause: original });
  }
}

export interface RunExternalOptions {
  /** Breaker of `dependency`; without one, the call is only classified and mapped. */
  breaker?: CircuitBreaker;
  /** Logger carrying the run id and step; `dependency` is added to each record. */
  logger?: Logger;
  /** Clock for rate-limit headers, passed to `classifyFailure`. */
  now?: ClassifyContext["now"];
}

/**
 * Calls `call` on behalf of a workflow step and throws the error the workflow runtime should see.
 *
 * 1. An open breaker (or a half-open one with no free probe slot) throws `WorkflowRetryAfterError`
 *    with the time it has left, without calling `call`.
 * 2. Failures are classified and thrown through `toWorkflowError`.
 * 3. Every error thrown by steps 1 and 2, except `PoisonInputError`, carries a `tagFailure` prefix
 *    naming `dependency` and the failure kind, which the dead-letter records read back.
 * 4. The breaker counts only `transient` failures as failures. A `rate-limited` response is not
 *    counted at all, because the retry-after delay already defers the step, and counting it as well
 *    would open the breaker and defer the step a second time. Other failures (4xx, invalid input)
 *    count as successes, because the dependency itself responded.
 *
 * Breaker bookkeeping never changes the outcome: when Redis fails during `check`, the call goes ahead
 * without the breaker, and when it fails while recording, the call's result or error still wins.
 * Both cases are logged.
 */
export async function runExternal<T>(
  dependency: DependencyName,
  call: () => Promise<T>,
  options: RunExternalOptions = {},
): Promise<T> {
  const logger = (options.logger ?? silentLogger).child({ dependency });
  const breaker = options.breaker;
  const permit = breaker === undefined ? undefined : await admit(breaker, dependency, logger);

  let result: T;
  try {
    result = await call();
  } catch (error) {
    if (isWorkflowControlError(error)) {
      if (breaker !== undefined && permit?.probeId)
        await safely(logger, "release", () => breaker.release(permit));
      throw error;
    }
    const classification = classifyFailure(error, { dependency, now: options.now });
    logger.warn("dependency call failed", {
      kind: classification.kind,
      reason: classification.reason,
      status: classification.status,
      retryAfterSeconds: classification.retryAfterSeconds,
    });
    if (breaker !== undefined) await recordClassified(breaker, permit, classification, logger);
    const mapped = toWorkflowError(classification, error);
    if (classification.kind === "poison") throw mapped;
    throw tagFailure(mapped, { dependency, kind: classification.kind });
  }

  if (breaker !== undefined) await safely(logger, "record success", () => breaker.recordSuccess(permit));
  return result;
}

async function admit(
  breaker: CircuitBreaker,
  dependency: DependencyName,
  logger: Logger,
): Promise<BreakerPermit | undefined> {
  let check: Awaited<ReturnType<CircuitBreaker["check"]>>;
  try {
    check = await breaker.check();
  } catch (error) {
    logger.error("circuit breaker check failed, calling without it", { error });
    return undefined;
  }
  if (check.allowed) return check.permit;

  logger.info("dependency call deferred by circuit breaker", {
    state: check.state,
    retryAfterSeconds: check.retryAfterSeconds,
  });
  const deferred = new WorkflowRetryAfterError(
    `circuit breaker ${breaker.name} is ${check.state}; retrying in ${check.retryAfterSeconds} s`,
    check.retryAfterSeconds,
  );
  throw tagFailure(deferred, { dependency, kind: "circuit-open" });
}

async function recordClassified(
  breaker: CircuitBreaker,
  permit: BreakerPermit | undefined,
  classification: FailureClassification,
  logger: Logger,
): Promise<void> {
  if (classification.kind === "transient") {
    await safely(logger, "record failure", () => breaker.recordFailure(permit));
  } else if (classification.kind === "rate-limited") {
    if (permit?.probeId) await safely(logger, "release", () => breaker.release(permit));
  } else {
    await safely(logger, "record success", () => breaker.recordSuccess(permit));
  }
}

async function safely(logger: Logger, operation: string, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    logger.error("circuit breaker update failed", { operation, error });
  }
}
