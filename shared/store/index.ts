import type { Redis } from "@upstash/redis";
import { createAnalysisStore } from "./analyses.js";
import { createIssueStore } from "./issues.js";
import { createKeys } from "./keys.js";
import { createNotificationLedger } from "./notifications.js";
import { createOpportunityStore } from "./opportunities.js";
import { createRepositoryStore } from "./repositories.js";
import { createStatsStore } from "./stats.js";
import { createSubscriberStore } from "./subscribers.js";

export type { IssueUpsertResult } from "./issues.js";
export { createKeys, type Keys } from "./keys.js";
export type { OpportunityFilter } from "./opportunities.js";
export type { Stats, StatsField } from "./stats.js";

/** Every product store over one Redis client and key prefix. */
export function createStores(redis: Redis, keyPrefix: string) {
  const keys = createKeys(keyPrefix);
  return {
    keys,
    repositories: createRepositoryStore(redis, keys),
    issues: createIssueStore(redis, keys),
    analyses: createAnalysisStore(redis, keys),
    opportunities: createOpportunityStore(redis, keys),
    subscribers: createSubscriberStore(redis, keys),
    notifications: createNotificationLedger(redis, keys),
    stats: createStatsStore(redis, keys),
  };
}

export type Stores = ReturnType<typeof createStores>;
