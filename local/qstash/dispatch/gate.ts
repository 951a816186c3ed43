/**
 * The dispatch gate: decides whether a due message may be delivered now, given its queue and
 * flow-control key, and tracks the messages of each lane so the info endpoints can report them.
 */
import { z } from "zod";
import type { DispatchGate, GateDecision, GateSubject, ServerContext } from "../contracts.js";
import { DEFAULT_RATE_PERIOD_SECONDS } from "./flow-control-value.js";
import { acceptScript, acquireScript, DENIAL_REASONS } from "./gate-scripts.js";
import { createDispatchKeys, type LaneKeys } from "./keys.js";

export interface GateOptions {
  /** Delay before a message turned away by a parallelism limit or a pause tries again (ms). Default 250. */
  retryIntervalMs?: number;
  /**
   * How late (ms) a turned-away message may come back and still hold its place in line. After that,
   * later messages may overtake it. Default 30 000.
   */
  waitingGraceMs?: number;
  /** Maximum deliveries in flight across the whole server; 0 means unlimited. Default 0. */
  globalParallelismMax?: number;
  /**
   * Maximum number of earlier messages one acquire inspects to keep FIFO order. Past this depth a
   * message is only compared with the first entries of its lane. Default 1000.
   */
  fifoScanLimit?: number;
}

export interface ResolvedGateOptions {
  retryIntervalMs: number;
  waitingGraceMs: number;
  globalParallelismMax: number;
  fifoScanLimit: number;
}

export const DEFAULT_GATE_OPTIONS: ResolvedGateOptions = {
  retryIntervalMs: 250,
  waitingGraceMs: 30_000,
  globalParallelismMax: 0,
  fifoScanLimit: 1_000,
};

/** The gate plus the bookkeeping calls the core makes when messages enter and leave the system. */
export interface LaneGate extends DispatchGate {
  recordAccepted(subject: GateSubject): Promise<void>;
  recordFinished(subject: GateSubject): Promise<void>;
}

const acquireReplySchema = z.union([
  z.tuple([z.literal(1)]),
  z.tuple([z.literal(0), z.number(), z.number()]),
]);

export function resolveGateOptions(options: GateOptions = {}): ResolvedGateOptions {
  const resolved = { ...DEFAULT_GATE_OPTIONS, ...options };
  for (const [field, value] of Object.entries(resolved)) {
    if (!Number.isInteger(value) || value < 0) {
      throw new RangeError(`gate option ${field} must be a non-negative integer, got ${value}`);
    }
  }
  return resolved;
}

export function createLaneGate(context: ServerContext, options: GateOptions = {}): LaneGate {
  const settings = resolveGateOptions(options);
  const keys = createDispatchKeys(context.keyPrefix);
  const logger = context.logger.child({ module: "dispatch-gate" });
  // Stands in for the lane of a subject that has no queue or no flow-control key; never written.
  const unusedLane: LaneKeys = keys.lane("queue", "");
  const queueLane = (subject: GateSubject) =>
    subject.queueName === undefined ? unusedLane : keys.lane("queue", subject.queueName);
  const flowControlLane = (subject: GateSubject) =>
    subject.flowControl === undefined ? unusedLane : keys.lane("flowControl", subject.flowControl.key);

  return {
    async acquire(subject, leaseMs): Promise<GateDecision> {
      if (!Number.isFinite(leaseMs) || leaseMs <= 0) {
        throw new RangeError(`lease must be a positive number of milliseconds, got ${leaseMs}`);
      }
      const queue = queueLane(subject);
      const flow = flowControlLane(subject);
      const flowControl = subject.flowControl;
      const reply = await acquireScript.run(
        context.redis,
        [
          keys.sequence,
          keys.globalInFlight,
          keys.queue(subject.queueName ?? ""),
          queue.pending,
          queue.inFlight,
          queue.waiting,
          keys.flowControl(flowControl?.key ?? ""),
          flow.pending,
          flow.inFlight,
          flow.waiting,
          keys.flowControlIndex,
        ],
        [
          subject.messageId,
          context.now(),
          Math.ceil(leaseMs),
          subject.queueName === undefined ? "0" : "1",
          flowControl === undefined ? "0" : "1",
          flowControl?.parallelism ?? 0,
          flowControl?.rate ?? 0,
          flowControl?.periodSeconds ?? DEFAULT_RATE_PERIOD_SECONDS,
          settings.retryIntervalMs,
          settings.waitingGraceMs,
          settings.globalParallelismMax,
          settings.fifoScanLimit,
          flowControl?.key ?? "",
        ],
      );
      const decision = acquireReplySchema.parse(reply);
      if (decision[0] === 1) return { granted: true };

      const [, retryAt, reason] = decision;
      logger.debug(
        {
          messageId: subject.messageId,
          queueName: subject.queueName,
          flowControlKey: flowControl?.key,
          retryAt,
          reason: DENIAL_REASONS[reason] ?? `code ${reason}`,
        },
        "delivery deferred by dispatch gate",
      );
      return { granted: false, retryAt };
    },

    async release(subject) {
      const multi = context.redis.multi().zrem(keys.globalInFlight, subject.messageId);
      if (subject.queueName !== undefined) multi.zrem(queueLane(subject).inFlight, subject.messageId);
      if (subject.flowControl !== undefined) multi.zrem(flowControlLane(subject).inFlight, subject.messageId);
      await multi.exec();
    },

    async recordAccepted(subject) {
      if (subject.queueName === undefined && subject.flowControl === undefined) return;
      const queue = queueLane(subject);
      const flow = flowControlLane(subject);
      const flowControl = subject.flowControl;
      await acceptScript.run(
        context.redis,
        [
          keys.sequence,
          keys.queue(subject.queueName ?? ""),
          queue.pending,
          keys.queueIndex,
          keys.flowControl(flowControl?.key ?? ""),
          flow.pending,
          keys.flowControlIndex,
        ],
        [
          subject.messageId,
          context.now(),
          subject.queueName === undefined ? "0" : "1",
          flowControl === undefined ? "0" : "1",
          subject.queueName ?? "",
          flowControl?.key ?? "",
          flowControl?.parallelism ?? 0,
          flowControl?.rate ?? 0,
          flowControl?.periodSeconds ?? DEFAULT_RATE_PERIOD_SECONDS,
        ],
      );
    },

    async recordFinished(subject) {
      const multi = context.redis.multi().zrem(keys.globalInFlight, subject.messageId);
      const lanes: LaneKeys[] = [];
      if (subject.queueName !== undefined) lanes.push(queueLane(subject));
      if (subject.flowControl !== undefined) lanes.push(flowControlLane(subject));
      for (const lane of lanes) {
        multi.zrem(lane.pending, subject.messageId);
        multi.zrem(lane.inFlight, subject.messageId);
        multi.zrem(lane.waiting, subject.messageId);
      }
      await multi.exec();
    },
  };
}
