/**
 * Idempotency keys: each side effect of the pipeline happens once per key, however many times
 * QStash redelivers a message, GitHub resends a webhook or a workflow step is retried.
 *
 * Key scheme (also in docs/idempotency.md). Every key is stored as `{keyPrefix}idempotency:{kind}:{parts}`,
 * where `keyPrefix` is the product's Redis prefix (`radar:` by default). A `:` or `%` inside a part is
 * percent-encoded so parts cannot run into each other.
 *
 * | kind               | key                                              | side effect it guards                   |
 * | ------------------ | ------------------------------------------------ | --------------------------------------- |
 * | `webhook-delivery` | `webhook-delivery:{deliveryId}`                  | starting work for one GitHub delivery   |
 * | `scan`             | `scan:{repository}:{dataVersion}`                | one scan of one repository data version |
 * | `analysis`         | `analysis:{contentHash}`                         | one model analysis of one issue content |
 * | `notification`     | `notification:{subscriberId}:{issueId}:{channel}`| one notification per subscriber channel |
 *
 * Each record is a JSON string `{"state":"in-progress"|"done","owner":"..."}` with a TTL, written
 * only by the Lua scripts below:
 * - `claimIdempotencyKey` writes `done` at once (`SET NX EX`). Use it when the work after the claim
 *   cannot half-happen, or call `releaseIdempotencyKey` when that work fails.
 * - `beginIdempotentAction` writes `in-progress` with a short lease, `completeIdempotentAction`
 *   rewrites it to `done` with the long TTL, and `releaseIdempotentAction` deletes it after a
 *   failure so a retried step can run again. `runIdempotentAction` wraps the three.
 *
 * Every attempt that finds the key taken increments `{keyPrefix}idempotency:duplicates:{kind}` in the same
 * script and logs one warning, so a duplicate is never dropped silently.
 *
 * NOTE: one window remains. If the process dies after the side effect but before `complete`, the
 * lease expires and a retry performs the side effect again. Targets that support it must also
 * receive the key (`formatIdempotencyKey`) as their own idempotency key: Resend's
 * `Idempotency-Key` header, the `X-Radar-Delivery` header of outgoing webhooks.
 */
import { z } from "zod";
import { type Logger, silentLogger } from "../logger.js";
import { type RedisClient, runJsonScript } from "./redis-script.js";

export const IDEMPOTENCY_KINDS = ["webhook-delivery", "scan", "analysis", "notification"] as const;
export type IdempotencyKind = (typeof IDEMPOTENCY_KINDS)[number];

/** One idempotency key: its kind (for counters and logs) and its full text without the prefix. */
export interface IdempotencyKey {
  readonly kind: IdempotencyKind;
  readonly value: string;
}

/** Namespace after the product prefix for idempotency records and duplicate counters. */
const NAMESPACE = "idempotency:";

// Hand-written because only two characters need escaping: encodeURIComponent would also escape the
// `/` in `owner/name`, which makes keys harder to read in redis-cli.
function encodeKeyPart(name: string, part: string): string {
  if (part.length === 0) throw new Error(`Idempotency key part "${name}" is empty. Pass a non-empty string.`);
  return part.replaceAll("%", "%25").replaceAll(":", "%3A");
}

function buildKey(kind: IdempotencyKind, parts: Record<string, string>): IdempotencyKey {
  const encoded = Object.entries(parts).map(([name, part]) => encodeKeyPart(name, part));
  return { kind, value: [kind, ...encoded].join(":") };
}

/** Builders for every key in the scheme. Other modules make keys only through these. */
export const idempotencyKeys = {
  /** One GitHub webhook delivery, by its `X-GitHub-Delivery` id. */
  webhookDelivery: (deliveryId: string) => buildKey("webhook-delivery", { deliveryId }),
  /** One scan of `owner/name` at one data version (for example the repository's `updatedAt`). */
  scan: (repository: string, dataVersion: string) => buildKey("scan", { repository, dataVersion }),
  /** One analysis of one issue content, by the hash of the content sent to the model. */
  analysis: (contentHash: string) => buildKey("analysis", { contentHash }),
  /** One notification of one issue to one subscriber on one channel. */
  notification: (subscriberId: string, issueId: string, channel: string) =>
    buildKey("notification", { subscriberId, issueId, channel }),
};

/** Formats the key as text for a target's own idempotency header (Resend `Idempotency-Key`, webhook id). */
export function formatIdempotencyKey(key: IdempotencyKey): string {
  return key.value;
}

export type IdempotencyState = "in-progress" | "done";

/** Result of a claim or begin. `retryAfterSeconds` is the key's remaining TTL when it is taken. */
export type ClaimResult =
  | { claimed: true }
  | { claimed: false; owner: string; state: IdempotencyState; retryAfterSeconds: number };

export interface IdempotencyStoreOptions {
  /** Product Redis prefix (`config.redis.keyPrefix`), empty by default. Tests pass their own. */
  keyPrefix?: string;
  logger?: Logger;
}

export interface ClaimOptions extends IdempotencyStoreOptions {
  /** Lifetime of the record in whole seconds (at least 1). */
  ttlSeconds: number;
  /** Claimant id (run id, step) for logs and for the owner check in complete and release. */
  owner: string;
}

export interface BeginOptions extends IdempotencyStoreOptions {
  /** Lease of an unfinished attempt on the key, in seconds. Make it longer than the side effect takes. */
  leaseSeconds: number;
  /** Unique per attempt, so two concurrent deliveries of one message do not share a lease. */
  owner: string;
}

export interface CompleteOptions extends IdempotencyStoreOptions {
  /** Lifetime of the `done` record in seconds, at least as long as duplicates can still arrive. */
  ttlSeconds: number;
  owner: string;
}

export interface ReleaseOptions extends IdempotencyStoreOptions {
  owner: string;
}

const OwnerSchema = z.string().min(1, "owner must be a non-empty string");
const SecondsSchema = z.number().int().min(1);

const StateSchema = z.enum(["in-progress", "done"]);
const ClaimReplySchema = z.discriminatedUnion("claimed", [
  z.object({ claimed: z.literal(true) }),
  z.object({
    claimed: z.literal(false),
    owner: z.string(),
    state: StateSchema,
    ttl: z.number().int(),
  }),
]);

// KEYS[1] record, KEYS[2] duplicate counter. ARGV[1] state, ARGV[2] owner, ARGV[3] TTL seconds.
const CLAIM_SCRIPT = `
local record = cjson.encode({ state = ARGV[1], owner = ARGV[2] })
if redis.call('SET', KEYS[1], record, 'NX', 'EX', ARGV[3]) then
  return cjson.encode({ claimed = true })
end
redis.call('INCR', KEYS[2])
local ok, existing = pcall(cjson.decode, redis.call('GET', KEYS[1]))
if not ok or type(existing) ~= 'table' then
  return redis.error_reply('idempotency record ' .. KEYS[1] .. ' is not valid JSON')
end
return cjson.encode({ claimed = false, owner = existing.owner, state = existing.state,
  ttl = redis.call('TTL', KEYS[1]) })
`;

function recordKey(key: IdempotencyKey, prefix: string): string {
  return `${prefix}${NAMESPACE}${key.value}`;
}

function duplicatesKey(kind: IdempotencyKind, prefix: string): string {
  return `${prefix}${NAMESPACE}duplicates:${kind}`;
}

async function claimWithState(
  redis: RedisClient,
  key: IdempotencyKey,
  state: IdempotencyState,
  owner: string,
  seconds: number,
  options: IdempotencyStoreOptions,
): Promise<ClaimResult> {
  const prefix = options.keyPrefix ?? "";
  const reply = await runJsonScript(
    redis,
    CLAIM_SCRIPT,
    [recordKey(key, prefix), duplicatesKey(key.kind, prefix)],
    [state, owner, seconds],
    ClaimReplySchema,
  );
  if (reply.claimed) return { claimed: true };

  // TTL is -1 only if something removed the expiry, and then the caller retries in a second.
  const retryAfterSeconds = Math.max(1, reply.ttl);
  (options.logger ?? silentLogger).warn("idempotency duplicate attempt", {
    idempotencyKey: key.value,
    kind: key.kind,
    owner,
    existingOwner: reply.owner,
    existingState: reply.state,
  });
  return { claimed: false, owner: reply.owner, state: reply.state, retryAfterSeconds };
}

/**
 * Claims `key` as `done` for `ttlSeconds` unless another owner has it (one `SET NX EX`). A claim that finds
 * the key taken increments `duplicates:{kind}` and logs a warning.
 *
 * @example
 * const result = await claimIdempotencyKey(redis, idempotencyKeys.webhookDelivery(id), { ttlSeconds: 86_400, owner: id });
 * if (!result.claimed) return c.json({ duplicate: true }, 200);
 */
export async function claimIdempotencyKey(
  redis: RedisClient,
  key: IdempotencyKey,
  options: ClaimOptions,
): Promise<ClaimResult> {
  const owner = OwnerSchema.parse(options.owner);
  const ttlSeconds = parseSeconds("ttlSeconds", options.ttlSeconds);
  return claimWithState(redis, key, "done", owner, ttlSeconds, options);
}

/**
 * Claims `key` as `in-progress` for `leaseSeconds`. While the lease runs, other attempts get
 * `{ claimed: false, state: "in-progress", retryAfterSeconds }` and should retry after that delay.
 */
export async function beginIdempotentAction(
  redis: RedisClient,
  key: IdempotencyKey,
  options: BeginOptions,
): Promise<ClaimResult> {
  const owner = OwnerSchema.parse(options.owner);
  const leaseSeconds = parseSeconds("leaseSeconds", options.leaseSeconds);
  return claimWithState(redis, key, "in-progress", owner, leaseSeconds, options);
}

function parseSeconds(field: string, value: number): number {
  const parsed = SecondsSchema.safeParse(value);
  if (!parsed.success) {
    throw new Error(`Invalid ${field}: ${value}. Expected a whole number of seconds, at least 1.`);
  }
  return parsed.data;
}

/** Result of `completeIdempotentAction`. `leaseExpired` means the lease ran out before completion. */
export type CompleteResult =
  | { completed: true; leaseExpired: boolean }
  | { completed: false; owner: string; state: IdempotencyState };

/** Result of a release. `released: false` means another owner has the key, or the key is missing. */
export type ReleaseResult = { released: true } | { released: false; owner: string | null; state: string };

const CompleteReplySchema = z.discriminatedUnion("completed", [
  z.object({ completed: z.literal(true), leaseExpired: z.boolean() }),
  z.object({ completed: z.literal(false), owner: z.string(), state: StateSchema }),
]);

const ReleaseReplySchema = z.discriminatedUnion("released", [
  z.object({ released: z.literal(true) }),
  z.object({ released: z.literal(false), owner: z.string().nullable(), state: z.string() }),
]);

// KEYS[1] record. ARGV[1] owner, ARGV[2] TTL seconds of the done record.
// A missing record (the lease expired and no other attempt began) is still marked done, because the side
// effect did happen and a later attempt must not repeat it.
const COMPLETE_SCRIPT = `
local raw = redis.call('GET', KEYS[1])
if raw then
  local ok, existing = pcall(cjson.decode, raw)
  if not ok or type(existing) ~= 'table' then
    return redis.error_reply('idempotency record ' .. KEYS[1] .. ' is not valid JSON')
  end
  if existing.owner ~= ARGV[1] then
    return cjson.encode({ completed = false, owner = existing.owner, state = existing.state })
  end
end
redis.call('SET', KEYS[1], cjson.encode({ state = 'done', owner = ARGV[1] }), 'EX', ARGV[2])
return cjson.encode({ completed = true, leaseExpired = not raw })
`;

// KEYS[1] record. ARGV[1] owner, ARGV[2] the state the record must be in to be deleted.
const RELEASE_SCRIPT = `
local raw = redis.call('GET', KEYS[1])
if not raw then
  return cjson.encode({ released = false, owner = cjson.null, state = 'missing' })
end
local ok, existing = pcall(cjson.decode, raw)
if not ok or type(existing) ~= 'table' then
  return redis.error_reply('idempotency record ' .. KEYS[1] .. ' is not valid JSON')
end
if existing.owner ~= ARGV[1] or existing.state ~= ARGV[2] then
  return cjson.encode({ released = false, owner = existing.owner, state = existing.state })
end
redis.call('DEL', KEYS[1])
return cjson.encode({ released = true })
`;

/**
 * Marks an action begun by `owner` as `done` for `ttlSeconds`. Returns `completed: false` when
 * another owner took the key after this owner's lease expired: the side effect may then have run
 * twice, which is logged as an error.
 */
export async function completeIdempotentAction(
  redis: RedisClient,
  key: IdempotencyKey,
  options: CompleteOptions,
): Promise<CompleteResult> {
  const owner = OwnerSchema.parse(options.owner);
  const ttlSeconds = parseSeconds("ttlSeconds", options.ttlSeconds);
  const prefix = options.keyPrefix ?? "";
  const logger = options.logger ?? silentLogger;
  const reply = await runJsonScript(
    redis,
    COMPLETE_SCRIPT,
    [recordKey(key, prefix)],
    [owner, ttlSeconds],
    CompleteReplySchema,
  );

  const attributes = { idempotencyKey: key.value, kind: key.kind, owner };
  if (!reply.completed) {
    logger.error("idempotency lease lost before completion", {
      ...attributes,
      existingOwner: reply.owner,
      existingState: reply.state,
    });
  } else if (reply.leaseExpired) {
    logger.warn("idempotency lease expired before completion", attributes);
  }
  return reply;
}

async function releaseWithState(
  redis: RedisClient,
  key: IdempotencyKey,
  state: IdempotencyState,
  options: ReleaseOptions,
): Promise<ReleaseResult> {
  const owner = OwnerSchema.parse(options.owner);
  const prefix = options.keyPrefix ?? "";
  const reply = await runJsonScript(
    redis,
    RELEASE_SCRIPT,
    [recordKey(key, prefix)],
    [owner, state],
    ReleaseReplySchema,
  );
  if (!reply.released) {
    (options.logger ?? silentLogger).warn("idempotency release skipped", {
      idempotencyKey: key.value,
      kind: key.kind,
      owner,
      existingOwner: reply.owner,
      existingState: reply.state,
    });
  }
  return reply;
}

/** Deletes an `in-progress` record owned by `owner`, so a retried step can begin the action again. */
export function releaseIdempotentAction(
  redis: RedisClient,
  key: IdempotencyKey,
  options: ReleaseOptions,
): Promise<ReleaseResult> {
  return releaseWithState(redis, key, "in-progress", options);
}

/** Deletes a record that `claimIdempotencyKey` wrote for `owner`, when the work after the claim failed. */
export function releaseIdempotencyKey(
  redis: RedisClient,
  key: IdempotencyKey,
  options: ReleaseOptions,
): Promise<ReleaseResult> {
  return releaseWithState(redis, key, "done", options);
}

export interface RunIdempotentOptions extends IdempotencyStoreOptions {
  /** Unique per attempt, for example `${runId}:${stepName}:${crypto.randomUUID()}`. */
  owner: string;
  /** Lease of an unfinished attempt on the key, in seconds. Make it longer than `action` can take. */
  leaseSeconds: number;
  /** Seconds the `done` record lives. */
  ttlSeconds: number;
}

export type RunIdempotentResult<T> =
  | { status: "performed"; value: T }
  | { status: "duplicate"; owner: string; state: IdempotencyState; retryAfterSeconds: number };

/**
 * Runs `action` once per key: begin, run, complete. When `action` throws, releases the key and
 * rethrows, so a retry can run it again. When the key is taken, returns `duplicate` without running
 * `action`. With `state: "in-progress"` the caller should retry after `retryAfterSeconds`
 * (for example with `WorkflowRetryAfterError`); with `state: "done"` the work is finished.
 */
export async function runIdempotentAction<T>(
  redis: RedisClient,
  key: IdempotencyKey,
  options: RunIdempotentOptions,
  action: () => Promise<T>,
): Promise<RunIdempotentResult<T>> {
  const begun = await beginIdempotentAction(redis, key, options);
  if (!begun.claimed) {
    return {
      status: "duplicate",
      owner: begun.owner,
      state: begun.state,
      retryAfterSeconds: begun.retryAfterSeconds,
    };
  }

  let value: T;
  try {
    value = await action();
  } catch (error) {
    await releaseAfterFailure(redis, key, options, error);
    throw error;
  }
  await completeIdempotentAction(redis, key, options);
  return { status: "performed", value };
}

async function releaseAfterFailure(
  redis: RedisClient,
  key: IdempotencyKey,
  options: RunIdempotentOptions,
  actionError: unknown,
): Promise<void> {
  try {
    await releaseIdempotentAction(redis, key, options);
  } catch (releaseError) {
    // The lease still expires on its own, so the action error (rethrown by the caller) matters more.
    (options.logger ?? silentLogger).error("idempotency release failed", {
      idempotencyKey: key.value,
      kind: key.kind,
      owner: options.owner,
      error: releaseError,
      actionError,
    });
  }
}

/** Reads the duplicate counter of one kind (0 when no duplicate was seen). */
export async function countDuplicates(
  redis: RedisClient,
  kind: IdempotencyKind,
  options: Pick<IdempotencyStoreOptions, "keyPrefix"> = {},
): Promise<number> {
  const value = await redis.get<unknown>(duplicatesKey(kind, options.keyPrefix ?? ""));
  return z.coerce
    .number()
    .int()
    .parse(value ?? 0);
}
