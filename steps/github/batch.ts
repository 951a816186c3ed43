/**
 * Helpers shared by the fetch functions: repository name parsing, the issue states a scan requests,
 * alias variables, and reading `NOT_FOUND` entries from partial responses.
 */
import type { z } from "zod";
import { RepositoryNameSchema } from "../../shared/domain/index.js";
import type { GitHubQueryResponse } from "./client.js";
import { GitHubError, type GitHubGraphQLErrorEntry, RepositoryNotFoundError } from "./errors.js";
import type { RateBudget } from "./rate-budget.js";
import { RateLimitSchema } from "./schemas.js";

export type IssueState = "OPEN" | "CLOSED";

/**
 * Returns the issue states a scan requests. A first scan (`since` null) reads open issues only. Later
 * scans read closed ones too, because an issue closed since the last scan must reach the store.
 */
export function issueStatesFor(since: string | null): IssueState[] {
  return since === null ? ["OPEN"] : ["OPEN", "CLOSED"];
}

/** Splits a validated `owner/name`; throws a ZodError naming the value when it is malformed. */
export function splitRepositoryName(name: string): { owner: string; name: string } {
  const valid = RepositoryNameSchema.parse(name);
  const slash = valid.indexOf("/");
  return { owner: valid.slice(0, slash), name: valid.slice(slash + 1) };
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

/** Errors GitHub reported for one alias (`path[0] === alias`). */
export function errorsForAlias(errors: GitHubGraphQLErrorEntry[], alias: string): GitHubGraphQLErrorEntry[] {
  return errors.filter((entry) => entry.path?.[0] === alias);
}

/**
 * Throws a `GitHubError` of kind `query` when `response` has an error other than `NOT_FOUND`, because
 * only a missing repository is expected next to partial data.
 */
export function assertOnlyNotFound(queryName: string, response: GitHubQueryResponse): void {
  const unexpected = response.errors.filter((entry) => entry.type !== "NOT_FOUND");
  if (unexpected.length === 0) return;
  throw new GitHubError(
    `GitHub ${queryName} query returned errors: ${unexpected.map((entry) => entry.message).join("; ")}`,
    { kind: "query", queryName, status: null, headers: response.headers, graphqlErrors: response.errors },
  );
}

export function notFoundError(
  repository: string,
  queryName: string,
  response: GitHubQueryResponse,
  errors: GitHubGraphQLErrorEntry[],
): RepositoryNotFoundError {
  return new RepositoryNotFoundError(repository, {
    queryName,
    status: null,
    headers: response.headers,
    graphqlErrors: errors,
  });
}

/** Parses `data[key]` with `schema`, turning a mismatch into a `GitHubError` of kind `invalid-response`. */
export function parseField<T>(
  queryName: string,
  response: GitHubQueryResponse,
  key: string,
  schema: z.ZodType<T>,
): T {
  const parsed = schema.safeParse(response.data[key]);
  if (parsed.success) return parsed.data;
  throw new GitHubError(`GitHub ${queryName} response has an unexpected ${key}: ${parsed.error.message}`, {
    kind: "invalid-response",
    queryName,
    status: null,
    headers: response.headers,
    cause: parsed.error,
  });
}

/** Records the response's `rateLimit` object in `budget`, or its headers when the object is absent. */
export function recordRateLimit(budget: RateBudget, queryName: string, response: GitHubQueryResponse): void {
  const parsed = RateLimitSchema.safeParse(response.data.rateLimit);
  if (parsed.success) budget.record(queryName, parsed.data);
  else budget.recordHeaders(response.headers);
}
