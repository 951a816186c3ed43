/**
 * Applies a profile's fault phases to the stand-ins at their `atMs`. Each phase's seeds are drawn
 * from the run's generator when the plan is made, before anything runs, so they do not depend on
 * timing.
 */
import type { Logger } from "pino";
import type { ChaosPhase } from "./profiles.js";
import type { ChaosRandom } from "./random.js";
import type { ChaosStack } from "./stack.js";

interface PlannedPhase {
  phase: ChaosPhase;
  seeds: { github: number; model: number; sinks: number };
}

export interface FaultSchedule {
  /** Applies the phases whose time has come, then the rest on timers, counted from now. */
  start(): void;
  /** Cancels the phases not yet applied. */
  stop(): void;
  /** Cancels the phases not yet applied and turns every stand-in's faults off. */
  end(): void;
  /** Number of phases applied so far. */
  applied(): number;
}

export function planFaultSchedule(
  stack: ChaosStack,
  phases: ChaosPhase[],
  random: ChaosRandom,
  logger: Logger,
): FaultSchedule {
  const planned: PlannedPhase[] = [...phases]
    .sort((a, b) => a.atMs - b.atMs)
    .map((phase) => ({
      phase,
      seeds: { github: random.seed(), model: random.seed(), sinks: random.seed() },
    }));
  const timers: NodeJS.Timeout[] = [];
  let applied = 0;

  const apply = ({ phase, seeds }: PlannedPhase): void => {
    if (phase.github !== undefined) stack.github.setFaults(phase.github ?? {}, seeds.github);
    if (phase.model !== undefined) {
      stack.model.setMode(
        phase.model === null
          ? { mode: "ok", faultRate: 0 }
          : {
              mode: "ok",
              faultRate: phase.model.faultRate,
              faults: phase.model.faults,
              retryAfterSeconds: phase.model.retryAfterSeconds,
              hangMs: phase.model.hangMs,
              seed: seeds.model,
            },
      );
    }
    if (phase.sinks !== undefined) {
      stack.sinks.setFaults(phase.sinks === null ? null : { ...phase.sinks, seed: seeds.sinks });
    }
    applied += 1;
    logger.info({ atMs: phase.atMs, phase }, "chaos fault phase applied");
  };

  return {
    start: () => {
      for (const entry of planned) {
        if (entry.phase.atMs === 0) apply(entry);
        else timers.push(setTimeout(() => apply(entry), entry.phase.atMs));
      }
    },
    stop: () => {
      for (const timer of timers) clearTimeout(timer);
    },
    end: () => {
      for (const timer of timers) clearTimeout(timer);
      stack.github.setFaults({});
      stack.model.setMode({ mode: "ok", faultRate: 0 });
      stack.sinks.setFaults(null);
      logger.info("chaos faults ended");
    },
    applied: () => applied,
  };
}
