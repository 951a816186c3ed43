/**
 * Seeded fault injection for the sink server.
 *
 * The PRNG is mulberry32, a 32-bit generator small enough to write out here. Reproducibility needs
 * only a seedable uniform source, and Math.random cannot be seeded.
 * NOTE: draws happen in request arrival order, so concurrent requests may take the draws in a
 * different order from run to run. Send requests one at a time when the exact pattern matters.
 */
import type { z } from "zod";
import { type ResolvedSinkFaults, type SinkChannel, type SinkFaults, sinkFaultsSchema } from "./types.js";

/** The fault chosen for one request. */
export interface InjectedFault {
  delayMs: number;
  /** Status to respond with; undefined means handle the request normally after the delay. */
  status?: number;
  retryAfterSeconds?: number;
}

/** Returns a function that yields uniform numbers in [0, 1) from `seed`. */
export function createSeededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Current fault settings plus the PRNG state that setting them resets. */
export class FaultInjector {
  private faults: ResolvedSinkFaults | null = null;
  private random: () => number = createSeededRandom(1);

  /** Validates and applies `faults`, or turns faults off with null. Throws an Error naming each invalid field. */
  set(faults: SinkFaults | null): ResolvedSinkFaults | null {
    if (faults === null) {
      this.faults = null;
      return null;
    }
    const parsed = sinkFaultsSchema.safeParse(faults);
    if (!parsed.success) throw new Error(`Invalid sink faults: ${describeIssues(parsed.error)}`);
    const resolved = parsed.data;
    this.faults = resolved;
    this.random = createSeededRandom(resolved.seed);
    return resolved;
  }

  current(): ResolvedSinkFaults | null {
    return this.faults;
  }

  /** Draws for one request on `channel` and returns the fault to apply, or null for none. */
  decide(channel: SinkChannel): InjectedFault | null {
    const faults = this.faults;
    if (faults === null) return null;
    if (faults.channel !== undefined && faults.channel !== channel) return null;
    if (this.random() >= faults.rate) return null;
    return { delayMs: faults.delayMs, status: faults.status, retryAfterSeconds: faults.retryAfterSeconds };
  }
}

/** Formats validation issues as `field: message` pairs, e.g. `rate: Too big: expected number to be <=1`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`).join("; ");
}
