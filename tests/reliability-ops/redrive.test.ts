import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getRuntime } from "../../server/runtime.js";
import { verifyRadarSignature } from "../../steps/delivery/index.js";
import { type Alert, type DeadLetter, opsOf } from "../../steps/maintenance/index.js";
import { type HttpTarget, startHttpTarget } from "../helpers/http-target.js";
import { startTestStack, type TestStack } from "../helpers/stack.js";
import { waitFor } from "../helpers/wait-for.js";
import {
  admin,
  adminOk,
  closeGitHubBreaker,
  FAST_FAILURE_ENV,
  REPOSITORY,
  runMaintenance,
  waitForRunState,
} from "./helpers.js";

const ALERT_SECRET = "alert-signing-secret";

let stack: TestStack;
let alertTarget: HttpTarget;

beforeAll(async () => {
  alertTarget = await startHttpTarget();
  stack = await startTestStack(
    "reliability-ops",
    {},
    {
      appEnv: {
        ...FAST_FAILURE_ENV,
        ALERT_WEBHOOK_URL: `${alertTarget.url}/alerts`,
        ALERT_WEBHOOK_SECRET: ALERT_SECRET,
      },
    },
  );
  await adminOk(stack, "POST", "/repositories", { repositories: [REPOSITORY] });
});

afterAll(async () => {
  await stack?.cleanup();
  await alertTarget?.close();
});

/** Starts a scan while GitHub returns 502, and waits until its run is in the dead-letter list. */
async function deadScan(): Promise<DeadLetter> {
  stack.github.setFaults({ badGatewayRate: 1 });
  const { workflowRunId } = await adminOk<{ workflowRunId: string }>(stack, "POST", "/scans", {
    repositories: [REPOSITORY],
  });
  return waitFor(
    async () => {
      const { deadLetters } = await adminOk<{ deadLetters: DeadLetter[] }>(
        stack,
        "GET",
        "/dead-letters?workflow=scan-repository&dependency=github",
      );
      return deadLetters.find((letter) => letter.workflowRunId === workflowRunId && letter.state === "dead");
    },
    { description: `dead letter of scan ${workflowRunId}`, timeoutMs: 45_000, intervalMs: 100 },
  );
}

async function counters(): Promise<Record<string, number>> {
  return (await adminOk<{ counters: Record<string, number> }>(stack, "GET", "/alerts")).counters;
}

describe("dead-letter re-drive", () => {
  it("dead scan names its dependency", async () => {
    const letter = await deadScan();
    expect(letter.dependency).toBe("github");
    expect(letter.workflowId).toBe("scan-repository");
    expect(letter.labels).toContain("scan");
    expect(["transient", "circuit-open"]).toContain(letter.kind);
    expect(letter.error).toMatch(/\[dependency=github kind=/);
    expect(letter.stepName).toBe("fetch-and-store");
    expect(letter.enteredDlqAt).toBeGreaterThanOrEqual(letter.createdAt);

    const shown = await adminOk<DeadLetter>(stack, "GET", `/dead-letters/${letter.dlqId}`);
    expect(shown.workflowRunId).toBe(letter.workflowRunId);
    stack.github.setFaults({});
  });

  it("re-drive after recovery", async () => {
    const letter = await deadScan();
    stack.github.setFaults({});
    await closeGitHubBreaker(stack, Date.now() - 1);
    const before = (await counters())["redrive.resumed"] ?? 0;

    await runMaintenance(stack);

    expect((await counters())["redrive.resumed"]).toBeGreaterThan(before);
    expect((await admin(stack, "GET", `/dead-letters/${letter.dlqId}`)).status).toBe(404);
    const { deadLetters } = await adminOk<{ deadLetters: DeadLetter[] }>(stack, "GET", "/dead-letters");
    expect(deadLetters.map((entry) => entry.workflowRunId)).not.toContain(letter.workflowRunId);
    const deadRuns = opsOf(getRuntime(stack.appEnv)).deadRuns;
    const record = await deadRuns.get(letter.workflowRunId);
    expect(record?.state).toBe("redriven");
    const resumedRunId = record?.redrivenAs ?? "";
    expect(resumedRunId).not.toBe("");
    expect(await deadRuns.isQuarantined(letter.workflowRunId)).toBe(false);
    await waitForRunState(stack, resumedRunId, "RUN_SUCCESS");
  });

  it("re-drive past 1,100 older entries", async () => {
    const runtime = getRuntime(stack.appEnv);
    const deadRuns = opsOf(runtime).deadRuns;
    // Older runs that already left the `dead` state: their ids sit in both indexes, as they did
    // before re-driven runs were removed from the re-drive index.
    const failedAt = Date.now() - 60_000;
    const pipeline = runtime.redis.pipeline();
    for (let index = 0; index < 1100; index += 1) {
      const workflowRunId = `wfr_seeded_${index}`;
      pipeline.set(deadRuns.keys.dead(workflowRunId), {
        workflowRunId,
        workflowId: "scan-repository",
        labels: ["scan"],
        dependency: "github",
        kind: "transient",
        failStatus: 500,
        failResponse: "[dependency=github kind=transient] HTTP 502 from github",
        stepName: null,
        failedAt: failedAt + index,
        state: "redriven",
        redriveCount: 0,
        redriveOf: null,
        redrivenAs: `wfr_seeded_next_${index}`,
        updatedAt: failedAt + index,
      });
      pipeline.zadd(deadRuns.keys.deadRuns(), { score: failedAt + index, member: workflowRunId });
      pipeline.zadd(deadRuns.keys.redrivePending(), { score: failedAt + index, member: workflowRunId });
    }
    await pipeline.exec();

    const letter = await deadScan();
    stack.github.setFaults({});
    await closeGitHubBreaker(stack, Date.now() - 1);
    await runMaintenance(stack);

    const record = await deadRuns.get(letter.workflowRunId);
    expect(record?.state).toBe("redriven");
    expect(await deadRuns.countRedrivePending()).toBe(0);
    expect(await runtime.redis.zcard(deadRuns.keys.deadRuns())).toBeGreaterThan(1100);
    await waitForRunState(stack, record?.redrivenAs ?? "", "RUN_SUCCESS");
  });

  it("quarantine after second failure", async () => {
    const letter = await deadScan();
    stack.github.setFaults({});
    await closeGitHubBreaker(stack, Date.now() - 1);
    // GitHub fails again, so the re-driven run dies a second time.
    stack.github.setFaults({ badGatewayRate: 1 });
    await runMaintenance(stack);

    const quarantined = await waitFor(
      async () => {
        const { runs } = await adminOk<{
          runs: { workflowRunId: string; record: { redriveOf: string } | null }[];
        }>(stack, "GET", "/quarantine");
        return runs.find((run) => run.record?.redriveOf === letter.workflowRunId);
      },
      { description: "re-driven run in quarantine", timeoutMs: 45_000, intervalMs: 100 },
    );

    // The run enters quarantine just before its alert is stored.
    const alert = await waitFor(async () => {
      const { alerts } = await adminOk<{ alerts: Alert[] }>(stack, "GET", "/alerts?code=run-quarantined");
      return alerts.find((item) => item.workflowRunId === quarantined.workflowRunId);
    });
    expect(alert?.dependency).toBe("github");
    expect(alert?.details.redriveOf).toBe(letter.workflowRunId);

    const posted = await waitFor(() =>
      alertTarget.requests.find((request) => request.body.includes(quarantined.workflowRunId)),
    );
    expect(posted.path).toBe("/alerts");
    expect(
      await verifyRadarSignature(ALERT_SECRET, posted.body, posted.headers.get("x-radar-signature-256")),
    ).toBe(true);

    // After recovery, the next pass leaves the quarantined run in the DLQ.
    stack.github.setFaults({});
    await closeGitHubBreaker(stack, Date.now() - 1);
    const resumedBefore = (await counters())["redrive.resumed"] ?? 0;
    await runMaintenance(stack);
    expect((await counters())["redrive.resumed"] ?? 0).toBe(resumedBefore);
    const { deadLetters } = await adminOk<{ deadLetters: DeadLetter[] }>(
      stack,
      "GET",
      "/dead-letters?state=quarantined",
    );
    const entry = deadLetters.find((item) => item.workflowRunId === quarantined.workflowRunId);
    expect(entry?.quarantined).toBe(true);
    expect(entry?.redriveCount).toBe(1);
  });

  it("authentication death alerts once", async () => {
    stack.github.setFaults({ badCredentials: true });
    const deadRuns = opsOf(getRuntime(stack.appEnv)).deadRuns;
    const kinds: (string | null)[] = [];
    for (let index = 0; index < 2; index += 1) {
      const { workflowRunId } = await adminOk<{ workflowRunId: string }>(stack, "POST", "/scans", {
        repositories: [REPOSITORY],
      });
      const record = await waitFor(async () => (await deadRuns.get(workflowRunId)) ?? undefined, {
        description: `dead-run record of scan ${workflowRunId}`,
        timeoutMs: 45_000,
        intervalMs: 100,
      });
      kinds.push(record.kind);
    }
    stack.github.setFaults({});
    expect(kinds).toEqual(["authentication", "authentication"]);

    const { alerts } = await adminOk<{ alerts: Alert[] }>(
      stack,
      "GET",
      "/alerts?code=dependency-authentication-failed",
    );
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.dependency).toBe("github");
    expect(alerts[0]?.message).toMatch(/credentials/);
    const counted = await counters();
    expect(counted["dead.authentication.github"]).toBe(2);
    expect(counted["alerts.suppressed.dependency-authentication-failed"]).toBe(1);
    const posted = await waitFor(() =>
      alertTarget.requests.find((request) => request.body.includes("dependency-authentication-failed")),
    );
    expect(posted.path).toBe("/alerts");
  });
});
