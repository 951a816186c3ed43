/**
 * Behaviour of the model stand-in: the reply, or the failure, that each chat-completion request gets.
 *
 * Precedence per request: a queued fault from `failNext` first, then a fixed `mode` other than `ok`,
 * then, in `ok` mode, a seeded draw against `faultRate`. The draw for request number n (counting from 1
 * since the seed was last set) depends only on the seed and n, so a run is reproducible from its seed.
 */
import { z } from "zod";

export const MODEL_FAULTS = [
  "malformed-json",
  "schema-violation",
  "http-429",
  "http-500",
  "timeout",
] as const;
export const ModelFaultSchema = z.enum(MODEL_FAULTS);
/**
 * - `malformed-json`: 200 with reply text that is not JSON
 * - `schema-violation`: 200 with JSON that breaks the analysis schema (difficulty 42 and more)
 * - `http-429`: 429 with a `retry-after` header
 * - `http-500`: 500 with an OpenAI-style error body
 * - `timeout`: no response for `hangMs`, then 504
 */
export type ModelFault = z.infer<typeof ModelFaultSchema>;

export const ModelModeSchema = z.enum(["ok", ...MODEL_FAULTS]);
export type ModelMode = z.infer<typeof ModelModeSchema>;

/** Behaviour fields without defaults; `ModelBehaviourChangeSchema` must not fill in absent fields. */
const behaviourFields = {
  /** Applies to every request once `failNext` is empty. Default `ok`. */
  mode: ModelModeSchema,
  /** Faults for the next requests, one each and in order, before `mode` applies again. Default empty. */
  failNext: z.array(ModelFaultSchema),
  /** Fraction (0 to 1) of `ok`-mode requests that get a fault drawn from `faults`. Default 0. */
  faultRate: z.number().min(0).max(1),
  /** Faults the `faultRate` draw picks from, uniformly. Default: all but `timeout`. */
  faults: z.array(ModelFaultSchema).min(1),
  /** Seed of the `faultRate` draws. Default 1. */
  seed: z.number().int(),
  /** `retry-after` of `http-429` responses, in seconds. Default 1. */
  retryAfterSeconds: z.number().int().nonnegative(),
  /** How long a `timeout` request is held before it gets a 504, in milliseconds. Default 30,000. */
  hangMs: z.number().int().nonnegative(),
};

export const ModelBehaviourSchema = z.object({
  mode: behaviourFields.mode.default("ok"),
  failNext: behaviourFields.failNext.default([]),
  faultRate: behaviourFields.faultRate.default(0),
  faults: behaviourFields.faults.default(["malformed-json", "schema-violation", "http-429", "http-500"]),
  seed: behaviourFields.seed.default(1),
  retryAfterSeconds: behaviourFields.retryAfterSeconds.default(1),
  hangMs: behaviourFields.hangMs.default(30_000),
});

/** A change to the behaviour: any subset of the fields; unknown fields are rejected. */
export const ModelBehaviourChangeSchema = z.object(behaviourFields).partial().strict();
export type ModelBehaviourChange = z.infer<typeof ModelBehaviourChangeSchema>;
export type ModelBehaviour = z.infer<typeof ModelBehaviourSchema>;
export type ModelBehaviourInput = z.input<typeof ModelBehaviourSchema>;

/**
 * Returns a uniform number in [0, 1) for draw `index` under `seed`: the two are mixed with the mulberry32 output
 * function. Hand-written because Math.random cannot be seeded and no seeded generator is a dependency;
 * statistical quality does not matter for picking faults.
 */
export function seededDraw(seed: number, index: number): number {
  let value = (Math.imul(seed | 0, 0x9e3779b1) + Math.imul(index | 0, 0x6d2b79f5)) >>> 0;
  value = Math.imul(value ^ (value >>> 15), value | 1);
  value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
  return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
}

/** Holds the current behaviour and decides the outcome of each request. */
export class FaultPlan {
  private behaviour: ModelBehaviour;
  /** Requests decided since the seed was last set. */
  private drawn = 0;

  constructor(initial: ModelBehaviourInput = {}) {
    this.behaviour = ModelBehaviourSchema.parse(initial);
  }

  current(): ModelBehaviour {
    return structuredClone(this.behaviour);
  }

  /**
   * Merges `change` into the current behaviour. Setting `seed` restarts the draws, even to the same value;
   * `failNext` replaces the queue.
   */
  update(change: ModelBehaviourChange): ModelBehaviour {
    const next = ModelBehaviourSchema.parse({
      ...this.behaviour,
      ...ModelBehaviourChangeSchema.parse(change),
    });
    if (change.seed !== undefined) this.drawn = 0;
    this.behaviour = next;
    return this.current();
  }

  /** Decides the outcome of the next request. */
  next(): ModelMode {
    const queued = this.behaviour.failNext.shift();
    if (queued !== undefined) return queued;
    if (this.behaviour.mode !== "ok") return this.behaviour.mode;
    if (this.behaviour.faultRate === 0) return "ok";

    this.drawn += 1;
    const draw = seededDraw(this.behaviour.seed, this.drawn * 2);
    if (draw >= this.behaviour.faultRate) return "ok";
    const pick = seededDraw(this.behaviour.seed, this.drawn * 2 + 1);
    const faults = this.behaviour.faults;
    return faults[Math.floor(pick * faults.length)] ?? "ok";
  }
}
