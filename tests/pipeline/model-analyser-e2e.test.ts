/**
 * analyze-issues with `ANALYSER=model`: every model request goes through `context.call`, so QStash
 * makes it and calls the workflow back. Checked against the local OpenAI-compatible stand-in, once
 * with valid replies and once with replies that break the analysis schema.
 */
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { runDiscover } from "../../local/discover/index.js";
import { getRuntime } from "../../server/runtime.js";
import { startTestStack, type TestStack } from "../helpers/stack.js";

const SNAPSHOT_DIR = fileURLToPath(new URL("../fixtures/e2e-snapshot", import.meta.url));
const SUBSCRIBERS_FILE = fileURLToPath(new URL("../fixtures/e2e-subscribers.json", import.meta.url));
const options = { snapshotDir: SNAPSHOT_DIR, subscribersFile: SUBSCRIBERS_FILE, timeoutMs: 60_000 };

describe("model analyser in the pipeline", () => {
  let stack: TestStack | undefined;

  afterEach(async () => {
    await stack?.cleanup();
    stack = undefined;
  });

  it("model answers become analyses", async () => {
    stack = await startTestStack(
      "model-e2e",
      { GITHUB_SNAPSHOT_DIR: SNAPSHOT_DIR, ANALYSER: "model" },
      { appEnv: { CLOCK_FIXED_AT: "2026-12-04T12:00:00Z" } },
    );
    const { summary } = await runDiscover(stack, options);

    expect(summary.analyses).toEqual({ heuristic: 0, model: 6, fallbacks: 0 });
    // One request per candidate: the analyser never requests a valid reply twice.
    expect(stack.model.stats().requests).toBe(6);
    expect(summary.modelTokens.input).toBe(stack.model.stats().promptTokens);
    expect(summary.modelTokens.output).toBe(stack.model.stats().completionTokens);

    const analyses = await getRuntime(stack.appEnv).stores.analyses.getMany(
      (await getRuntime(stack.appEnv).stores.opportunities.list()).map((opportunity) => opportunity.issueId),
    );
    expect(analyses.size).toBe(6);
    for (const analysis of analyses.values()) {
      expect(analysis.analyser).toBe("model");
      expect(analysis.model).toBe(stack.model.model);
      expect(analysis.usage?.inputTokens).toBeGreaterThan(0);
    }
  }, 120_000);

  it("schema violations fall back", async () => {
    stack = await startTestStack(
      "model-e2e",
      { GITHUB_SNAPSHOT_DIR: SNAPSHOT_DIR, ANALYSER: "model" },
      { appEnv: { CLOCK_FIXED_AT: "2026-12-04T12:00:00Z" } },
    );
    stack.model.setMode("schema-violation");
    const { summary } = await runDiscover(stack, options);

    // Each issue: one reply, one retry with the validation problem, then the heuristic result.
    expect(stack.model.stats().requests).toBe(12);
    expect(summary.analyses).toEqual({ heuristic: 6, model: 0, fallbacks: 6 });
    const opportunities = await getRuntime(stack.appEnv).stores.opportunities.list();
    expect(opportunities).toHaveLength(6);
    for (const opportunity of opportunities) {
      expect(opportunity.analysis.fallbackReason).toMatch(/^schema-violation: /);
    }
  }, 120_000);
});
