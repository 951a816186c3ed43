/**
 * App kills and QStash restarts at seeded moments. A kill waits (up to `KILL_WAIT_MS`) until the app
 * has a QStash request in flight, so it lands in the middle of a workflow step, then starts the app
 * again on the same port. The moments are drawn when the plan is made; which step is cut depends on
 * timing and is not reproducible.
 */
import type { Logger } from "pino";
import type { ChaosProfile } from "./profiles.js";
import type { ChaosRandom } from "./random.js";
import type { ChaosStack } from "./stack.js";

/** Maximum wait for an in-flight request before killing the app anyway, in ms. */
const KILL_WAIT_MS = 3_000;
const POLL_MS = 5;

export interface DisruptionRecord {
  kind: "app-kill" | "qstash-restart";
  /** Planned moment, in ms after the sweep request. */
  plannedAtMs: number;
  /** Actual moment of the kill or close, in ms after the sweep request. */
  atMs: number;
  /** For app kills: QStash requests in flight in the app when it was killed. */
  inFlight?: number;
  /** Time until the process or server was back, in ms. */
  downMs: number;
}

export interface Disruptions {
  /** Resolves with the records once every planned disruption has happened. */
  done: Promise<DisruptionRecord[]>;
}

export function planDisruptions(
  disruptions: ChaosProfile["disruptions"],
  random: ChaosRandom,
): { kind: DisruptionRecord["kind"]; atMs: number }[] {
  const plan: { kind: DisruptionRecord["kind"]; atMs: number }[] = [];
  for (let index = 0; index < disruptions.appKills; index += 1) {
    plan.push({ kind: "app-kill", atMs: random.int(0, disruptions.windowMs) });
  }
  for (let index = 0; index < disruptions.qstashRestarts; index += 1) {
    plan.push({ kind: "qstash-restart", atMs: random.int(0, disruptions.windowMs) });
  }
  return plan.sort((a, b) => a.atMs - b.atMs);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Runs `plan` one disruption at a time, with times counted from `startMs` (epoch ms). */
export function runDisruptions(
  stack: ChaosStack,
  plan: { kind: DisruptionRecord["kind"]; atMs: number }[],
  startMs: number,
  logger: Logger,
): Disruptions {
  const done = (async () => {
    const records: DisruptionRecord[] = [];
    for (const planned of plan) {
      await sleep(startMs + planned.atMs - Date.now());
      if (planned.kind === "app-kill") {
        const waitUntil = Date.now() + KILL_WAIT_MS;
        while (stack.app.traffic().inFlight === 0 && Date.now() < waitUntil) await sleep(POLL_MS);
        const inFlight = stack.app.traffic().inFlight;
        const killedAt = Date.now();
        const pid = stack.app.pid();
        await stack.app.kill();
        await stack.app.start();
        const record: DisruptionRecord = {
          kind: "app-kill",
          plannedAtMs: planned.atMs,
          atMs: killedAt - startMs,
          inFlight,
          downMs: Date.now() - killedAt,
        };
        logger.info({ ...record, pid, newPid: stack.app.pid() }, "chaos killed and restarted the app");
        records.push(record);
      } else {
        const closedAt = Date.now();
        await stack.restartQStash();
        const record: DisruptionRecord = {
          kind: "qstash-restart",
          plannedAtMs: planned.atMs,
          atMs: closedAt - startMs,
          downMs: Date.now() - closedAt,
        };
        logger.info(record, "chaos restarted the QStash server");
        records.push(record);
      }
    }
    return records;
  })();
  return { done };
}
