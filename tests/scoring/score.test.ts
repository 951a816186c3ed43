import { describe, expect, it } from "vitest";
import type { Analysis, Opportunity } from "../../shared/domain/index.js";
import { OpportunitySchema } from "../../shared/domain/index.js";
import { analyseHeuristically } from "../../steps/analysis/index.js";
import {
  activityOf,
  buildOpportunity,
  freshnessOf,
  rankOpportunities,
  SCORE_WEIGHTS,
  scoreOpportunity,
} from "../../steps/scoring/index.js";
import { loadSnapshot, makeIssue, makeRepository } from "../analysis/fixtures.js";

const now = new Date("2026-12-04T00:00:00Z");
const issue = makeIssue();
const repository = makeRepository();
const base = { goodFirstIssueScore: 0.5, difficulty: 5, confidence: 0.5 };

function analysisOf(overrides: Partial<Analysis> = {}): Analysis {
  return {
    ...analyseHeuristically(issue, repository),
    issueId: issue.id,
    contentHash: issue.contentHash,
    analyser: "heuristic",
    model: null,
    fallbackReason: null,
    usage: null,
    analysedAt: "2026-12-01T00:00:00.000Z",
    ...overrides,
  };
}

describe("scoreOpportunity", () => {
  it("weights sum to one", () => {
    const total = Object.values(SCORE_WEIGHTS).reduce((sum, weight) => sum + weight, 0);
    expect(total).toBeCloseTo(1, 10);
  });

  it("monotonic in good-first score", () => {
    let previous = -1;
    for (const goodFirstIssueScore of [0, 0.25, 0.5, 0.75, 1]) {
      const score = scoreOpportunity(issue, repository, { ...base, goodFirstIssueScore }, now);
      expect(score).toBeGreaterThan(previous);
      previous = score;
    }
  });

  it("penalises difficulty", () => {
    let previous = 101;
    for (const difficulty of [1, 3, 5, 7, 10]) {
      const score = scoreOpportunity(issue, repository, { ...base, difficulty }, now);
      expect(score).toBeLessThan(previous);
      previous = score;
    }
  });

  it("fresher issue scores higher", () => {
    const fresh = scoreOpportunity(makeIssue({ updatedAt: "2026-12-01T00:00:00Z" }), repository, base, now);
    const old = scoreOpportunity(makeIssue({ updatedAt: "2025-12-01T00:00:00Z" }), repository, base, now);
    expect(fresh).toBeGreaterThan(old);
  });

  it("freshness halves every 90 days", () => {
    expect(freshnessOf("2026-12-04T00:00:00Z", now)).toBe(1);
    expect(freshnessOf("2026-09-05T00:00:00Z", now)).toBeCloseTo(0.5, 5);
    expect(freshnessOf("2027-01-01T00:00:00Z", now)).toBe(1);
  });

  it("popular repository scores higher", () => {
    const small = scoreOpportunity(issue, makeRepository({ stargazerCount: 3 }), base, now);
    const large = scoreOpportunity(issue, makeRepository({ stargazerCount: 50_000 }), base, now);
    expect(large).toBeGreaterThan(small);
  });

  it("activity peaks at a few comments", () => {
    expect(activityOf(0)).toBe(0.5);
    expect(activityOf(3)).toBe(1);
    expect(activityOf(15)).toBeCloseTo(0.5, 10);
    expect(activityOf(40)).toBe(0);
  });

  it("bounds and determinism", () => {
    const best = { goodFirstIssueScore: 1, difficulty: 1, confidence: 1 };
    const worst = { goodFirstIssueScore: 0, difficulty: 10, confidence: 0 };
    const popular = makeRepository({ stargazerCount: 10_000_000 });
    const fresh = makeIssue({ updatedAt: now.toISOString(), commentCount: 2 });
    expect(scoreOpportunity(fresh, popular, best, now)).toBe(100);
    const ancient = makeIssue({ updatedAt: "2000-01-01T00:00:00Z", commentCount: 50 });
    expect(scoreOpportunity(ancient, makeRepository({ stargazerCount: 0 }), worst, now)).toBe(0);
    expect(scoreOpportunity(issue, repository, base, now)).toBe(
      scoreOpportunity(issue, repository, base, now),
    );
  });

  it("snapshot scores stay in range", () => {
    const { issues, repositories } = loadSnapshot();
    for (const snapshotIssue of issues) {
      const snapshotRepository = repositories.get(snapshotIssue.repository)!;
      const result = analyseHeuristically(snapshotIssue, snapshotRepository);
      const score = scoreOpportunity(snapshotIssue, snapshotRepository, result, now);
      expect(score).toBeGreaterThanOrEqual(0);
      expect(score).toBeLessThanOrEqual(100);
    }
  });
});

describe("buildOpportunity", () => {
  it("builds a valid record", () => {
    const opportunity = buildOpportunity(issue, repository, analysisOf(), now);
    expect(OpportunitySchema.parse(opportunity)).toEqual(opportunity);
    expect(opportunity.language).toBe("TypeScript");
    expect(opportunity.updatedAt).toBe(issue.updatedAt);
    expect(opportunity.rankedAt).toBe(now.toISOString());
  });
});

describe("rankOpportunities", () => {
  function opportunity(issueId: string, score: number, updatedAt?: string): Opportunity {
    return { ...buildOpportunity(issue, repository, analysisOf(), now), issueId, score, updatedAt };
  }

  it("orders by score, update, id", () => {
    const list = [
      opportunity("c", 50, "2026-11-01T00:00:00Z"),
      opportunity("b", 70, "2026-10-01T00:00:00Z"),
      opportunity("a", 50, "2026-11-01T00:00:00Z"),
      opportunity("d", 50, "2026-11-20T00:00:00Z"),
      opportunity("e", 50, undefined),
    ];
    expect(rankOpportunities(list).map((entry) => entry.issueId)).toEqual(["b", "d", "a", "c", "e"]);
  });

  it("does not mutate input", () => {
    const list = [opportunity("a", 10), opportunity("b", 20)];
    const ranked = rankOpportunities(list);
    expect(list.map((entry) => entry.issueId)).toEqual(["a", "b"]);
    expect(ranked.map((entry) => entry.issueId)).toEqual(["b", "a"]);
  });

  it("same order for any input order", () => {
    const list = [opportunity("x", 30), opportunity("y", 30), opportunity("z", 30)];
    const forward = rankOpportunities(list).map((entry) => entry.issueId);
    const backward = rankOpportunities([...list].reverse()).map((entry) => entry.issueId);
    expect(backward).toEqual(forward);
  });
});
