/**
 * Candidate filtering: which scanned issues are worth analysing at all. Runs before any model is called.
 *
 * The checks run in this order, and the first failing one is the rejection reason: `archived-repository`,
 * `closed`, `locked`, `assigned`, `stale`, `excluded-label`, `missing-required-label`, `empty-body`,
 * `template-only`, `claim-only`, `test-issue`, and last `duplicate-content`.
 * An issue is `stale` when its last update is more than `staleAfterDays` before `now`. It is a
 * `duplicate-content` when it has the same content hash as an older issue accepted in this batch or as
 * another issue in `knownContentHashes`.
 */
import type { Issue, Repository } from "../../shared/domain/index.js";
import { normaliseName } from "./match.js";
import { isClaimOnly, isEmptyBody, isTemplateOnly, isTestIssue } from "./noise.js";

export type RejectionReason =
  | "archived-repository"
  | "closed"
  | "locked"
  | "assigned"
  | "stale"
  | "excluded-label"
  | "missing-required-label"
  | "empty-body"
  | "template-only"
  | "claim-only"
  | "test-issue"
  | "duplicate-content";

export interface Rejection {
  issueId: string;
  reason: RejectionReason;
  /** Human-readable detail, e.g. the label or the duplicated issue id. */
  detail: string;
}

/**
 * Labels that exclude an issue by default. A label matches after normalising (see `normaliseName`)
 * and after dropping a `prefix:` or `prefix/` scope, so `Resolution: Duplicate` and `status/wontfix`
 * match too.
 */
export const DEFAULT_EXCLUDED_LABELS: readonly string[] = [
  "duplicate",
  "invalid",
  "wontfix",
  "won't fix",
  "not planned",
  "spam",
  "question",
  "blocked",
  "in progress",
];

/** Default for `staleAfterDays`; the same default as the `STALE_AFTER_DAYS` setting. */
export const DEFAULT_STALE_AFTER_DAYS = 365;
const MS_PER_DAY = 86_400_000;

export interface FilterOptions {
  /** The time staleness is measured against. */
  now: Date;
  /** Issues with no update for longer than this many days are rejected as `stale`. Default 365. */
  staleAfterDays?: number;
  /** Labels that reject an issue. Default `DEFAULT_EXCLUDED_LABELS`; pass `[]` to reject none. */
  excludedLabels?: readonly string[];
  /** When not empty, an issue needs at least one of these labels. Default: empty (all pass). */
  requiredLabels?: readonly string[];
  /**
   * Content hash → issue id of issues already stored for the repository. An issue whose hash belongs
   * to another id here is rejected as `duplicate-content`. Pass only hashes of open candidates, so a
   * closed original does not hide a reopened copy.
   */
  knownContentHashes?: ReadonlyMap<string, string>;
}

/** Drops a `scope:` or `scope/` prefix, so `status: wontfix` compares as `wontfix`. */
function labelCore(label: string): string {
  const normalised = normaliseName(label);
  const scopeEnd = Math.max(normalised.lastIndexOf(":"), normalised.lastIndexOf("/"));
  return scopeEnd >= 0 ? normalised.slice(scopeEnd + 1).trim() : normalised;
}

function findLabel(issueLabels: readonly string[], wanted: readonly string[]): string | undefined {
  const wantedNames = new Set(wanted.map(labelCore));
  return issueLabels.find(
    (label) => wantedNames.has(labelCore(label)) || wantedNames.has(normaliseName(label)),
  );
}

function checkIssue(
  issue: Issue,
  repository: Repository,
  options: Required<Omit<FilterOptions, "knownContentHashes">>,
): Omit<Rejection, "issueId"> | null {
  if (repository.isArchived) return { reason: "archived-repository", detail: repository.nameWithOwner };
  if (issue.state === "CLOSED") return { reason: "closed", detail: "state CLOSED" };
  if (issue.locked) return { reason: "locked", detail: "conversation locked" };
  if (issue.assignees.length > 0)
    return { reason: "assigned", detail: `assigned to ${issue.assignees.join(", ")}` };

  const ageDays = (options.now.getTime() - Date.parse(issue.updatedAt)) / MS_PER_DAY;
  if (ageDays > options.staleAfterDays) {
    return {
      reason: "stale",
      detail: `no update for ${Math.floor(ageDays)} days (limit ${options.staleAfterDays})`,
    };
  }

  const excluded = findLabel(issue.labels, options.excludedLabels);
  if (excluded !== undefined) return { reason: "excluded-label", detail: `label ${excluded}` };
  if (options.requiredLabels.length > 0 && findLabel(issue.labels, options.requiredLabels) === undefined) {
    return { reason: "missing-required-label", detail: `none of ${options.requiredLabels.join(", ")}` };
  }

  if (isEmptyBody(issue.body)) return { reason: "empty-body", detail: "body has no text" };
  if (isTemplateOnly(issue.body)) return { reason: "template-only", detail: "body is an unfilled template" };
  if (isClaimOnly(issue.title, issue.body))
    return { reason: "claim-only", detail: "body only asks to be assigned" };
  if (isTestIssue(issue.title, issue.body)) return { reason: "test-issue", detail: `title ${issue.title}` };
  return null;
}

/** Oldest first (by `createdAt`, then number, then id), so the original of a duplicate is kept. */
function compareAge(left: Issue, right: Issue): number {
  const byCreated = Date.parse(left.createdAt) - Date.parse(right.createdAt);
  if (byCreated !== 0) return byCreated;
  if (left.number !== right.number) return left.number - right.number;
  if (left.id === right.id) return 0;
  return left.id < right.id ? -1 : 1;
}

/**
 * Splits `issues` into candidates and rejections using the checks above. Pure; candidates keep their
 * input order. Every input issue appears exactly once in the output.
 */
export function filterCandidates(
  issues: readonly Issue[],
  repository: Repository,
  options: FilterOptions,
): { candidates: Issue[]; rejected: Rejection[] } {
  const resolved = {
    now: options.now,
    staleAfterDays: options.staleAfterDays ?? DEFAULT_STALE_AFTER_DAYS,
    excludedLabels: options.excludedLabels ?? DEFAULT_EXCLUDED_LABELS,
    requiredLabels: options.requiredLabels ?? [],
  };
  if (!(resolved.staleAfterDays > 0)) {
    throw new RangeError(`staleAfterDays must be a positive number of days, got ${resolved.staleAfterDays}`);
  }

  const rejected: Rejection[] = [];
  const passed: Issue[] = [];
  for (const issue of issues) {
    const rejection = checkIssue(issue, repository, resolved);
    if (rejection === null) passed.push(issue);
    else rejected.push({ issueId: issue.id, ...rejection });
  }

  // Duplicates are decided among issues that passed, so a closed copy never hides an open original.
  const owners = new Map<string, string>(options.knownContentHashes ?? []);
  const duplicateIds = new Set<string>();
  for (const issue of [...passed].sort(compareAge)) {
    const owner = owners.get(issue.contentHash);
    if (owner !== undefined && owner !== issue.id) {
      duplicateIds.add(issue.id);
      rejected.push({ issueId: issue.id, reason: "duplicate-content", detail: `same content as ${owner}` });
    } else {
      owners.set(issue.contentHash, issue.id);
    }
  }

  return { candidates: passed.filter((issue) => !duplicateIds.has(issue.id)), rejected };
}
