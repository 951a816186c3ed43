import type { Redis } from "@upstash/redis";
import { type Opportunity, OpportunitySchema } from "../domain/index.js";
import type { Keys } from "./keys.js";

export interface OpportunityFilter {
  /** Repository primary language, case-insensitive. */
  language?: string;
  /** A label the issue carries, case-insensitive. */
  label?: string;
  maxDifficulty?: number;
}

/** Ranked opportunities: one JSON record per issue and a sorted set by score. */
export function createOpportunityStore(redis: Redis, keys: Keys) {
  return {
    async putMany(opportunities: Opportunity[]): Promise<void> {
      if (opportunities.length === 0) return;
      const writes = redis.pipeline();
      for (const opportunity of opportunities) {
        writes.set(keys.opportunity(opportunity.issueId), OpportunitySchema.parse(opportunity));
        writes.zadd(keys.opportunities(), { score: opportunity.score, member: opportunity.issueId });
      }
      await writes.exec();
    },

    async removeMany(issueIds: string[]): Promise<void> {
      if (issueIds.length === 0) return;
      const writes = redis.pipeline();
      for (const issueId of issueIds) {
        writes.del(keys.opportunity(issueId));
        writes.zrem(keys.opportunities(), issueId);
      }
      await writes.exec();
    },

    async getMany(issueIds: string[]): Promise<Opportunity[]> {
      if (issueIds.length === 0) return [];
      const values = await redis.mget<unknown[]>(...issueIds.map((id) => keys.opportunity(id)));
      return values
        .filter((value) => value !== null && value !== undefined)
        .map((value) => OpportunitySchema.parse(value));
    },

    async count(): Promise<number> {
      return redis.zcard(keys.opportunities());
    },

    /**
     * Opportunities that pass `filter`, by descending score; ties are not ordered (callers that show a
     * ranking apply `rankOpportunities`). Reads the whole ranking and filters in memory, which
     * suits tens of thousands of opportunities; past that, keep per-language sorted sets.
     */
    async list(filter: OpportunityFilter = {}): Promise<Opportunity[]> {
      const ids = await redis.zrange<string[]>(keys.opportunities(), 0, -1, { rev: true });
      const all = await this.getMany(ids);
      const language = filter.language?.toLowerCase();
      const label = filter.label?.toLowerCase();
      const matching = all.filter(
        (opportunity) =>
          (language === undefined || opportunity.language?.toLowerCase() === language) &&
          (label === undefined || opportunity.labels.some((name) => name.toLowerCase() === label)) &&
          (filter.maxDifficulty === undefined || opportunity.analysis.difficulty <= filter.maxDifficulty),
      );
      return matching;
    },
  };
}

export type OpportunityStore = ReturnType<typeof createOpportunityStore>;
