export { type DiscoverOptions, type DiscoverResult, runDiscover } from "./run.js";
export { loadSubscribers, SAMPLE_SUBSCRIBERS_FILE } from "./subscribers.js";
export { type DiscoverSummary, formatSummary } from "./summary.js";
