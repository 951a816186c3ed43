/**
 * The heuristic analyser: deterministic, no network, the default analyser.
 *
 * The signals come from `signals.ts`. The formula:
 *
 * - difficulty (1-10) = 5, then -2 for a beginner label, +3 for a hard label, +2 for a large-scope label
 *   (epic, tracking, RFC, meta), -1 for documentation or translation work, +1 for performance work,
 *   +1 for a body over 1,500 characters and +1 more over 4,000, +1 for two or more code blocks,
 *   +1 for a stack trace; clamped to 1..10.
 * - estimatedHours = HOURS_BY_DIFFICULTY[difficulty], roughly doubling every two levels (1 h to 80 h).
 * - goodFirstIssueScore (0-1) = 0.35 for a beginner label + 0.10 for help wanted
 *   + clarity (0 under 40 body characters, 0.05 under 120, 0.15 up to 2,000, 0.10 up to 5,000, 0.05 above)
 *   + 0.10 for reproduction steps, expected behaviour or acceptance criteria
 *   + 0.05 when the body points at code (inline code or a file path)
 *   + 0.25 × (10 − difficulty) / 9
 *   − 0.02 per comment beyond 5, at most −0.10 (long threads are usually contested or half-done)
 *   − 0.10 for a large-scope label; clamped to 0..1.
 * - contributionType: from labels when one names a type, else from title then body keywords, else `other`.
 *   A generic feature label (`enhancement`) gives way to documentation, tests, translation, performance
 *   or refactor work named in the text.
 * - confidence (0-0.9) = 0.3 + 0.15 when a difficulty label exists + 0.10 when the type came from a label
 *   (0.05 from keywords) + 0.10 for a body of 120+ characters + 0.10 for structure + 0.05 for a known
 *   repository language + 0.05 for code or a stack trace. Capped at 0.9: a heuristic is never sure.
 *
 * Scores are rounded to two decimals so the same input always gives byte-identical output.
 */
import type { AnalysisResult, ContributionType, Issue, Repository } from "../../shared/domain/index.js";
import type { Analyser, AnalyserOutput } from "./analyser.js";
import { type IssueSignals, readSignals, readSkills } from "./signals.js";
import { summarise } from "./summary.js";

/** Estimated hours for a newcomer, indexed by difficulty (index 0 unused). */
const HOURS_BY_DIFFICULTY = [0, 1, 2, 3, 5, 8, 12, 20, 32, 48, 80] as const;

const MAX_HEURISTIC_CONFIDENCE = 0.9;

function clamp(value: number, minimum: number, maximum: number): number {
  return Math.min(maximum, Math.max(minimum, value));
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Types a generic `enhancement`/`feature` label gives way to when the text names them. */
const SPECIFIC_TYPES: ReadonlySet<ContributionType> = new Set([
  "documentation",
  "tests",
  "translation",
  "performance",
  "refactor",
]);

function contributionTypeOf(signals: IssueSignals): ContributionType {
  const fromKeywords = signals.typeFromKeywords;
  if (signals.typeFromLabels === "feature" && fromKeywords !== null && SPECIFIC_TYPES.has(fromKeywords)) {
    return fromKeywords;
  }
  return signals.typeFromLabels ?? fromKeywords ?? "other";
}

function difficultyOf(signals: IssueSignals, type: ContributionType): number {
  let difficulty = 5;
  if (signals.beginnerLabel) difficulty -= 2;
  if (signals.hardLabel) difficulty += 3;
  if (signals.largeScopeLabel) difficulty += 2;
  if (type === "documentation" || type === "translation") difficulty -= 1;
  if (type === "performance") difficulty += 1;
  if (signals.bodyLength > 1_500) difficulty += 1;
  if (signals.bodyLength > 4_000) difficulty += 1;
  if (signals.codeBlocks >= 2) difficulty += 1;
  if (signals.stackTrace) difficulty += 1;
  return clamp(difficulty, 1, 10);
}

function clarityOf(bodyLength: number): number {
  if (bodyLength < 40) return 0;
  if (bodyLength < 120) return 0.05;
  if (bodyLength <= 2_000) return 0.15;
  if (bodyLength <= 5_000) return 0.1;
  return 0.05;
}

function goodFirstIssueScoreOf(signals: IssueSignals, difficulty: number, commentCount: number): number {
  let score = 0;
  if (signals.beginnerLabel) score += 0.35;
  if (signals.helpWantedLabel) score += 0.1;
  score += clarityOf(signals.bodyLength);
  if (signals.hasStructure) score += 0.1;
  if (signals.pointsAtCode) score += 0.05;
  score += (0.25 * (10 - difficulty)) / 9;
  score -= Math.min(0.1, 0.02 * Math.max(0, commentCount - 5));
  if (signals.largeScopeLabel) score -= 0.1;
  return round2(clamp(score, 0, 1));
}

function confidenceOf(signals: IssueSignals, repository: Repository): number {
  let confidence = 0.3;
  if (signals.beginnerLabel || signals.hardLabel || signals.largeScopeLabel) confidence += 0.15;
  if (signals.typeFromLabels !== null) confidence += 0.1;
  else if (signals.typeFromKeywords !== null) confidence += 0.05;
  if (signals.bodyLength >= 120) confidence += 0.1;
  if (signals.hasStructure) confidence += 0.1;
  if (repository.primaryLanguage) confidence += 0.05;
  if (signals.codeBlocks > 0 || signals.stackTrace) confidence += 0.05;
  return round2(Math.min(MAX_HEURISTIC_CONFIDENCE, confidence));
}

/** First steps by contribution type; `#N` is the issue number. */
function firstStepsFor(type: ContributionType, issue: Issue): string[] {
  const reference = `#${issue.number}`;
  const comment = `Comment on ${reference} that you are working on it, so nobody duplicates the work`;
  switch (type) {
    case "bug-fix":
      return [
        comment,
        "Reproduce the problem locally with the steps in the issue",
        "Write a failing test that captures the bug",
        `Fix the cause and open a pull request that references ${reference}`,
      ];
    case "feature":
      return [
        comment,
        "Confirm the expected behaviour with a maintainer before writing code",
        "Find where similar behaviour is implemented and follow its pattern",
        `Implement it with tests and open a pull request that references ${reference}`,
      ];
    case "documentation":
      return [
        comment,
        "Read the contributing guide for the docs build and style rules",
        "Make the change and check it in the rendered output",
        `Open a pull request that references ${reference}`,
      ];
    case "tests":
      return [
        comment,
        "Run the existing test suite locally",
        "Add tests for the cases the issue names, following the existing test layout",
        `Open a pull request that references ${reference}`,
      ];
    case "translation":
      return [
        comment,
        "Read the project's translation guide and glossary",
        "Translate or update the listed pages, keeping the source structure",
        `Open a pull request that references ${reference}`,
      ];
    case "performance":
      return [
        comment,
        "Reproduce the slow case and measure it before changing anything",
        "Profile to find where the time or memory goes",
        `Make the fix, measure again and open a pull request that references ${reference}`,
      ];
    case "refactor":
      return [
        comment,
        "Run the test suite to have a baseline",
        "Make the change in small commits that keep the tests passing",
        `Open a pull request that references ${reference}`,
      ];
    case "other":
      return [
        comment,
        "Ask a maintainer what a finished contribution would look like",
        `Open a pull request that references ${reference}`,
      ];
  }
}

/** Analyses one issue with the formula above. Pure and synchronous. */
export function analyseHeuristically(issue: Issue, repository: Repository): AnalysisResult {
  const signals = readSignals(issue);
  const contributionType = contributionTypeOf(signals);
  const difficulty = difficultyOf(signals, contributionType);
  return {
    difficulty,
    requiredSkills: readSkills(issue, repository),
    estimatedHours: HOURS_BY_DIFFICULTY[difficulty] ?? 8,
    goodFirstIssueScore: goodFirstIssueScoreOf(signals, difficulty, issue.commentCount),
    contributionType,
    summary: summarise(issue.title, issue.body),
    firstSteps: firstStepsFor(contributionType, issue),
    confidence: confidenceOf(signals, repository),
  };
}

/** Creates the heuristic analyser, which needs no configuration. */
export function createHeuristicAnalyser(): Analyser {
  return {
    kind: "heuristic",
    async analyse(issue: Issue, repository: Repository): Promise<AnalyserOutput> {
      return {
        result: analyseHeuristically(issue, repository),
        analyser: "heuristic",
        model: null,
        usage: null,
        fallbackReason: null,
        calls: [],
      };
    },
  };
}
