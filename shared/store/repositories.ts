import type { Redis } from "@upstash/redis";
import { type Repository, RepositorySchema } from "../domain/index.js";
import type { Keys } from "./keys.js";

/** Stored repositories and the schedule of their scans. */
export function createRepositoryStore(redis: Redis, keys: Keys) {
  return {
    async get(name: string): Promise<Repository | null> {
      const value = await redis.get(keys.repository(name));
      return value === null ? null : RepositorySchema.parse(value);
    },

    async getMany(names: string[]): Promise<Map<string, Repository>> {
      const found = new Map<string, Repository>();
      if (names.length === 0) return found;
      const values = await redis.mget<unknown[]>(...names.map((name) => keys.repository(name)));
      values.forEach((value, index) => {
        if (value !== null && value !== undefined) found.set(names[index]!, RepositorySchema.parse(value));
      });
      return found;
    },

    /** Writes the repository; returns true when anything but scan bookkeeping changed. */
    async upsert(repository: Repository): Promise<boolean> {
      const previous = await this.get(repository.nameWithOwner);
      await redis.set(keys.repository(repository.nameWithOwner), RepositorySchema.parse(repository));
      if (!previous) return true;
      const strip = ({ lastScannedAt: _a, issuesUpdatedSince: _b, ...rest }: Repository) => rest;
      return JSON.stringify(strip(previous)) !== JSON.stringify(strip(repository));
    },

    /** Adds repositories to the watch list, due now unless already scheduled. Returns how many were new. */
    async watch(names: string[], dueAtMs: number): Promise<number> {
      if (names.length === 0) return 0;
      const [first, ...rest] = names.map((member) => ({ score: dueAtMs, member }));
      return (await redis.zadd(keys.repositoriesDue(), { nx: true }, first!, ...rest)) ?? 0;
    },

    async unwatch(name: string): Promise<void> {
      await redis.zrem(keys.repositoriesDue(), name);
    },

    async isWatched(name: string): Promise<boolean> {
      return (await redis.zscore(keys.repositoriesDue(), name)) !== null;
    },

    async listWatched(): Promise<string[]> {
      return redis.zrange<string[]>(keys.repositoriesDue(), 0, -1);
    },

    /** Repositories whose next scan is due at or before `nowMs`, oldest first. */
    async due(nowMs: number, limit: number): Promise<string[]> {
      return redis.zrange<string[]>(keys.repositoriesDue(), 0, nowMs, {
        byScore: true,
        offset: 0,
        count: limit,
      });
    },

    /** Moves each repository's `issuesUpdatedSince`; names without a stored repository are skipped. */
    async setIssueCursors(cursors: Record<string, string | null>): Promise<void> {
      const names = Object.keys(cursors);
      const stored = await this.getMany(names);
      const writes = redis.pipeline();
      let count = 0;
      for (const [name, repository] of stored) {
        writes.set(keys.repository(name), { ...repository, issuesUpdatedSince: cursors[name] ?? null });
        count += 1;
      }
      if (count > 0) await writes.exec();
    },

    async scheduleNext(names: string[], dueAtMs: number): Promise<void> {
      if (names.length === 0) return;
      const [first, ...rest] = names.map((member) => ({ score: dueAtMs, member }));
      await redis.zadd(keys.repositoriesDue(), { xx: true }, first!, ...rest);
    },
  };
}

export type RepositoryStore = ReturnType<typeof createRepositoryStore>;
