/**
 * A scan whose `fetch-and-store` step did its writes but never reported back (the app died) runs the
 * step again on retry. The issues it stored are then no longer new, yet their analyses are still
 * missing: the retried scan must queue them anyway, and move the repositories' cursors only after.
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRepositoryNames, runDiscover } from "../../local/discover/index.js";
import { getRuntime } from "../../server/runtime.js";
import { silentLogger } from "../../shared/logger.js";
import { scanRepositories } from "../../steps/scan-repository/index.js";
import { startTestStack, type TestStack } from "../helpers/stack.js";

const SNAPSHOT_DIR = fileURLToPath(new URL("../fixtures/e2e-snapshot", import.meta.url));
const SUBSCRIBERS_FILE = fileURLToPath(new URL("../fixtures/e2e-subscribers.json", import.meta.url));

describe("scan crash recovery", () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack(
      "scan-crash",
      { GITHUB_SNAPSHOT_DIR: SNAPSHOT_DIR },
      { appEnv: { CLOCK_FIXED_AT: "2026-12-04T12:00:00Z" } },
    );
  });

  afterAll(async () => {
    await stack?.cleanup();
  });

  it("first step's writes leave cursors alone", async () => {
    const runtime = getRuntime(stack.appEnv);
    const repositories = await readRepositoryNames(SNAPSHOT_DIR);
    // The step body as the dead attempt ran it: issues stored, nothing analysed, no result recorded.
    const first = await scanRepositories(runtime, { repositories }, silentLogger);
    expect(first.toAnalyse).toHaveLength(6);

    const stored = await runtime.stores.repositories.getMany(repositories);
    for (const repository of stored.values()) expect(repository.issuesUpdatedSince).toBeNull();
  });

  it("retried scan still analyses everything", async () => {
    const { summary } = await runDiscover(stack, {
      snapshotDir: SNAPSHOT_DIR,
      subscribersFile: SUBSCRIBERS_FILE,
      timeoutMs: 60_000,
    });
    expect(summary.analyses.heuristic).toBe(6);
    expect(summary.opportunities.total).toBe(6);
    expect(summary.notifications).toEqual({ webhook: 2, email: 3, slack: 3, failed: 0 });

    const runtime = getRuntime(stack.appEnv);
    const stored = await runtime.stores.repositories.getMany(await readRepositoryNames(SNAPSHOT_DIR));
    for (const repository of stored.values()) expect(repository.issuesUpdatedSince).not.toBeNull();
  });
});
