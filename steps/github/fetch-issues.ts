/** Reads of one repository's issues: further pages of a scan, and single issues for webhook scans. */
import type { Issue } from "../../shared/domain/index.js";
import {
  assertOnlyNotFound,
  errorsForAlias,
  type IssueState,
  issueStatesFor,
  notFoundError,
  parseField,
  recordRateLimit,
  splitRepositoryName,
} from "./batch.js";
import type { GitHubClient } from "./client.js";
import { GitHubError } from "./errors.js";
import {
  buildIssuePagesQuery,
  estimateIssuePagesCost,
  ISSUE_QUERY,
  ISSUE_QUERY_COST,
  ISSUES_PER_PAGE,
  repositoryAlias,
} from "./queries.js";
import { RateBudget } from "./rate-budget.js";
import { IssuePagesEntrySchema, IssueResponseSchema, toIssue } from "./schemas.js";

export interface FetchIssuePagesOptions {
  budget?: RateBudget;
  /** Pages to read at most in this call; defaults to 1. */
  maxPages?: number;
  /** States to read; defaults to `issueStatesFor(since)`, as `fetchRepositories` uses. */
  states?: IssueState[];
}

export interface IssuePagesResult {
  /** Issues read, oldest update first. */
  issues: Issue[];
  /** Cursor to continue from; null when no issues remain. */
  nextCursor: string | null;
  /** Pages read in this call. */
  pages: number;
  /** True when the call stopped because the next page did not fit the budget. */
  stoppedByBudget: boolean;
}

/**
 * Reads up to `maxPages` pages of 100 issues of `repository` updated at or after `since`, continuing
 * after `cursor` (null to start at the oldest). Throws `RepositoryNotFoundError` when the repository
 * is gone, and another `GitHubError` when a request fails.
 */
export async function fetchIssuePages(
  client: GitHubClient,
  repository: string,
  since: string | null,
  cursor: string | null,
  options: FetchIssuePagesOptions = {},
): Promise<IssuePagesResult> {
  const maxPages = options.maxPages ?? 1;
  if (!Number.isInteger(maxPages) || maxPages < 1) {
    throw new Error(`maxPages must be a positive integer, got ${maxPages}`);
  }
  const budget = options.budget ?? new RateBudget();
  const { owner, name } = splitRepositoryName(repository);
  const states = options.states ?? issueStatesFor(since);
  const query = buildIssuePagesQuery(1);
  const alias = repositoryAlias(0);
  const result: IssuePagesResult = { issues: [], nextCursor: cursor, pages: 0, stoppedByBudget: false };

  do {
    const estimatedCost = budget.estimateCost("IssuePages", estimateIssuePagesCost([ISSUES_PER_PAGE]));
    if (!budget.fits(estimatedCost)) {
      result.stoppedByBudget = true;
      client.logger.warn("github issue pages stopped by rate budget", {
        repository,
        remaining: budget.remaining,
        reserve: budget.reserve,
        estimatedCost,
      });
      break;
    }
    const response = await client.send("IssuePages", query, {
      o0: owner,
      n0: name,
      s0: since,
      st0: states,
      f0: ISSUES_PER_PAGE,
      a0: result.nextCursor,
    });
    recordRateLimit(budget, "IssuePages", response);
    assertOnlyNotFound("IssuePages", response);
    if (response.data[alias] === null) {
      throw notFoundError(repository, "IssuePages", response, errorsForAlias(response.errors, alias));
    }
    const page = parseField("IssuePages", response, alias, IssuePagesEntrySchema);
    for (const node of page.issues.nodes) {
      if (node) result.issues.push(await toIssue(page.nameWithOwner, node));
    }
    result.pages += 1;
    result.nextCursor = page.issues.pageInfo.hasNextPage ? page.issues.pageInfo.endCursor : null;
  } while (result.nextCursor !== null && result.pages < maxPages);

  return result;
}

/**
 * Reads one issue. Returns null when the repository exists but has no issue with that number (it may
 * be a pull request or deleted). Throws `RepositoryNotFoundError` when the repository is gone, and a
 * `GitHubError` of kind `rate-limited` without sending when the budget has no room.
 */
export async function fetchIssue(
  client: GitHubClient,
  repository: string,
  number: number,
  options: { budget?: RateBudget } = {},
): Promise<Issue | null> {
  const budget = options.budget ?? new RateBudget();
  const { owner, name } = splitRepositoryName(repository);
  if (!budget.fits(ISSUE_QUERY_COST)) {
    throw new GitHubError(`GitHub rate budget has no room for issue ${repository}#${number}`, {
      kind: "rate-limited",
      queryName: "Issue",
      status: null,
      headers: budget.resetAt
        ? { "x-ratelimit-reset": String(Math.ceil(Date.parse(budget.resetAt) / 1000)) }
        : {},
    });
  }

  const response = await client.send("Issue", ISSUE_QUERY, { owner, name, number });
  recordRateLimit(budget, "Issue", response);
  const repositoryErrors = response.errors.filter((entry) => entry.path?.length === 1);
  if (response.data.repository === null) {
    throw notFoundError(repository, "Issue", response, repositoryErrors);
  }
  // GitHub reports a missing issue as NOT_FOUND at path ["repository", "issue"] next to the repository.
  assertOnlyNotFound("Issue", response);
  const parsed = IssueResponseSchema.safeParse(response.data);
  if (!parsed.success || !parsed.data.repository) {
    throw new GitHubError(
      `GitHub Issue response has an unexpected shape: ${parsed.error?.message ?? "no repository"}`,
      {
        kind: "invalid-response",
        queryName: "Issue",
        status: null,
        headers: response.headers,
        cause: parsed.error,
      },
    );
  }
  const { nameWithOwner, issue } = parsed.data.repository;
  return issue ? toIssue(nameWithOwner, issue) : null;
}
