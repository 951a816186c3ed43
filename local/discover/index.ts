export { type DiscoverOptions, type DiscoverResult, readRepositoryNames, runDiscover } from "./run.js";
export { loadSubscribers, SAMPLE_SUBSCRIBERS_FILE } from "./subscribers.js";
export { type DiscoverSummary, formatSummary } from "./summary.js";
export { countActiveRuns, type RunScope, type WaitOptions, waitForIdle } from "./wait.js";
