/**
 * Incremental scan of many repositories in two kinds of batched requests.
 *
 * 1. `RepositoryProbe` reads the metadata of up to `repositoriesPerRequest` repositories per request,
 *    with the number of issues updated since each repository's last scan. It costs 1 point per batch of
 *    up to 50 repositories, so an unchanged repository costs a share of one cheap request.
 * 2. `IssuePages` reads the first page of changed issues, only for repositories whose count was not 0.
 *    Each page requests exactly the counted number of issues (at most 100), because GitHub charges by
 *    the requested page size, not by the issues returned.
 *
 * Before each request the `RateBudget` must agree that the estimated cost fits. When it does not, the
 * scan stops and reports every repository it did not finish as skipped.
 */
import type { Issue } from "../../shared/domain/index.js";
import {
  assertOnlyNotFound,
  chunk,
  errorsForAlias,
  type IssueState,
  issueStatesFor,
  notFoundError,
  parseField,
  recordRateLimit,
  splitRepositoryName,
} from "./batch.js";
import type { GitHubClient } from "./client.js";
import type { RepositoryNotFoundError } from "./errors.js";
import {
  buildIssuePagesQuery,
  buildRepositoryProbeQuery,
  estimateIssuePagesCost,
  estimateProbeCost,
  ISSUES_PER_PAGE,
  issuePageRequests,
  repositoryAlias,
} from "./queries.js";
import { RateBudget } from "./rate-budget.js";
import {
  IssuePagesEntrySchema,
  type RepositoryMetadata,
  RepositoryProbeEntrySchema,
  toIssue,
  toRepositoryMetadata,
} from "./schemas.js";

/** Default repositories per request; GitHub documents no alias limit, so this is our choice. */
export const DEFAULT_REPOSITORIES_PER_REQUEST = 20;
/**
 * Maximum GitHub requests (before the division by 100) in one `IssuePages` request: about 330 full
 * issues, which keeps each response a few hundred kilobytes.
 */
export const MAX_REQUESTS_PER_ISSUE_BATCH = 1000;

export interface FetchRepositoriesOptions {
  /**
   * Per `owner/name`: the `issuesUpdatedSince` of the last scan. Issues updated at or after it are
   * read, open and closed. A missing or null entry reads all open issues.
   */
  since?: Record<string, string | null>;
  /** Rate budget to check before and update after each request; a fresh one with reserve 200 by default. */
  budget?: RateBudget;
  /** Repositories per request, 1 to 50; defaults to 20. */
  repositoriesPerRequest?: number;
}

export interface RepositoryScan {
  repository: RepositoryMetadata;
  /** The `since` the scan used, and the states it asked for. */
  since: string | null;
  states: IssueState[];
  /** Issues updated since `since` when the probe ran. */
  changedIssueCount: number;
  /** The first page of changed issues, oldest update first. */
  issues: Issue[];
  /** Cursor for `fetchIssuePages` when more changed issues remain; null when `issues` has them all. */
  nextCursor: string | null;
}

export interface SkippedRepository {
  repository: string;
  /** `probe`: nothing was read. `issues`: the metadata was read but no issues were. */
  stage: "probe" | "issues";
  /** Estimated points of the request that did not fit. */
  estimatedCost: number;
}

export interface FetchRepositoriesResult {
  scanned: RepositoryScan[];
  notFound: RepositoryNotFoundError[];
  /** Repositories left out because the next request would have broken the budget's reserve. */
  skipped: SkippedRepository[];
  /** GraphQL requests sent. */
  requests: number;
}

interface Probed {
  name: string;
  since: string | null;
  states: IssueState[];
  repository: RepositoryMetadata;
  changedIssueCount: number;
}

/**
 * Reads metadata and the first page of changed issues for every repository in `names` (`owner/name`,
 * duplicates ignored). Throws a `GitHubError` when a request fails; results of earlier requests are
 * lost then, so callers retry the whole call.
 */
export async function fetchRepositories(
  client: GitHubClient,
  names: string[],
  options: FetchRepositoriesOptions = {},
): Promise<FetchRepositoriesResult> {
  const perRequest = options.repositoriesPerRequest ?? DEFAULT_REPOSITORIES_PER_REQUEST;
  if (!Number.isInteger(perRequest) || perRequest < 1 || perRequest > 50) {
    throw new Error(`repositoriesPerRequest must be an integer from 1 to 50, got ${perRequest}`);
  }
  const budget = options.budget ?? new RateBudget();
  const unique = [...new Map(names.map((name) => [name.toLowerCase(), name])).values()];
  const result: FetchRepositoriesResult = { scanned: [], notFound: [], skipped: [], requests: 0 };
  const logger = client.logger;

  // Probe: metadata and changed-issue counts.
  const probed: Probed[] = [];
  const probeChunks = chunk(unique, perRequest);
  for (const [chunkIndex, batch] of probeChunks.entries()) {
    const estimatedCost = budget.estimateCost("RepositoryProbe", estimateProbeCost(batch.length));
    if (!budget.fits(estimatedCost)) {
      for (const rest of probeChunks.slice(chunkIndex).flat()) {
        result.skipped.push({ repository: rest, stage: "probe", estimatedCost });
      }
      logger.warn("github scan stopped by rate budget", {
        stage: "probe",
        remaining: budget.remaining,
        reserve: budget.reserve,
        estimatedCost,
        skipped: result.skipped.length,
      });
      break;
    }

    const variables: Record<string, unknown> = {};
    batch.forEach((name, index) => {
      const { owner, name: repositoryName } = splitRepositoryName(name);
      const since = options.since?.[name] ?? null;
      Object.assign(variables, {
        [`o${index}`]: owner,
        [`n${index}`]: repositoryName,
        [`s${index}`]: since,
        [`st${index}`]: issueStatesFor(since),
      });
    });
    const response = await client.send("RepositoryProbe", buildRepositoryProbeQuery(batch.length), variables);
    result.requests += 1;
    recordRateLimit(budget, "RepositoryProbe", response);
    assertOnlyNotFound("RepositoryProbe", response);

    batch.forEach((name, index) => {
      const alias = repositoryAlias(index);
      if (response.data[alias] === null) {
        result.notFound.push(
          notFoundError(name, "RepositoryProbe", response, errorsForAlias(response.errors, alias)),
        );
        return;
      }
      const entry = parseField("RepositoryProbe", response, alias, RepositoryProbeEntrySchema);
      const since = options.since?.[name] ?? null;
      probed.push({
        name,
        since,
        states: issueStatesFor(since),
        repository: toRepositoryMetadata(entry),
        changedIssueCount: entry.changedIssues.totalCount,
      });
    });
  }

  // Repositories without changes are finished after the probe.
  for (const entry of probed.filter((candidate) => candidate.changedIssueCount === 0)) {
    result.scanned.push({ ...scanFields(entry), issues: [], nextCursor: null });
  }

  // Issue pages: group changed repositories so each request stays under the request cap.
  const changed = probed.filter((candidate) => candidate.changedIssueCount > 0);
  const batches: Probed[][] = [];
  let current: Probed[] = [];
  let currentRequests = 0;
  for (const entry of changed) {
    const requests = issuePageRequests(Math.min(ISSUES_PER_PAGE, entry.changedIssueCount));
    if (
      current.length > 0 &&
      (current.length >= perRequest || currentRequests + requests > MAX_REQUESTS_PER_ISSUE_BATCH)
    ) {
      batches.push(current);
      current = [];
      currentRequests = 0;
    }
    current.push(entry);
    currentRequests += requests;
  }
  if (current.length > 0) batches.push(current);

  for (const [batchIndex, batch] of batches.entries()) {
    const pageSizes = batch.map((entry) => Math.min(ISSUES_PER_PAGE, entry.changedIssueCount));
    const estimatedCost = budget.estimateCost("IssuePages", estimateIssuePagesCost(pageSizes));
    if (!budget.fits(estimatedCost)) {
      for (const rest of batches.slice(batchIndex).flat()) {
        result.skipped.push({ repository: rest.name, stage: "issues", estimatedCost });
      }
      logger.warn("github scan stopped by rate budget", {
        stage: "issues",
        remaining: budget.remaining,
        reserve: budget.reserve,
        estimatedCost,
        skipped: result.skipped.length,
      });
      break;
    }

    const variables: Record<string, unknown> = {};
    batch.forEach((entry, index) => {
      Object.assign(variables, {
        [`o${index}`]: entry.repository.owner,
        [`n${index}`]: entry.repository.name,
        [`s${index}`]: entry.since,
        [`st${index}`]: entry.states,
        [`f${index}`]: pageSizes[index],
        [`a${index}`]: null,
      });
    });
    const response = await client.send("IssuePages", buildIssuePagesQuery(batch.length), variables);
    result.requests += 1;
    recordRateLimit(budget, "IssuePages", response);
    assertOnlyNotFound("IssuePages", response);

    for (const [index, entry] of batch.entries()) {
      const alias = repositoryAlias(index);
      if (response.data[alias] === null) {
        // Deleted or hidden between the probe and this request.
        result.notFound.push(
          notFoundError(entry.name, "IssuePages", response, errorsForAlias(response.errors, alias)),
        );
        continue;
      }
      const page = parseField("IssuePages", response, alias, IssuePagesEntrySchema).issues;
      const issues = await Promise.all(
        page.nodes.flatMap((node) => (node ? [toIssue(entry.repository.nameWithOwner, node)] : [])),
      );
      result.scanned.push({
        ...scanFields(entry),
        issues,
        nextCursor: page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null,
      });
    }
  }

  logger.info("github repositories fetched", {
    repositories: unique.length,
    scanned: result.scanned.length,
    notFound: result.notFound.length,
    skipped: result.skipped.length,
    requests: result.requests,
    remaining: budget.remaining,
  });
  return result;
}

function scanFields(entry: Probed): Omit<RepositoryScan, "issues" | "nextCursor"> {
  return {
    repository: entry.repository,
    since: entry.since,
    states: entry.states,
    changedIssueCount: entry.changedIssueCount,
  };
}
