/** Read-only counts over one lane (queue or flow-control key) for the info endpoints. */
import type { Redis } from "ioredis";
import type { LaneKeys } from "./keys.js";

export interface LaneCounts {
  /**
   * Messages accepted and not finished that are not being delivered right now.
   * NOTE: a message the core drops without calling `onMessageFinished` stays counted here.
   */
  waiting: number;
  /** Deliveries holding an unexpired lease. */
  inFlight: number;
}

export async function countLane(redis: Redis, lane: LaneKeys, now: number): Promise<LaneCounts> {
  const [pending, inFlight] = await Promise.all([
    redis.zcard(lane.pending),
    redis.zcount(lane.inFlight, `(${now}`, "+inf"),
  ]);
  return { waiting: Math.max(0, pending - inFlight), inFlight };
}
