import type { Redis } from "@upstash/redis";
import { type Issue, IssueSchema } from "../domain/index.js";
import type { Keys } from "./keys.js";

export interface IssueUpsertResult {
  created: Issue[];
  changed: Issue[];
  unchanged: Issue[];
}

/** Fields whose change makes a stored issue "changed"; `updatedAt` alone (a new comment) counts too. */
function fingerprint(issue: Issue): string {
  return JSON.stringify([
    issue.contentHash,
    issue.state,
    issue.locked,
    [...issue.assignees].sort(),
    issue.updatedAt,
    issue.commentCount,
  ]);
}

/** Stored issues, upserted by GitHub node id. Writing the same data twice changes nothing. */
export function createIssueStore(redis: Redis, keys: Keys) {
  return {
    async get(issueId: string): Promise<Issue | null> {
      const value = await redis.get(keys.issue(issueId));
      return value === null ? null : IssueSchema.parse(value);
    },

    async getMany(issueIds: string[]): Promise<Issue[]> {
      if (issueIds.length === 0) return [];
      const values = await redis.mget<unknown[]>(...issueIds.map((id) => keys.issue(id)));
      return values
        .filter((value) => value !== null && value !== undefined)
        .map((value) => IssueSchema.parse(value));
    },

    async listByRepository(repository: string): Promise<Issue[]> {
      const ids = await redis.smembers(keys.repositoryIssues(repository));
      return this.getMany(ids);
    },

    /** Upserts issues in one round trip for the reads and one for the writes. */
    async upsertMany(issues: Issue[]): Promise<IssueUpsertResult> {
      const result: IssueUpsertResult = { created: [], changed: [], unchanged: [] };
      if (issues.length === 0) return result;

      const existing = await redis.mget<unknown[]>(...issues.map((issue) => keys.issue(issue.id)));
      const writes = redis.pipeline();
      issues.forEach((issue, index) => {
        const stored = existing[index];
        const parsed = IssueSchema.parse(issue);
        if (stored === null || stored === undefined) {
          result.created.push(parsed);
        } else if (fingerprint(IssueSchema.parse(stored)) !== fingerprint(parsed)) {
          result.changed.push(parsed);
        } else {
          result.unchanged.push(parsed);
          return;
        }
        writes.set(keys.issue(parsed.id), parsed);
        writes.sadd(keys.repositoryIssues(parsed.repository), parsed.id);
      });
      if (result.created.length + result.changed.length > 0) await writes.exec();
      return result;
    },
  };
}

export type IssueStore = ReturnType<typeof createIssueStore>;
