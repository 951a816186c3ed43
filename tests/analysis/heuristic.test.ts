import { describe, expect, it } from "vitest";
import { AnalysisResultSchema, AnalysisSchema } from "../../shared/domain/index.js";
import {
  analyseBatch,
  analyseHeuristically,
  createHeuristicAnalyser,
  needsAnalysis,
  summarise,
  toAnalysis,
} from "../../steps/analysis/index.js";
import { loadSnapshot, makeIssue, makeRepository, snapshotIssue } from "./fixtures.js";

describe("heuristic analyser", () => {
  it("same input gives same output", () => {
    const { issues, repositories } = loadSnapshot();
    for (const issue of issues) {
      const repository = repositories.get(issue.repository)!;
      const first = JSON.stringify(analyseHeuristically(issue, repository));
      const second = JSON.stringify(
        analyseHeuristically(structuredClone(issue), structuredClone(repository)),
      );
      expect(second, `${issue.repository}#${issue.number}`).toBe(first);
    }
  });

  it("every snapshot result passes schema", () => {
    const { issues, repositories } = loadSnapshot();
    for (const issue of issues) {
      const result = analyseHeuristically(issue, repositories.get(issue.repository)!);
      const parsed = AnalysisResultSchema.safeParse(result);
      expect(parsed.success, `${issue.repository}#${issue.number}: ${parsed.error?.message}`).toBe(true);
    }
  });

  it("beginner label lowers difficulty", () => {
    const repository = makeRepository();
    const plain = analyseHeuristically(makeIssue({ labels: [] }), repository);
    const beginner = analyseHeuristically(makeIssue({ labels: ["good first issue"] }), repository);
    const hard = analyseHeuristically(makeIssue({ labels: ["complex"] }), repository);
    expect(beginner.difficulty).toBeLessThan(plain.difficulty);
    expect(hard.difficulty).toBeGreaterThan(plain.difficulty);
    expect(beginner.goodFirstIssueScore).toBeGreaterThan(plain.goodFirstIssueScore);
    expect(hard.estimatedHours).toBeGreaterThan(beginner.estimatedHours);
  });

  it("stack trace raises difficulty", () => {
    const repository = makeRepository();
    const body = "The parser crashes on empty input. Expected: an empty result.";
    const trace = `${body}\n\n\`\`\`\nTypeError: x is undefined\n    at parse (src/parser.ts:10:5)\n    at main (src/cli.ts:3:1)\n\`\`\``;
    const without = analyseHeuristically(makeIssue({ body, labels: [] }), repository);
    const withTrace = analyseHeuristically(makeIssue({ body: trace, labels: [] }), repository);
    expect(withTrace.difficulty).toBeGreaterThan(without.difficulty);
  });

  it("long discussion lowers good-first score", () => {
    const repository = makeRepository();
    const quiet = analyseHeuristically(makeIssue({ commentCount: 2 }), repository);
    const busy = analyseHeuristically(makeIssue({ commentCount: 30 }), repository);
    expect(busy.goodFirstIssueScore).toBeCloseTo(quiet.goodFirstIssueScore - 0.1, 5);
  });

  it("snapshot beginner docs issue", () => {
    const { issue, repository } = snapshotIssue("StackDoubleFlow/quest-hook-rs#4");
    const result = analyseHeuristically(issue, repository);
    expect(result.contributionType).toBe("documentation");
    expect(result.difficulty).toBeLessThanOrEqual(3);
    expect(result.goodFirstIssueScore).toBeGreaterThanOrEqual(0.5);
    expect(result.requiredSkills[0]).toBe(repository.primaryLanguage);
    expect(result.requiredSkills).toContain("Technical writing");
  });

  it("snapshot translation issue", () => {
    const { issue, repository } = snapshotIssue("tldr-pages/tldr#13568");
    const result = analyseHeuristically(issue, repository);
    expect(result.contributionType).toBe("translation");
    expect(result.requiredSkills).toContain("Translation");
  });

  it("snapshot bug report", () => {
    const { issue, repository } = snapshotIssue("pandas-dev/pandas#42022");
    const result = analyseHeuristically(issue, repository);
    expect(result.contributionType).toBe("bug-fix");
    expect(result.firstSteps.some((step) => /failing test/i.test(step))).toBe(true);
    expect(result.firstSteps.at(-1)).toContain(`#${issue.number}`);
  });

  it("snapshot good-first beats unlabelled on average", () => {
    const { issues, repositories } = loadSnapshot();
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    const labelled: number[] = [];
    const unlabelled: number[] = [];
    for (const issue of issues) {
      const score = analyseHeuristically(issue, repositories.get(issue.repository)!).goodFirstIssueScore;
      if (issue.labels.some((label) => /good first issue/i.test(label))) labelled.push(score);
      else if (issue.labels.length === 0) unlabelled.push(score);
    }
    expect(labelled.length).toBeGreaterThan(10);
    expect(unlabelled.length).toBeGreaterThan(10);
    expect(mean(labelled)).toBeGreaterThan(mean(unlabelled) + 0.2);
  });

  it("confidence grows with signal", () => {
    const repository = makeRepository();
    const bare = analyseHeuristically(makeIssue({ title: "Hmm", body: "", labels: [] }), repository);
    const rich = analyseHeuristically(makeIssue(), repository);
    expect(rich.confidence).toBeGreaterThan(bare.confidence);
    expect(rich.confidence).toBeLessThanOrEqual(0.9);
  });

  it("empty body summarised by title", () => {
    const result = analyseHeuristically(makeIssue({ title: "Crash on start", body: "" }), makeRepository());
    expect(result.summary).toBe("Crash on start");
  });
});

describe("summary", () => {
  it("keeps version numbers whole", () => {
    expect(summarise("t", "It fails in 2.44.1 again. Second sentence here. Third one.")).toBe(
      "It fails in 2.44.1 again. Second sentence here.",
    );
  });

  it("drops markdown but keeps inline code", () => {
    const body =
      "## Bug\n\n<!-- template -->\nThe `<script>` tag runs in **preview**. See [docs](https://x.test).";
    expect(summarise("t", body)).toBe("Bug The `<script>` tag runs in preview. See docs.");
  });

  it("cuts long text at a word", () => {
    const summary = summarise("t", `${"word ".repeat(200)}.`);
    expect(summary.length).toBeLessThanOrEqual(280);
    expect(summary.endsWith("…")).toBe(true);
  });
});

describe("analysis helpers", () => {
  it("needsAnalysis follows content hash", () => {
    const issue = makeIssue();
    const output = analyseHeuristically(issue, makeRepository());
    const stored = AnalysisSchema.parse({
      ...output,
      issueId: issue.id,
      contentHash: issue.contentHash,
      analyser: "heuristic",
      analysedAt: "2026-12-01T00:00:00.000Z",
    });
    expect(needsAnalysis(issue, null)).toBe(true);
    expect(needsAnalysis(issue, stored)).toBe(false);
    const edited = makeIssue({ body: `${issue.body} Also on Windows.` });
    expect(edited.contentHash).not.toBe(issue.contentHash);
    expect(needsAnalysis(edited, stored)).toBe(true);
  });

  it("batch skips unknown repositories", async () => {
    const repository = makeRepository();
    const known = makeIssue({ number: 1 });
    const unknown = makeIssue({ number: 2, repository: "other/repo" });
    const { outputs, missingRepository } = await analyseBatch(
      createHeuristicAnalyser(),
      [known, unknown],
      new Map([[repository.nameWithOwner, repository]]),
    );
    expect([...outputs.keys()]).toEqual([known.id]);
    expect(missingRepository).toEqual([unknown.id]);
  });

  it("toAnalysis builds valid record", async () => {
    const issue = makeIssue();
    const output = await createHeuristicAnalyser().analyse(issue, makeRepository());
    const analysis = toAnalysis(issue, output, "2026-12-01T00:00:00.000Z");
    expect(AnalysisSchema.parse(analysis)).toEqual(analysis);
    expect(analysis.analyser).toBe("heuristic");
    expect(analysis.usage).toBeNull();
    expect(analysis.model).toBeNull();
  });
});
