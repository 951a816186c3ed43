import { Client } from "@upstash/workflow";
import { serve } from "@upstash/workflow/hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestQStash, type TestQStash } from "../helpers/qstash.js";
import { waitFor } from "../helpers/wait-for.js";
import { startWorkflowApp, type WorkflowApp } from "../helpers/workflow-app.js";

let qstash: TestQStash;
let app: WorkflowApp;
let client: Client;
const failures = new Map<string, { failStatus: number; failResponse: string; payload: unknown }>();
const completed = new Map<string, string>();
/** Runs whose "flaky" step should fail; a test clears it to let a resumed run succeed. */
let failFlakyStep = true;
const stepRuns = new Map<string, number>();

beforeAll(async () => {
  qstash = await startTestQStash();
  app = await startWorkflowApp((hono, env) => {
    hono.post(
      "/failing",
      serve<{ tag: string }>(
        async (context) => {
          const first = await context.run("first", () => {
            stepRuns.set("first", (stepRuns.get("first") ?? 0) + 1);
            return "one";
          });
          const second = await context.run("flaky", () => {
            if (failFlakyStep) throw new Error("flaky step failed");
            return "two";
          });
          completed.set(context.requestPayload.tag, `${first}-${second}`);
        },
        {
          env,
          failureFunction: async ({ context, failStatus, failResponse }) => {
            failures.set(context.workflowRunId, {
              failStatus,
              failResponse,
              payload: context.requestPayload,
            });
          },
        },
      ),
    );
    hono.post(
      "/long",
      serve(
        async (context) => {
          await context.sleep("long-sleep", 60);
          await context.run("never", () => "reached");
        },
        { env },
      ),
    );
  }, qstash);
  client = new Client({ baseUrl: qstash.url, token: qstash.token });
});

afterAll(async () => {
  await app?.close();
  await qstash?.cleanup();
});

describe("workflow failure", () => {
  it("failing step reaches failure function", async () => {
    failFlakyStep = true;
    const { workflowRunId } = await client.trigger({
      url: `${app.url}/failing`,
      body: { tag: "fail" },
      retries: 1,
      retryDelay: "10",
    });
    const failure = await waitFor(() => failures.get(workflowRunId), { description: "failure function" });
    expect(failure.failStatus).toBe(500);
    expect(failure.failResponse).toBe("flaky step failed");
    expect(failure.payload).toEqual({ tag: "fail" });
    // 1 first call + 1 for "first"'s result + 1 retry of the failing delivery + 1 failure callback.
    expect(app.callsTo("/failing")).toBe(4);

    const { runs } = await client.logs({ workflowRunId });
    const run = runs[0];
    expect(run?.workflowState).toBe("RUN_FAILED");
    const next = run?.steps.at(-1);
    expect(next?.type).toBe("next");
    expect(next?.steps[0]?.state).toBe("STEP_FAILED");
    await waitFor(
      async () =>
        (await client.logs({ workflowRunId })).runs[0]?.failureFunction?.state === "CALLBACK_SUCCESS",
      {
        description: "failure callback state",
      },
    );

    const dlq = await client.dlq.list({ filter: { workflowRunId } });
    expect(dlq.messages).toHaveLength(1);
    expect(dlq.messages[0]?.responseStatus).toBe(500);
    expect(dlq.messages[0]?.dlqId).toBe(run?.dlqId);
  });

  it("DLQ resume keeps finished steps", async () => {
    failFlakyStep = true;
    const { workflowRunId } = await client.trigger({
      url: `${app.url}/failing`,
      body: { tag: "resume" },
      retries: 0,
    });
    await waitFor(() => failures.get(workflowRunId), { description: "failure function" });
    const { messages } = await client.dlq.list({ filter: { workflowRunId } });
    const dlqId = messages[0]?.dlqId ?? "";
    const firstRunsBefore = stepRuns.get("first");

    failFlakyStep = false;
    const resumed = await client.dlq.resume({ dlqId });
    expect(resumed.workflowRunId).not.toBe(workflowRunId);
    const result = await waitFor(() => completed.get("resume"), { description: "resumed run" });
    expect(result).toBe("one-two");
    // The resumed run re-used the first step's stored result instead of running it again.
    expect(stepRuns.get("first")).toBe(firstRunsBefore);
    expect((await client.dlq.list({ filter: { workflowRunId } })).messages).toHaveLength(0);
    // The SDK reports the run finished just after the last step returns.
    await waitFor(
      async () => {
        const { runs } = await client.logs({ workflowRunId: resumed.workflowRunId });
        return runs[0]?.workflowState === "RUN_SUCCESS" && runs;
      },
      { description: "finished run" },
    );
  });

  it("DLQ restart runs from scratch", async () => {
    failFlakyStep = true;
    const { workflowRunId } = await client.trigger({
      url: `${app.url}/failing`,
      body: { tag: "restart" },
      retries: 0,
    });
    await waitFor(() => failures.get(workflowRunId), { description: "failure function" });
    const { messages } = await client.dlq.list({ filter: { workflowRunId } });
    const firstRunsBefore = stepRuns.get("first") ?? 0;
    failFlakyStep = false;
    await client.dlq.restart({ dlqId: messages[0]?.dlqId ?? "" });
    expect(await waitFor(() => completed.get("restart"), { description: "restarted run" })).toBe("one-two");
    expect(stepRuns.get("first")).toBe(firstRunsBefore + 1);
  });

  it("cancel stops a sleeping run", async () => {
    const { workflowRunId } = await client.trigger({ url: `${app.url}/long` });
    await waitFor(async () => (await client.logs({ workflowRunId })).runs[0]?.steps.length === 2, {
      description: "sleep step published",
    });
    const { cancelled } = await client.cancel({ ids: workflowRunId });
    expect(cancelled).toBe(1);
    const { runs } = await client.logs({ workflowRunId });
    expect(runs[0]?.workflowState).toBe("RUN_CANCELED");
    // Nothing of the run is left to deliver.
    expect(await qstash.redis.smembers(`${qstash.keyPrefix}run:${workflowRunId}:msgs`)).toEqual([]);
    expect((await client.cancel({ ids: workflowRunId })).cancelled).toBe(0);
  });

  it("bulk cancel filters by URL", async () => {
    const first = await client.trigger({ url: `${app.url}/long`, label: "bulk" });
    const second = await client.trigger({ url: `${app.url}/long`, label: "bulk" });
    const { cancelled } = await client.cancel({ filter: { label: "bulk" } });
    expect(cancelled).toBe(2);
    for (const { workflowRunId } of [first, second]) {
      expect((await client.logs({ workflowRunId })).runs[0]?.workflowState).toBe("RUN_CANCELED");
    }
  });
});
