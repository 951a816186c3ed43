/**
 * Errors of the GitHub client. Each carries the raw facts of the failed response (HTTP status, headers,
 * GraphQL errors, rate-limit headers) so the failure-handling layer can pick a retry class, plus a
 * `kind` that names what happened. `cause` is the `@octokit/graphql` or `@octokit/request` error, when
 * there is one. Check `name` (or `isGitHubError`) rather than `instanceof`, because workflow bundles
 * may load this module twice.
 */

/** One entry of a GraphQL `errors` array; GitHub adds `type` (e.g. `NOT_FOUND`, `RATE_LIMITED`). */
export interface GitHubGraphQLErrorEntry {
  type?: string;
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

export type GitHubErrorKind =
  /** Primary rate limit used up: GraphQL `RATE_LIMITED`, or 403/429 with `x-ratelimit-remaining: 0`. */
  | "rate-limited"
  /** Secondary rate limit: 403 or 429 with `retry-after` or GitHub's "secondary rate limit" message. */
  | "secondary-rate-limited"
  /** 401, or 403 that is not a rate limit. */
  | "unauthorized"
  /** 5xx, or a 200 whose only error is GitHub's "Something went wrong" without data. */
  | "server"
  /** No response within the client's `timeoutMs`. */
  | "timeout"
  /** The connection failed before a response arrived. */
  | "network"
  /** GitHub rejected the query (validation, pagination arguments, node limit) or a field failed. */
  | "query"
  /** Any other HTTP status. */
  | "http"
  /** A 200 response whose `data` does not match the expected shape. */
  | "invalid-response"
  /** The repository does not exist or is not visible to the token. */
  | "not-found";

export interface GitHubErrorFacts {
  kind: GitHubErrorKind;
  /** Name of the query in `queries.ts`, e.g. `RepositoryProbe`. */
  queryName: string;
  /** HTTP status, or null when no response arrived or the error came in a 200 response. */
  status: number | null;
  /** Response headers with lower-case names; empty when no response arrived. */
  headers: Record<string, string>;
  graphqlErrors?: GitHubGraphQLErrorEntry[];
  cause?: unknown;
}

function readInteger(headers: Record<string, string>, name: string): number | null {
  const value = headers[name];
  if (value === undefined || !/^\d+$/.test(value.trim())) return null;
  return Number.parseInt(value, 10);
}

/** A failed GitHub GraphQL request. */
export class GitHubError extends Error {
  override name = "GitHubError";
  /** Lets the shared failure classifier name the dependency in its reasons. */
  readonly dependency = "github";
  readonly kind: GitHubErrorKind;
  readonly queryName: string;
  readonly status: number | null;
  readonly headers: Record<string, string>;
  readonly graphqlErrors: GitHubGraphQLErrorEntry[];
  /** `type` of the first GraphQL error that has one. */
  readonly type: string | null;
  /** `retry-after` in seconds, when GitHub sent it as a number of seconds. */
  readonly retryAfterSeconds: number | null;
  /** `x-ratelimit-reset`: UTC epoch seconds at which the primary rate limit window resets. */
  readonly rateLimitReset: number | null;
  /** `x-ratelimit-remaining`: points left in the current window. */
  readonly rateLimitRemaining: number | null;

  constructor(message: string, facts: GitHubErrorFacts) {
    super(message, { cause: facts.cause });
    this.kind = facts.kind;
    this.queryName = facts.queryName;
    this.status = facts.status;
    this.headers = facts.headers;
    this.graphqlErrors = facts.graphqlErrors ?? [];
    this.type = this.graphqlErrors.find((entry) => entry.type !== undefined)?.type ?? null;
    this.retryAfterSeconds = readInteger(facts.headers, "retry-after");
    this.rateLimitReset = readInteger(facts.headers, "x-ratelimit-reset");
    this.rateLimitRemaining = readInteger(facts.headers, "x-ratelimit-remaining");
  }
}

/** GitHub returned `NOT_FOUND` for a repository: it was deleted, renamed or made private. */
export class RepositoryNotFoundError extends GitHubError {
  override name = "RepositoryNotFoundError";

  constructor(
    /** `owner/name` as the caller asked for it. */
    readonly repository: string,
    facts: Omit<GitHubErrorFacts, "kind">,
  ) {
    super(`GitHub repository ${repository} was not found or is not visible to the token`, {
      ...facts,
      kind: "not-found",
    });
  }
}

/** Checks for a `GitHubError` or subclass by its stable `name`, so it works across bundles. */
export function isGitHubError(value: unknown): value is GitHubError {
  return value instanceof Error && (value.name === "GitHubError" || value.name === "RepositoryNotFoundError");
}
