import { describe, expect, it } from "vitest";
import { matchesSubscriber } from "../../steps/scoring/index.js";

const opportunity = {
  score: 72,
  language: "TypeScript",
  topics: ["web", "cli"],
  labels: ["good first issue", "area: docs"],
  analysis: { difficulty: 3, requiredSkills: ["TypeScript", "Technical writing"] },
};

const everything = { languages: [], topics: [], labels: [], maxDifficulty: 10, minScore: 0 };

describe("matchesSubscriber", () => {
  it("empty preferences match all", () => {
    expect(matchesSubscriber(opportunity, everything)).toEqual({ matches: true, reason: "matched" });
  });

  it("language case-insensitive", () => {
    expect(matchesSubscriber(opportunity, { ...everything, languages: ["typescript"] }).matches).toBe(true);
    const result = matchesSubscriber(opportunity, { ...everything, languages: ["rust", "go"] });
    expect(result.matches).toBe(false);
    expect(result.reason).toBe("language-not-wanted");
  });

  it("no language never matches a list", () => {
    const result = matchesSubscriber(
      { ...opportunity, language: null },
      { ...everything, languages: ["python"] },
    );
    expect(result.reason).toBe("language-not-wanted");
  });

  it("topics match topics or skills", () => {
    expect(matchesSubscriber(opportunity, { ...everything, topics: ["CLI"] }).matches).toBe(true);
    expect(matchesSubscriber(opportunity, { ...everything, topics: ["technical-writing"] }).matches).toBe(
      true,
    );
    expect(matchesSubscriber(opportunity, { ...everything, topics: ["kubernetes"] }).reason).toBe(
      "topic-not-wanted",
    );
  });

  it("labels normalised", () => {
    expect(matchesSubscriber(opportunity, { ...everything, labels: ["Good-First-Issue"] }).matches).toBe(
      true,
    );
    expect(matchesSubscriber(opportunity, { ...everything, labels: ["help wanted"] }).reason).toBe(
      "label-not-wanted",
    );
  });

  it("difficulty limit inclusive", () => {
    expect(matchesSubscriber(opportunity, { ...everything, maxDifficulty: 3 }).matches).toBe(true);
    const result = matchesSubscriber(opportunity, { ...everything, maxDifficulty: 2 });
    expect(result).toEqual({
      matches: false,
      reason: "difficulty-above-maximum",
      detail: "difficulty 3 is above 2",
    });
  });

  it("minimum score inclusive", () => {
    expect(matchesSubscriber(opportunity, { ...everything, minScore: 72 }).matches).toBe(true);
    expect(matchesSubscriber(opportunity, { ...everything, minScore: 72.5 }).reason).toBe(
      "score-below-minimum",
    );
  });

  it("first failing rule reported", () => {
    const result = matchesSubscriber(opportunity, {
      languages: ["rust"],
      topics: ["kubernetes"],
      labels: ["bug"],
      maxDifficulty: 1,
      minScore: 90,
    });
    expect(result.reason).toBe("score-below-minimum");
  });
});
