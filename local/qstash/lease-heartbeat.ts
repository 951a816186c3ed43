/**
 * The lease heartbeat of one message attempt. While a server works on a claimed message, it renews
 * the message lease, and the dispatch gate slot once it holds one, every third of the lease. Both
 * leases therefore stay short (default 60 s) however long the request to the endpoint takes. When the
 * process dies, the renewals stop with it, so another server on the same Redis prefix takes the
 * message over about one lease later.
 */
import type { CoreContext } from "./context.js";
import type { GateSubject } from "./contracts.js";

/** Renewals per lease period; three leaves two renewals of slack for a slow Redis round trip. */
const RENEWALS_PER_LEASE = 3;

export interface LeaseHeartbeat {
  /** Renews the gate slot of `subject` from now on too, until `releaseGate` or `stop`. */
  holdGate(subject: GateSubject): void;
  /** Stops renewing the gate slot and waits for a renewal in progress; await it before `gate.release`. */
  releaseGate(): Promise<void>;
  /** Stops every renewal and waits for one still in progress. */
  stop(): Promise<void>;
}

export function startLeaseHeartbeat(
  context: CoreContext,
  messageId: string,
  token: string,
  leaseMs: number,
): LeaseHeartbeat {
  const ids = { messageId };
  let gateSubject: GateSubject | undefined;
  let messageLeaseHeld = true;
  let pending: Promise<void> = Promise.resolve();

  const renew = async () => {
    const subject = gateSubject;
    try {
      if (messageLeaseHeld && !(await context.messages.renewLease(messageId, token, leaseMs))) {
        // The attempt finished meanwhile, or the lease ran out and another server took the message.
        messageLeaseHeld = false;
        context.logger.debug(ids, "message lease no longer held; heartbeat stops renewing it");
      }
      // `acquire` by the holder of a slot renews it without re-checking the limits.
      if (subject !== undefined && gateSubject === subject) {
        await context.dispatch.gate.acquire(subject, leaseMs);
      }
    } catch (error) {
      context.logger.warn(
        { ...ids, err: error },
        "renewing the message lease failed; retrying at the next heartbeat",
      );
    }
  };

  const timer = setInterval(
    () => {
      pending = pending.then(renew);
    },
    Math.max(1, Math.floor(leaseMs / RENEWALS_PER_LEASE)),
  );
  // A pending heartbeat must not keep a stopping process alive.
  timer.unref();

  return {
    holdGate(subject) {
      gateSubject = subject;
    },
    async releaseGate() {
      gateSubject = undefined;
      await pending;
    },
    async stop() {
      clearInterval(timer);
      gateSubject = undefined;
      await pending;
    },
  };
}
