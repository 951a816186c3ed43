/**
 * Step body of scan-repository's `fetch-and-store` step: reads the repositories' changed issues from
 * GitHub, upserts them, filters candidates, re-ranks candidates whose analysis is still current, and
 * returns the ids of candidates that need a (new) analysis.
 *
 * Fetching and storing share one step so that only ids, not issue bodies, go into the workflow's step
 * log. Re-running the step after a failure reads GitHub again, which is safe because reads and upserts
 * are idempotent.
 */
import type { Issue, Repository } from "../../shared/domain/index.js";
import type { Logger } from "../../shared/logger.js";
import { isPoisonInputError } from "../../shared/reliability/index.js";
import type { Stats } from "../../shared/store/index.js";
import type { PipelineRuntime } from "../../workflows/runtime.js";
import {
  fetchIssue,
  fetchIssuePages,
  fetchRepositories,
  type RateBudget,
  type RepositoryMetadata,
} from "../github/index.js";
import { buildOpportunity, filterCandidates } from "../scoring/index.js";
import { loadRateBudget, saveRateBudget } from "./budget-store.js";

/** Extra pages of 100 issues read per repository in one scan; the rest waits for the next scan. */
const MAX_EXTRA_PAGES_PER_REPOSITORY = 9;

export interface ScanRequest {
  repositories: string[];
  issueNumbers?: number[];
}

export interface RepositoryScanSummary {
  name: string;
  status: "scanned" | "not-found" | "skipped-budget";
  issuesSeen: number;
  issuesChanged: number;
}

export interface ScanStepResult {
  repositories: RepositoryScanSummary[];
  /**
   * The `issuesUpdatedSince` each scanned repository moves to. The workflow writes them in its last
   * step, after the analyses were handed off, so a scan that crashes in between reads the same issues
   * again instead of skipping them.
   */
  nextCursors: Record<string, string | null>;
  /** Candidate issue ids without a current analysis, in a stable order. */
  toAnalyse: string[];
  candidates: number;
  rejected: number;
  /** Opportunities re-ranked without a new analysis (changed activity, same text). */
  reranked: number;
  /** Opportunities removed because their issue stopped being a candidate. */
  removed: number;
  githubPoints: number;
  githubRequests: number;
}

interface Fetched {
  metadata: RepositoryMetadata;
  issues: Issue[];
}

/**
 * The `since` of the next scan: one second after the newest `updatedAt` read. GitHub's `since` keeps
 * issues updated at or after it, so without the second every scan would read the newest issue again
 * and an unchanged repository would cost an issue request. `updatedAt` has whole seconds, so an
 * update in that same second after this scan read the issue is the one case the next scan misses.
 */
function nextSince(issues: Issue[], previous: string | null): string | null {
  let newest: string | null = null;
  for (const issue of issues) if (newest === null || issue.updatedAt > newest) newest = issue.updatedAt;
  if (newest === null) return previous;
  const next = new Date(Date.parse(newest) + 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  return previous !== null && previous > next ? previous : next;
}

async function fetchChanged(
  runtime: PipelineRuntime,
  request: ScanRequest,
  known: Map<string, Repository>,
  budget: RateBudget,
  logger: Logger,
): Promise<{ fetched: Fetched[]; notFound: string[]; skipped: string[]; requests: number }> {
  const { github } = runtime;
  const single = request.issueNumbers !== undefined ? request.repositories[0] : undefined;
  const stored = single === undefined ? undefined : known.get(single);

  // A webhook scan of a repository we already know reads only the named issues.
  if (single !== undefined && stored !== undefined && request.issueNumbers !== undefined) {
    const issues: Issue[] = [];
    for (const number of request.issueNumbers) {
      try {
        const issue = await runtime.guard(
          "github",
          () => fetchIssue(github, single, number, { budget }),
          logger,
        );
        if (issue) issues.push(issue);
      } catch (error) {
        // Poison input (the repository is gone, say) cannot succeed on retry: skip it and record why.
        if (!isPoisonInputError(error)) throw error;
        logger.warn("issue skipped as poison input", { repository: single, number, error: error.message });
        await runtime.stores.stats.add({ "poison.skipped": 1 });
      }
    }
    const { issuesUpdatedSince: _since, lastScannedAt: _scanned, ...metadata } = stored;
    return {
      fetched: [{ metadata, issues }],
      notFound: [],
      skipped: [],
      requests: request.issueNumbers.length,
    };
  }

  const since = Object.fromEntries(
    request.repositories.map((name) => [name, known.get(name)?.issuesUpdatedSince ?? null]),
  );
  const result = await runtime.guard(
    "github",
    () =>
      fetchRepositories(github, request.repositories, {
        since,
        budget,
        repositoriesPerRequest: runtime.config.github.repositoriesPerRequest,
      }),
    logger,
  );

  let requests = result.requests;
  const fetched: Fetched[] = [];
  const skipped = result.skipped.map((entry) => entry.repository);
  for (const scan of result.scanned) {
    const issues = [...scan.issues];
    let cursor = scan.nextCursor;
    let pages = 0;
    while (cursor !== null && pages < MAX_EXTRA_PAGES_PER_REPOSITORY) {
      const next = cursor;
      const page = await runtime.guard(
        "github",
        () =>
          fetchIssuePages(github, scan.repository.nameWithOwner, scan.since, next, {
            budget,
            states: scan.states,
          }),
        logger,
      );
      requests += page.pages;
      pages += page.pages;
      issues.push(...page.issues);
      cursor = page.nextCursor;
      if (page.stoppedByBudget) break;
    }
    if (cursor !== null) {
      logger.warn("scan left issue pages for the next scan", { repository: scan.repository.nameWithOwner });
    }
    fetched.push({ metadata: scan.repository, issues });
  }
  return { fetched, notFound: result.notFound.map((error) => error.repository), skipped, requests };
}

export async function scanRepositories(
  runtime: PipelineRuntime,
  request: ScanRequest,
  logger: Logger,
): Promise<ScanStepResult> {
  const { stores, config, redis } = runtime;
  const now = runtime.now();
  const budgetKey = `${config.redis.keyPrefix}github:budget`;
  const budget = await loadRateBudget(redis, budgetKey, {
    reserve: config.github.pointsReserve,
    now: () => runtime.now().getTime(),
  });
  const known = await stores.repositories.getMany(request.repositories);

  let fetchResult: Awaited<ReturnType<typeof fetchChanged>>;
  try {
    fetchResult = await fetchChanged(runtime, request, known, budget, logger);
  } finally {
    await saveRateBudget(redis, budgetKey, budget);
  }

  const result: ScanStepResult = {
    repositories: [],
    nextCursors: {},
    toAnalyse: [],
    candidates: 0,
    rejected: 0,
    reranked: 0,
    removed: 0,
    githubPoints: budget.toJSON().spent,
    githubRequests: fetchResult.requests,
  };

  for (const name of fetchResult.notFound) {
    logger.warn("repository not found on GitHub; it stays stored but is no longer watched", {
      repository: name,
    });
    await stores.repositories.unwatch(name);
    result.repositories.push({ name, status: "not-found", issuesSeen: 0, issuesChanged: 0 });
  }
  for (const name of fetchResult.skipped) {
    result.repositories.push({ name, status: "skipped-budget", issuesSeen: 0, issuesChanged: 0 });
  }

  for (const { metadata, issues } of fetchResult.fetched) {
    const name = metadata.nameWithOwner;
    const previous = known.get(name);
    const repository: Repository = {
      ...metadata,
      issuesUpdatedSince: previous?.issuesUpdatedSince ?? null,
      lastScannedAt: now.toISOString(),
    };
    await stores.repositories.upsert(repository);
    if (request.issueNumbers === undefined) {
      result.nextCursors[name] = nextSince(issues, previous?.issuesUpdatedSince ?? null);
    }

    const upserted = await stores.issues.upsertMany(issues);
    const touched = [...upserted.created, ...upserted.changed];
    result.repositories.push({
      name,
      status: "scanned",
      issuesSeen: issues.length,
      issuesChanged: touched.length,
    });
    if (issues.length === 0) continue;

    // Every issue read, not only the changed ones, goes through the filter: after a crash the same
    // issues are read again but are no longer "changed", and their analysis may still be missing.
    const stored = await stores.issues.listByRepository(name);
    const fetchedIds = new Set(issues.map((issue) => issue.id));
    const touchedIds = new Set(touched.map((issue) => issue.id));
    const knownContentHashes = new Map(
      stored
        .filter((issue) => !fetchedIds.has(issue.id) && issue.state === "OPEN")
        .map((issue) => [issue.contentHash, issue.id] as const),
    );
    const { candidates, rejected } = filterCandidates(issues, repository, {
      now,
      staleAfterDays: config.schedule.staleAfterDays,
      knownContentHashes,
    });
    result.candidates += candidates.length;
    result.rejected += rejected.length;
    await stores.opportunities.removeMany(rejected.map((entry) => entry.issueId));
    result.removed += rejected.length;

    const needAnalysis = await stores.analyses.withoutCurrentAnalysis(candidates);
    const needIds = new Set(needAnalysis.map((issue) => issue.id));
    result.toAnalyse.push(...needAnalysis.map((issue) => issue.id));

    const current = candidates.filter((issue) => !needIds.has(issue.id) && touchedIds.has(issue.id));
    const analyses = await stores.analyses.getMany(current.map((issue) => issue.id));
    const reranked = current.flatMap((issue) => {
      const analysis = analyses.get(issue.id);
      return analysis ? [buildOpportunity(issue, repository, analysis, now)] : [];
    });
    await stores.opportunities.putMany(reranked);
    result.reranked += reranked.length;
  }

  const scanned = result.repositories.filter((entry) => entry.status === "scanned");
  const stats: Stats = {
    scans: 1,
    "repositories.scanned": scanned.length,
    "repositories.notFound": fetchResult.notFound.length,
    "issues.seen": scanned.reduce((sum, entry) => sum + entry.issuesSeen, 0),
    "issues.changed": scanned.reduce((sum, entry) => sum + entry.issuesChanged, 0),
    candidates: result.candidates,
    "github.requests": result.githubRequests,
    "github.points": result.githubPoints,
  };
  await stores.stats.add(stats);
  logger.info("scan stored", {
    repositories: result.repositories.length,
    candidates: result.candidates,
    toAnalyse: result.toAnalyse.length,
    githubPoints: result.githubPoints,
  });
  return result;
}
