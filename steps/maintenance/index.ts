/**
 * Dead-letter handling and self-healing: dead-run records written by every workflow's failure
 * function, automatic re-drive when a dependency recovers, quarantine, stuck-run handling, alerts and
 * the operator actions behind the admin API. See `docs/reliability.md`.
 */
export { ALERT_CODES, type Alert, type AlertCode, AlertSchema, type AlertSink } from "./alerts.js";
export {
  createDeadLetterActions,
  type DeadLetter,
  type DeadLetterActions,
  type DeadLetterFilter,
  type DeadLetterPage,
  type DeadLetterState,
} from "./dead-letters.js";
export { DEAD_RUN_STATES, type DeadRun, type DeadRunState, type DeadRunStore } from "./dead-run-store.js";
export { type Ops, opsOf } from "./ops.js";
export type { OpsCounters } from "./ops-counters.js";
export { type FailedRun, recordFailedRun, workflowIdOf } from "./record-failure.js";
export { type RedriveSummary, redriveRecoveredRuns } from "./redrive.js";
export { handleStuckRuns, lastProgressAt, type StuckRun } from "./stuck-runs.js";
