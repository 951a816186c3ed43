import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type ModelStandIn, startModelStandIn } from "../../local/model/index.js";
import { AnalysisResultSchema, AnalysisSchema } from "../../shared/domain/index.js";
import { createLogger, type LogAttributes } from "../../shared/logger.js";
import {
  analyseHeuristically,
  createModelAnalyser,
  isModelProviderError,
  toAnalysis,
} from "../../steps/analysis/index.js";
import { makeIssue, makeRepository, snapshotIssue } from "./fixtures.js";

let model: ModelStandIn;

beforeAll(async () => {
  model = await startModelStandIn({ hangMs: 60_000 });
});

afterAll(async () => {
  await model.close();
});

beforeEach(() => {
  model.setMode({ mode: "ok", failNext: [], faultRate: 0 });
  model.resetStats();
});

function analyser(options: { timeoutMs?: number; logs?: LogAttributes[] } = {}) {
  const logs = options.logs;
  return createModelAnalyser({
    provider: { baseUrl: model.url, apiKey: model.apiKey, name: model.model },
    timeoutMs: options.timeoutMs,
    logger:
      logs === undefined
        ? undefined
        : createLogger({ level: "debug", write: (_level, record) => logs.push(record) }),
  });
}

describe("model analyser", () => {
  it("ok reply parsed with usage", async () => {
    const { issue, repository } = snapshotIssue("asoderman/docCLI#1");
    const output = await analyser().analyse(issue, repository);

    expect(output.analyser).toBe("model");
    expect(output.model).toBe(model.model);
    expect(output.fallbackReason).toBeNull();
    expect(AnalysisResultSchema.safeParse(output.result).success).toBe(true);
    const heuristic = analyseHeuristically(issue, repository);
    // The stand-in returns the heuristic result shifted, so the two are distinguishable.
    expect(output.result.confidence).toBeCloseTo(Math.min(1, heuristic.confidence + 0.05), 5);
    expect(output.result.difficulty).toBe(heuristic.difficulty);

    expect(output.calls).toHaveLength(1);
    expect(output.calls[0]?.outcome).toBe("ok");
    const stats = model.stats();
    expect(stats.requests).toBe(1);
    expect(output.usage).toEqual({ inputTokens: stats.promptTokens, outputTokens: stats.completionTokens });
    expect(output.usage?.inputTokens).toBeGreaterThan(0);
  });

  it("stored analysis passes schema", async () => {
    const issue = makeIssue();
    const output = await analyser().analyse(issue, makeRepository());
    const analysis = toAnalysis(issue, output, "2026-12-01T00:00:00.000Z");
    expect(AnalysisSchema.parse(analysis)).toEqual(analysis);
    expect(analysis.contentHash).toBe(issue.contentHash);
  });

  it("malformed JSON twice falls back", async () => {
    model.setMode("malformed-json");
    const logs: LogAttributes[] = [];
    const issue = makeIssue();
    const repository = makeRepository();
    const output = await analyser({ logs }).analyse(issue, repository);

    expect(model.stats().requests).toBe(2);
    expect(output.analyser).toBe("heuristic");
    expect(output.result).toEqual(analyseHeuristically(issue, repository));
    expect(output.fallbackReason).toMatch(/^malformed-json: /);
    expect(output.calls.map((call) => call.outcome)).toEqual(["malformed-json", "malformed-json"]);
    expect(output.calls.map((call) => call.stepName)).toEqual([
      `analyse:${issue.id}`,
      `analyse:${issue.id}:retry`,
    ]);
    const stats = model.stats();
    expect(output.usage).toEqual({ inputTokens: stats.promptTokens, outputTokens: stats.completionTokens });
    expect(logs.map((record) => record.message)).toContain(
      "model reply rejected twice, using the heuristic result",
    );
  });

  it("schema violation twice falls back", async () => {
    model.setMode("schema-violation");
    const output = await analyser().analyse(makeIssue(), makeRepository());

    expect(model.stats().requests).toBe(2);
    expect(output.analyser).toBe("heuristic");
    expect(output.fallbackReason).toMatch(/^schema-violation: /);
    expect(output.fallbackReason).toContain("difficulty");
    expect(output.calls.map((call) => call.outcome)).toEqual(["schema-violation", "schema-violation"]);
  });

  it("one bad reply then model result", async () => {
    model.setMode({ failNext: ["schema-violation"] });
    const output = await analyser().analyse(makeIssue(), makeRepository());

    expect(model.stats().requests).toBe(2);
    expect(output.analyser).toBe("model");
    expect(output.fallbackReason).toBeNull();
    expect(output.calls.map((call) => call.outcome)).toEqual(["schema-violation", "ok"]);
    const stats = model.stats();
    expect(output.usage).toEqual({ inputTokens: stats.promptTokens, outputTokens: stats.completionTokens });
  });

  it("malformed then ok retries once", async () => {
    model.setMode({ failNext: ["malformed-json"] });
    const output = await analyser().analyse(makeIssue(), makeRepository());
    expect(output.analyser).toBe("model");
    expect(output.calls.map((call) => call.outcome)).toEqual(["malformed-json", "ok"]);
  });

  it("429 raises provider error with retry-after", async () => {
    model.setMode({ failNext: ["http-429"], retryAfterSeconds: 7 });
    const error = await analyser()
      .analyse(makeIssue(), makeRepository())
      .catch((caught: unknown) => caught);

    expect(isModelProviderError(error)).toBe(true);
    if (!isModelProviderError(error)) return;
    expect(error.status).toBe(429);
    expect(error.retryAfterSeconds).toBe(7);
    expect(error.retryable).toBe(true);
    expect(model.stats().requests).toBe(1);
  });

  it("500 raises retryable provider error", async () => {
    model.setMode({ failNext: ["http-500"] });
    const error = await analyser()
      .analyse(makeIssue(), makeRepository())
      .catch((caught: unknown) => caught);

    expect(isModelProviderError(error)).toBe(true);
    if (!isModelProviderError(error)) return;
    expect(error.status).toBe(500);
    expect(error.retryAfterSeconds).toBeNull();
    expect(error.retryable).toBe(true);
  });

  it("hung request raises timeout error", async () => {
    model.setMode({ failNext: ["timeout"] });
    const error = await analyser({ timeoutMs: 300 })
      .analyse(makeIssue(), makeRepository())
      .catch((caught: unknown) => caught);

    expect(isModelProviderError(error)).toBe(true);
    if (!isModelProviderError(error)) return;
    expect(error.status).toBeNull();
    expect(error.retryable).toBe(true);
  });

  it("wrong key raises non-retryable error", async () => {
    const wrongKey = createModelAnalyser({
      provider: { baseUrl: model.url, apiKey: "sk-wrong", name: model.model },
    });
    const error = await wrongKey.analyse(makeIssue(), makeRepository()).catch((caught: unknown) => caught);

    expect(isModelProviderError(error)).toBe(true);
    if (!isModelProviderError(error)) return;
    expect(error.status).toBe(401);
    expect(error.retryable).toBe(false);
  });

  it("missing provider settings rejected", () => {
    expect(() =>
      createModelAnalyser({ provider: { baseUrl: model.url, apiKey: "", name: model.model } }),
    ).toThrow(/provider\.apiKey/);
  });
});
