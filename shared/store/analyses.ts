import type { Redis } from "@upstash/redis";
import { type Analysis, AnalysisSchema, type Issue } from "../domain/index.js";
import type { Keys } from "./keys.js";

/** The latest analysis of each issue, with the content hash it was made for. */
export function createAnalysisStore(redis: Redis, keys: Keys) {
  return {
    async getMany(issueIds: string[]): Promise<Map<string, Analysis>> {
      const found = new Map<string, Analysis>();
      if (issueIds.length === 0) return found;
      const values = await redis.mget<unknown[]>(...issueIds.map((id) => keys.analysis(id)));
      values.forEach((value, index) => {
        if (value !== null && value !== undefined) found.set(issueIds[index]!, AnalysisSchema.parse(value));
      });
      return found;
    },

    /** Issues whose current title, body and labels have no analysis yet. */
    async withoutCurrentAnalysis(issues: Issue[]): Promise<Issue[]> {
      const existing = await this.getMany(issues.map((issue) => issue.id));
      return issues.filter((issue) => existing.get(issue.id)?.contentHash !== issue.contentHash);
    },

    async putMany(analyses: Analysis[]): Promise<void> {
      if (analyses.length === 0) return;
      const writes = redis.pipeline();
      for (const analysis of analyses)
        writes.set(keys.analysis(analysis.issueId), AnalysisSchema.parse(analysis));
      await writes.exec();
    },
  };
}

export type AnalysisStore = ReturnType<typeof createAnalysisStore>;
