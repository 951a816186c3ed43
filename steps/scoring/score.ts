/**
 * The opportunity score (0-100) and the ranking order.
 *
 * score = 100 × (0.40 × goodFirstIssueScore
 *              + 0.20 × ease          where ease = (10 − difficulty) / 9
 *              + 0.10 × confidence
 *              + 0.15 × freshness     where freshness = 0.5 ^ (days since updatedAt / 90)
 *              + 0.05 × activity      see `activityOf`
 *              + 0.10 × popularity)   where popularity = min(1, log10(stars + 1) / 5)
 *
 * The weights sum to 1, so the score stays in 0..100. It rises with the good-first-issue score and falls
 * with difficulty, all else equal. Freshness halves every 90 days; a repository with 100,000 stars gets
 * the full popularity term. The score is rounded to one decimal and depends only on its arguments.
 */
import type { Analysis, Issue, Opportunity, Repository } from "../../shared/domain/index.js";

export const SCORE_WEIGHTS = {
  goodFirstIssue: 0.4,
  ease: 0.2,
  confidence: 0.1,
  freshness: 0.15,
  activity: 0.05,
  popularity: 0.1,
} as const;

/** Days after which the freshness term halves. */
export const FRESHNESS_HALF_LIFE_DAYS = 90;
/** Stars at which the popularity term reaches 1 (log10 of 100,000 is 5). */
const FULL_POPULARITY_LOG10_STARS = 5;
const MS_PER_DAY = 86_400_000;

/**
 * Returns comment activity (0-1). An untouched issue scores 0.5 and one to five comments score 1, because
 * someone is listening. Each comment beyond five takes off 0.05, reaching 0 at 25 comments, because a
 * long thread usually means the issue is contested or half-done.
 */
export function activityOf(commentCount: number): number {
  if (commentCount === 0) return 0.5;
  if (commentCount <= 5) return 1;
  return Math.max(0, 1 - (commentCount - 5) * 0.05);
}

/** 0.5 ^ (age in days / 90); an `updatedAt` after `now` counts as age 0. */
export function freshnessOf(updatedAt: string, now: Date): number {
  const ageDays = Math.max(0, (now.getTime() - Date.parse(updatedAt)) / MS_PER_DAY);
  return 0.5 ** (ageDays / FRESHNESS_HALF_LIFE_DAYS);
}

export function popularityOf(stargazerCount: number): number {
  return Math.min(1, Math.log10(stargazerCount + 1) / FULL_POPULARITY_LOG10_STARS);
}

/** Scores one analysed issue with the formula above. */
export function scoreOpportunity(
  issue: Issue,
  repository: Repository,
  analysis: Pick<Analysis, "goodFirstIssueScore" | "difficulty" | "confidence">,
  now: Date,
): number {
  const weighted =
    SCORE_WEIGHTS.goodFirstIssue * analysis.goodFirstIssueScore +
    SCORE_WEIGHTS.ease * ((10 - analysis.difficulty) / 9) +
    SCORE_WEIGHTS.confidence * analysis.confidence +
    SCORE_WEIGHTS.freshness * freshnessOf(issue.updatedAt, now) +
    SCORE_WEIGHTS.activity * activityOf(issue.commentCount) +
    SCORE_WEIGHTS.popularity * popularityOf(repository.stargazerCount);
  const score = Math.round(weighted * 1000) / 10;
  return Math.min(100, Math.max(0, score));
}

/** Builds the opportunity record of an analysed issue, scored at `now`. */
export function buildOpportunity(
  issue: Issue,
  repository: Repository,
  analysis: Analysis,
  now: Date,
): Opportunity {
  return {
    issueId: issue.id,
    repository: issue.repository,
    number: issue.number,
    url: issue.url,
    title: issue.title,
    language: repository.primaryLanguage,
    topics: repository.topics,
    labels: issue.labels,
    updatedAt: issue.updatedAt,
    analysis,
    score: scoreOpportunity(issue, repository, analysis, now),
    rankedAt: now.toISOString(),
  };
}

type Rankable = Pick<Opportunity, "issueId" | "score" | "updatedAt">;

/** Epoch ms of `updatedAt`; a missing or invalid one sorts last. */
function updatedAtMs(opportunity: Rankable): number {
  const parsed = opportunity.updatedAt === undefined ? Number.NaN : Date.parse(opportunity.updatedAt);
  return Number.isNaN(parsed) ? Number.NEGATIVE_INFINITY : parsed;
}

function compareRank(left: Rankable, right: Rankable): number {
  if (left.score !== right.score) return right.score - left.score;
  const leftUpdated = updatedAtMs(left);
  const rightUpdated = updatedAtMs(right);
  if (leftUpdated !== rightUpdated) return rightUpdated > leftUpdated ? 1 : -1;
  if (left.issueId === right.issueId) return 0;
  return left.issueId < right.issueId ? -1 : 1;
}

/**
 * Returns a new array in rank order: score descending, then issue `updatedAt` descending, then issue id
 * ascending. The order is total, so equal inputs always rank the same way.
 */
export function rankOpportunities<T extends Rankable>(opportunities: readonly T[]): T[] {
  return [...opportunities].sort(compareRank);
}
