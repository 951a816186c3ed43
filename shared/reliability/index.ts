/**
 * Failure handling for calls to external services: idempotency keys, failure classification,
 * retry policies and circuit breakers. Runs in Cloudflare Workers and Node (no Node-only APIs).
 */

export {
  type BreakerSnapshot,
  type BreakerState,
  type BreakerTransition,
  listBreakers,
} from "./breaker-store.js";
export {
  type BreakerCheck,
  type BreakerPermit,
  type BreakerTransitionEvent,
  type CircuitBreaker,
  type CircuitBreakerOptions,
  createCircuitBreaker,
} from "./circuit-breaker.js";
export {
  type ClassifyContext,
  classifyFailure,
  type DependencyName,
  ExternalCallError,
  type ExternalCallFacts,
  type FailureClassification,
  type FailureKind,
  isExternalCallError,
} from "./failure.js";
export type { GraphqlErrorLike } from "./failure-graphql.js";
export { type FailureTag, readFailureTag, type TaggedFailureKind, tagFailure } from "./failure-tag.js";
export { createHeaderReader, type HeadersLike, parseRetryAfterSeconds } from "./headers.js";
export {
  type BeginOptions,
  beginIdempotentAction,
  type ClaimOptions,
  type ClaimResult,
  type CompleteOptions,
  type CompleteResult,
  claimIdempotencyKey,
  completeIdempotentAction,
  countDuplicates,
  formatIdempotencyKey,
  IDEMPOTENCY_KINDS,
  type IdempotencyKey,
  type IdempotencyKind,
  type IdempotencyState,
  type IdempotencyStoreOptions,
  idempotencyKeys,
  type ReleaseOptions,
  type ReleaseResult,
  type RunIdempotentOptions,
  type RunIdempotentResult,
  releaseIdempotencyKey,
  releaseIdempotentAction,
  runIdempotentAction,
} from "./idempotency.js";
export type { RedisClient } from "./redis-script.js";
export {
  backoffDelayMs,
  compileRetryPolicies,
  computeRetryDelayMs,
  DEFAULT_RETRY_POLICIES,
  MAX_RETRIES,
  MAX_RETRY_DELAY_MS,
  RETRY_POLICY_NAMES,
  type RetryPolicies,
  type RetryPoliciesInput,
  type RetryPolicy,
  RetryPolicyError,
  type RetryPolicyName,
  retryOptions,
} from "./retry-policy.js";
export { SECONDARY_RATE_LIMIT_SECONDS } from "./status.js";
export {
  DEFAULT_RETRY_AFTER_SECONDS,
  isPoisonInputError,
  MAX_RETRY_AFTER_SECONDS,
  PoisonInputError,
  type RunExternalOptions,
  runExternal,
  toWorkflowError,
} from "./workflow-errors.js";
