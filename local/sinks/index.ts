export {
  DEFAULT_SINK_KEY_PREFIX,
  readRecordedAttempts,
  readRecordedCounts,
  readRecordedDeliveries,
} from "./recorder.js";
export { type SinkServer, type SinkServerOptions, startSinkServer } from "./server.js";
export type {
  SinkAttempt,
  SinkChannel,
  SinkDelivery,
  SinkFaults,
  SinkFilter,
  SinkOutcome,
} from "./types.js";
