/**
 * Whether an opportunity matches what a subscriber asked for.
 *
 * Rules, checked in this order (the first failing one is the reason):
 * 1. `score >= minScore`
 * 2. `analysis.difficulty <= maxDifficulty`
 * 3. `languages`: the repository's primary language is one of them (no language never matches a
 *    non-empty list)
 * 4. `topics`: one of them is a repository topic or a required skill of the analysis
 * 5. `labels`: the issue carries one of them
 * An empty list matches everything. Names are compared after normalising: lower case, with runs of
 * spaces, `-` and `_` treated as one space, so `Good-First-Issue` matches `good first issue`.
 */
import type { Opportunity, Subscriber } from "../../shared/domain/index.js";

export type MismatchReason =
  | "score-below-minimum"
  | "difficulty-above-maximum"
  | "language-not-wanted"
  | "topic-not-wanted"
  | "label-not-wanted";

export type MatchResult =
  | { matches: true; reason: "matched" }
  | { matches: false; reason: MismatchReason; detail: string };

type MatchableOpportunity = Pick<Opportunity, "score" | "language" | "topics" | "labels"> & {
  analysis: Pick<Opportunity["analysis"], "difficulty" | "requiredSkills">;
};
type MatchPreferences = Pick<Subscriber, "languages" | "topics" | "labels" | "maxDifficulty" | "minScore">;

/** Lower case, trimmed, with runs of whitespace, `-` and `_` replaced by one space. */
export function normaliseName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, " ");
}

function overlaps(wanted: readonly string[], present: readonly string[]): boolean {
  const presentNames = new Set(present.map(normaliseName));
  return wanted.some((name) => presentNames.has(normaliseName(name)));
}

function mismatch(reason: MismatchReason, detail: string): MatchResult {
  return { matches: false, reason, detail };
}

/** Applies the rules above. Pure. */
export function matchesSubscriber(
  opportunity: MatchableOpportunity,
  subscriber: MatchPreferences,
): MatchResult {
  if (opportunity.score < subscriber.minScore) {
    return mismatch("score-below-minimum", `score ${opportunity.score} is below ${subscriber.minScore}`);
  }

  const difficulty = opportunity.analysis.difficulty;
  if (difficulty > subscriber.maxDifficulty) {
    return mismatch(
      "difficulty-above-maximum",
      `difficulty ${difficulty} is above ${subscriber.maxDifficulty}`,
    );
  }

  if (subscriber.languages.length > 0) {
    const language = opportunity.language;
    if (language === null || !overlaps(subscriber.languages, [language])) {
      return mismatch(
        "language-not-wanted",
        `language ${language ?? "(none)"} is not in the subscriber's list`,
      );
    }
  }

  if (subscriber.topics.length > 0) {
    const present = [...opportunity.topics, ...opportunity.analysis.requiredSkills];
    if (!overlaps(subscriber.topics, present)) {
      return mismatch(
        "topic-not-wanted",
        "no repository topic or required skill is in the subscriber's topics",
      );
    }
  }

  if (subscriber.labels.length > 0 && !overlaps(subscriber.labels, opportunity.labels)) {
    return mismatch("label-not-wanted", "the issue carries none of the subscriber's labels");
  }

  return { matches: true, reason: "matched" };
}
