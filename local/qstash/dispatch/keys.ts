/**
 * Redis key layout of the dispatch features. Every key starts with the server's `keyPrefix` followed
 * by `dispatch:`, so the dispatch features never collide with the message core's keys and a test can
 * delete exactly its own keys.
 */
export interface DispatchKeys {
  /** Counter that orders accepted messages across all queues and flow-control keys (FIFO order). */
  sequence: string;
  /** ZSET of message id → lease expiry (epoch ms) over every granted delivery, for global parallelism. */
  globalInFlight: string;
  /** ZSET of queue name → creation time (epoch ms). */
  queueIndex: string;
  /** HASH of one queue's settings: parallelism, paused, createdAt, updatedAt. */
  queue(name: string): string;
  /** ZSET of flow-control key → creation time (epoch ms). */
  flowControlIndex: string;
  /** HASH of one flow-control key's settings and rate-window state. */
  flowControl(key: string): string;
  /** The three per-lane sets the gate keeps for one queue or flow-control key. */
  lane(kind: LaneKind, name: string): LaneKeys;
  /** ZSET of schedule id → creation time (epoch ms). */
  scheduleIndex: string;
  /** ZSET of schedule id → next fire time (epoch ms); paused schedules are absent. */
  scheduleDue: string;
  /** HASH of one schedule: its stored request plus run-time fields. */
  schedule(id: string): string;
  /** ZSET of URL group name → creation time (epoch ms). */
  urlGroupIndex: string;
  /** HASH of one URL group's endpoints: endpoint URL → JSON `{name?, url, position}`. */
  urlGroupEndpoints(name: string): string;
  /** HASH of one URL group's createdAt, updatedAt and next endpoint position. */
  urlGroupMeta(name: string): string;
}

export type LaneKind = "queue" | "flowControl";

/** Sets the gate keeps for one lane (a queue or a flow-control key). */
export interface LaneKeys {
  /** ZSET of message id → acceptance sequence number: messages accepted and not yet finished. */
  pending: string;
  /** ZSET of message id → lease expiry (epoch ms): messages being delivered now. */
  inFlight: string;
  /**
   * ZSET of message id → time (epoch ms) it is expected to call `acquire` again: due messages the
   * gate has turned away. Earlier entries block later ones, which keeps each lane close to FIFO.
   */
  waiting: string;
}

export function createDispatchKeys(keyPrefix: string): DispatchKeys {
  const base = `${keyPrefix}dispatch:`;
  return {
    sequence: `${base}sequence`,
    globalInFlight: `${base}global:inflight`,
    queueIndex: `${base}queues`,
    queue: (name) => `${base}queue:${name}`,
    flowControlIndex: `${base}flowcontrols`,
    flowControl: (key) => `${base}fc:${key}`,
    lane: (kind, name) => {
      const lanePrefix = `${base}lane:${kind === "queue" ? "q" : "fc"}:${name}:`;
      return {
        pending: `${lanePrefix}pending`,
        inFlight: `${lanePrefix}inflight`,
        waiting: `${lanePrefix}waiting`,
      };
    },
    scheduleIndex: `${base}schedules`,
    scheduleDue: `${base}schedules:due`,
    schedule: (id) => `${base}schedule:${id}`,
    urlGroupIndex: `${base}topics`,
    urlGroupEndpoints: (name) => `${base}topic:${name}:endpoints`,
    urlGroupMeta: (name) => `${base}topic:${name}:meta`,
  };
}
