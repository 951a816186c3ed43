/**
 * Poison input in a scan: a webhook scan of an issue whose repository GitHub no longer has cannot
 * succeed on any retry, so the step skips it and records why instead of failing the run.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getRuntime } from "../../server/runtime.js";
import { silentLogger } from "../../shared/logger.js";
import { scanRepositories } from "../../steps/scan-repository/index.js";
import { startTestStack, type TestStack } from "../helpers/stack.js";

describe("scan poison input", () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack("scan-poison");
  });

  afterAll(async () => {
    await stack?.cleanup();
  });

  it("vanished repository is skipped and counted", async () => {
    const runtime = getRuntime(stack.appEnv);
    // Stored by an earlier scan, since deleted on GitHub (the stand-in's snapshot never had it).
    await runtime.stores.repositories.upsert({
      id: "R_gone",
      owner: "ghost",
      name: "gone",
      nameWithOwner: "ghost/gone",
      url: "https://github.com/ghost/gone",
      primaryLanguage: null,
      description: null,
      topics: [],
      stargazerCount: 0,
      isArchived: false,
      issuesUpdatedSince: null,
      lastScannedAt: null,
    });

    const result = await scanRepositories(
      runtime,
      { repositories: ["ghost/gone"], issueNumbers: [7] },
      silentLogger,
    );
    expect(result.toAnalyse).toEqual([]);
    expect(result.repositories).toEqual([
      { name: "ghost/gone", status: "scanned", issuesSeen: 0, issuesChanged: 0 },
    ]);
    expect((await runtime.stores.stats.read())["poison.skipped"]).toBe(1);
  });
});
