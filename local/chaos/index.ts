export type { DisruptionRecord } from "./disruptions.js";
export {
  BUILT_IN_PROFILE_NAMES,
  type ChaosPhase,
  type ChaosProfile,
  ChaosProfileSchema,
  loadChaosProfile,
} from "./profiles.js";
export { type ChaosRandom, createChaosRandom } from "./random.js";
export { type ChaosReport, deliveryKeyOf, formatChaosReport, type RunCounts } from "./report.js";
export { CHAOS_APP_ENV, type ChaosOptions, runChaos } from "./run.js";
export { type SyntheticSnapshot, writeSyntheticSnapshot } from "./snapshot.js";
export { type ChaosStack, findFreePort, startChaosStack } from "./stack.js";
