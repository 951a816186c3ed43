/**
 * The chaos run's one seeded generator (xoroshiro128+ from pure-rand). Every fault decision derives
 * from it: the seeds handed to the stand-ins' own fault injectors and the moments of app kills and
 * QStash restarts, so the same `--seed` gives the same fault plan.
 */
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";

export interface ChaosRandom {
  /** Uniform number in [0, 1). */
  next(): number;
  /** Uniform integer in [from, to], both included. */
  int(from: number, to: number): number;
  /** Seed for a stand-in's own fault injector: a 31-bit integer drawn from this generator. */
  seed(): number;
}

export function createChaosRandom(seed: number): ChaosRandom {
  const generator = xoroshiro128plus(seed);
  return {
    next: () => uniformFloat64(generator),
    int: (from, to) => uniformInt(generator, from, to),
    seed: () => uniformInt(generator, 1, 0x7fff_ffff),
  };
}
