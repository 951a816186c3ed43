/**
 * Failure handling for calls to external services: idempotency keys, failure classification,
 * retry policies and circuit breakers. Runs in Cloudflare Workers and Node (no Node-only APIs).
 */
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
