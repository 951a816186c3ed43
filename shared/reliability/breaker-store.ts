/**
 * Redis keys of the circuit breakers and read access to their state, including `listBreakers` for
 * admin views that have no breaker instance at hand.
 *
 * Keys under `{keyPrefix}breaker:{name}:`: `state`, `window`, `probes`, `transitions`. The set
 * `{keyPrefix}breakers` lists every breaker name that was ever used.
 */
import { z } from "zod";
import { SNAPSHOT_SCRIPT } from "./breaker-scripts.js";
import { type RedisClient, runJsonScript } from "./redis-script.js";

export type BreakerState = "closed" | "open" | "half-open";
export type BreakerTransition = `${BreakerState}->${BreakerState}`;

/** State of one breaker at one moment. */
export interface BreakerSnapshot {
  name: string;
  /** An open breaker whose open time has passed reads as `half-open`. */
  state: BreakerState;
  /** Seconds until an open breaker admits probes, 0 in the other states. */
  retryAfterSeconds: number;
  /** Epoch milliseconds of the last transition, or null if the breaker never changed state. */
  changedAt: number | null;
  /** Calls counted in the current window. */
  successes: number;
  failures: number;
  /** Probe leases currently held. */
  probes: number;
  /** Transition counts since the breaker was first used, for example `{ "closed->open": 2 }`. */
  transitions: Partial<Record<BreakerTransition, number>>;
}

/** Arguments the scripts take besides the probe id and the outcome. */
export interface ScriptArguments {
  name: string;
  windowMs: number;
  bucketMs: number;
  minimumRequests: number;
  failureRateThreshold: number;
  openMs: number;
  halfOpenProbes: number;
  probeLeaseMs: number;
}

/** Returns the keys of one breaker in the order the scripts expect them. */
export function breakerKeys(keyPrefix: string, name: string): { list: string[] } {
  const base = `${keyPrefix}breaker:${name}:`;
  return {
    list: [`${base}state`, `${base}window`, `${base}probes`, `${base}transitions`, registryKey(keyPrefix)],
  };
}

function registryKey(keyPrefix: string): string {
  return `${keyPrefix}breakers`;
}

// cjson encodes an empty HGETALL reply as `{}`, and a non-empty one as a flat array.
const FlatHashSchema = z.union([z.array(z.union([z.string(), z.number()])), z.object({}).strict()]);

const SnapshotReplySchema = z.object({
  state: z.enum(["closed", "open", "half-open"]),
  retryAfterMs: z.number(),
  changedAt: z.number(),
  successes: z.number(),
  failures: z.number(),
  probes: z.number(),
  transitions: FlatHashSchema,
});

/** Reads one breaker's snapshot. With `args` omitted, the window size stored by the last writer is used. */
export async function readBreakerSnapshot(
  redis: RedisClient,
  keyPrefix: string,
  name: string,
  args?: ScriptArguments,
): Promise<BreakerSnapshot> {
  const scriptArgs = [name, args?.windowMs ?? 0, args?.bucketMs ?? 0, 0, 0, 0, 0, 0, "", ""];
  const reply = await runJsonScript(
    redis,
    SNAPSHOT_SCRIPT,
    breakerKeys(keyPrefix, name).list,
    scriptArgs,
    SnapshotReplySchema,
  );

  const transitions: Partial<Record<BreakerTransition, number>> = {};
  if (Array.isArray(reply.transitions)) {
    for (let index = 0; index + 1 < reply.transitions.length; index += 2) {
      const field = String(reply.transitions[index]) as BreakerTransition;
      transitions[field] = Number(reply.transitions[index + 1]);
    }
  }
  return {
    name,
    state: reply.state,
    retryAfterSeconds: Math.ceil(reply.retryAfterMs / 1000),
    changedAt: reply.changedAt === 0 ? null : reply.changedAt,
    successes: reply.successes,
    failures: reply.failures,
    probes: reply.probes,
    transitions,
  };
}

/** Lists every breaker used under `keyPrefix` with its current state, sorted by name. */
export async function listBreakers(redis: RedisClient, keyPrefix: string): Promise<BreakerSnapshot[]> {
  // The client turns a numeric-looking member into a number, so members are read back as text.
  const members = await redis.smembers(registryKey(keyPrefix));
  const names = z.array(z.union([z.string(), z.number()]).transform(String)).parse(members);
  names.sort();
  return Promise.all(names.map((name) => readBreakerSnapshot(redis, keyPrefix, name)));
}
