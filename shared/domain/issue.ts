import { z } from "zod";
import { RepositoryNameSchema } from "./repository.js";

/** An issue as the pipeline stores it, normalised from GitHub's GraphQL `Issue` object. */
export const IssueSchema = z.object({
  /** GitHub GraphQL node id; the upsert key. */
  id: z.string().min(1),
  repository: RepositoryNameSchema,
  number: z.number().int().positive(),
  url: z.string().url(),
  title: z.string(),
  body: z.string(),
  state: z.enum(["OPEN", "CLOSED"]),
  locked: z.boolean().default(false),
  labels: z.array(z.string()),
  assignees: z.array(z.string()).default([]),
  author: z.string().nullable(),
  createdAt: z.string().datetime(),
  updatedAt: z.string().datetime(),
  commentCount: z.number().int().nonnegative(),
  /**
   * SHA-256 (hex) of title, body and sorted labels. Analysis is keyed by it, so an issue whose text and
   * labels did not change is never analysed twice.
   */
  contentHash: z.string().regex(/^[0-9a-f]{64}$/),
});
export type Issue = z.infer<typeof IssueSchema>;
