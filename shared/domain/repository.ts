import { z } from "zod";

/** `owner/name` exactly as GitHub spells it, e.g. `pandas-dev/pandas`. */
export const RepositoryNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "expected a repository name of the form owner/name");

/** A watched GitHub repository and the bookkeeping of its incremental scans. */
export const RepositorySchema = z.object({
  /** GitHub GraphQL node id; the upsert key. */
  id: z.string().min(1),
  owner: z.string().min(1),
  name: z.string().min(1),
  nameWithOwner: RepositoryNameSchema,
  url: z.string().url(),
  primaryLanguage: z.string().nullable(),
  description: z.string().nullable(),
  topics: z.array(z.string()).default([]),
  stargazerCount: z.number().int().nonnegative().default(0),
  isArchived: z.boolean().default(false),
  /** ISO time of the newest `updatedAt` seen among its issues; the next scan asks only for newer ones. */
  issuesUpdatedSince: z.string().datetime().nullable().default(null),
  /** ISO time the last successful scan finished. */
  lastScannedAt: z.string().datetime().nullable().default(null),
});
export type Repository = z.infer<typeof RepositorySchema>;
