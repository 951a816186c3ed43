import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Alert } from "../../steps/maintenance/index.js";
import { startTestStack, type TestStack } from "../helpers/stack.js";
import { waitFor } from "../helpers/wait-for.js";
import { adminOk, REPOSITORY, runMaintenance, waitForRunState, workflowClient } from "./helpers.js";

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack(
    "reliability-ops-stuck",
    {},
    {
      appEnv: {
        STUCK_AFTER_SECONDS: JSON.stringify({ "scan-repository": 1 }),
        STUCK_RUN_ACTION: "restart",
        GITHUB_TIMEOUT_MS: "60000",
      },
    },
  );
  await adminOk(stack, "POST", "/repositories", { repositories: [REPOSITORY] });
});

afterAll(async () => {
  await stack?.cleanup();
});

describe("stuck run handling", () => {
  it("hung scan is restarted", async () => {
    // GitHub holds every request open, so the scan's first step makes no progress.
    stack.github.setFaults({ timeoutRate: 1, hangMs: 8000 });
    const { workflowRunId } = await adminOk<{ workflowRunId: string }>(stack, "POST", "/scans", {
      repositories: [REPOSITORY],
    });
    const client = workflowClient(stack);
    await waitFor(
      async () => {
        const run = (await client.logs({ filter: { workflowRunId } })).runs[0];
        return run?.workflowState === "RUN_STARTED" && Date.now() - run.workflowRunCreatedAt > 1500;
      },
      { description: "scan idle past its 1 s limit" },
    );

    stack.github.setFaults({});
    await runMaintenance(stack);

    const { alerts } = await adminOk<{ alerts: Alert[]; counters: Record<string, number> }>(
      stack,
      "GET",
      "/alerts?code=stuck-run-restarted",
    );
    const alert = alerts.find((item) => item.workflowRunId === workflowRunId);
    expect(alert?.workflowId).toBe("scan-repository");
    const newRunId = String(alert?.details.newWorkflowRunId);
    await waitForRunState(stack, workflowRunId, "RUN_CANCELED");
    await waitForRunState(stack, newRunId, "RUN_SUCCESS");

    const newRun = (await client.logs({ filter: { workflowRunId: newRunId } })).runs[0];
    expect(newRun?.labels ?? [newRun?.label]).toContain("scan");

    // A second pass does not act on the same run again.
    await runMaintenance(stack);
    const { counters } = await adminOk<{ counters: Record<string, number> }>(stack, "GET", "/alerts");
    expect(counters["stuck.restarted"]).toBe(1);
    expect(counters["alerts.stuck-run-restarted"]).toBe(1);
  });
});
