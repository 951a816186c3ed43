/**
 * zod schemas of GitHub's responses to the queries in `queries.ts`, and their conversion into the
 * domain types of `shared/domain/`.
 */
import { z } from "zod";
import type { Issue, Repository } from "../../shared/domain/index.js";

export const RateLimitSchema = z.object({
  cost: z.number().int().nonnegative(),
  remaining: z.number().int().nonnegative(),
  resetAt: z.iso.datetime({ offset: true }),
  limit: z.number().int().positive().optional(),
  used: z.number().int().nonnegative().optional(),
});
export type RateLimit = z.infer<typeof RateLimitSchema>;

const LoginSchema = z.object({ login: z.string() });

export const RepositoryFieldsSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  owner: LoginSchema,
  nameWithOwner: z.string().min(1),
  url: z.string(),
  description: z.string().nullable(),
  primaryLanguage: z.object({ name: z.string() }).nullable(),
  stargazerCount: z.number().int().nonnegative(),
  isArchived: z.boolean(),
  repositoryTopics: z.object({
    nodes: z.array(z.object({ topic: z.object({ name: z.string() }) }).nullable()),
  }),
});

export const RepositoryProbeEntrySchema = RepositoryFieldsSchema.extend({
  changedIssues: z.object({ totalCount: z.number().int().nonnegative() }),
});
export type RepositoryProbeEntry = z.infer<typeof RepositoryProbeEntrySchema>;

export const IssueFieldsSchema = z.object({
  id: z.string().min(1),
  number: z.number().int().positive(),
  url: z.string(),
  title: z.string(),
  body: z.string(),
  state: z.enum(["OPEN", "CLOSED"]),
  locked: z.boolean(),
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
  // null when the author's account was deleted.
  author: LoginSchema.nullable(),
  labels: z.object({ nodes: z.array(z.object({ name: z.string() }).nullable()) }).nullable(),
  assignees: z.object({ nodes: z.array(LoginSchema.nullable()) }),
  comments: z.object({ totalCount: z.number().int().nonnegative() }),
});
export type IssueFields = z.infer<typeof IssueFieldsSchema>;

export const IssuePageSchema = z.object({
  totalCount: z.number().int().nonnegative(),
  pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() }),
  nodes: z.array(IssueFieldsSchema.nullable()),
});
export type IssuePage = z.infer<typeof IssuePageSchema>;

export const IssuePagesEntrySchema = z.object({ nameWithOwner: z.string(), issues: IssuePageSchema });

export const IssueResponseSchema = z.object({
  repository: z.object({ nameWithOwner: z.string(), issue: IssueFieldsSchema.nullable() }).nullable(),
  rateLimit: RateLimitSchema.nullable(),
});

/** A repository's metadata; the scan bookkeeping fields of `Repository` belong to the caller. */
export type RepositoryMetadata = Omit<Repository, "issuesUpdatedSince" | "lastScannedAt">;

export function toRepositoryMetadata(fields: z.infer<typeof RepositoryFieldsSchema>): RepositoryMetadata {
  return {
    id: fields.id,
    owner: fields.owner.login,
    name: fields.name,
    nameWithOwner: fields.nameWithOwner,
    url: fields.url,
    primaryLanguage: fields.primaryLanguage?.name ?? null,
    description: fields.description,
    topics: fields.repositoryTopics.nodes.flatMap((node) => (node ? [node.topic.name] : [])),
    stargazerCount: fields.stargazerCount,
    isArchived: fields.isArchived,
  };
}

function toHex(buffer: ArrayBuffer): string {
  return [...new Uint8Array(buffer)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * Computes an issue's content hash: SHA-256, in lower-case hex, of the UTF-8 JSON text of
 * `[title, body, labels]` with the labels sorted by code unit. JSON encoding keeps the three parts
 * apart whatever characters they contain. Uses WebCrypto, so it runs in Workers and Node.
 */
export async function computeContentHash(
  title: string,
  body: string,
  labels: readonly string[],
): Promise<string> {
  const text = JSON.stringify([title, body, [...labels].sort()]);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return toHex(digest);
}

/** Converts a parsed `IssueFields` object into the domain `Issue`. */
export async function toIssue(repository: string, fields: IssueFields): Promise<Issue> {
  const labels = (fields.labels?.nodes ?? []).flatMap((node) => (node ? [node.name] : []));
  return {
    id: fields.id,
    repository,
    number: fields.number,
    url: fields.url,
    title: fields.title,
    body: fields.body,
    state: fields.state,
    locked: fields.locked,
    labels,
    assignees: fields.assignees.nodes.flatMap((node) => (node ? [node.login] : [])),
    author: fields.author?.login ?? null,
    createdAt: fields.createdAt,
    updatedAt: fields.updatedAt,
    commentCount: fields.comments.totalCount,
    contentHash: await computeContentHash(fields.title, fields.body, labels),
  };
}
