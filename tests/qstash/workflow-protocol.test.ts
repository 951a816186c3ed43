import { Client as QStashClient } from "@upstash/qstash";
import { Client } from "@upstash/workflow";
import { serve } from "@upstash/workflow/hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HttpTarget, startHttpTarget } from "../helpers/http-target.js";
import { startTestQStash, type TestQStash } from "../helpers/qstash.js";
import { waitFor } from "../helpers/wait-for.js";
import { startWorkflowApp, type WorkflowApp } from "../helpers/workflow-app.js";

let qstash: TestQStash;
let app: WorkflowApp;
let plain: HttpTarget;
let client: Client;
const results = new Map<string, unknown>();
let failureFunctionFails = true;

beforeAll(async () => {
  // Every step list is delivered empty, so the SDK must fetch it with GET /v2/workflows/runs/{id}.
  qstash = await startTestQStash({ lazyFetchThresholdBytes: 0 });
  plain = await startHttpTarget();
  app = await startWorkflowApp((hono, env) => {
    hono.post(
      "/lazy",
      serve<{ value: string }>(
        async (context) => {
          const first = await context.run("first", () => context.requestPayload.value);
          const second = await context.run("second", () => `${first}!`);
          results.set(`lazy:${context.workflowRunId}`, second);
        },
        { env },
      ),
    );
    hono.post(
      "/failure-fails",
      serve(
        async (context) => {
          await context.run("boom", () => {
            throw new Error("boom");
          });
        },
        {
          env,
          failureFunction: async ({ context }) => {
            if (failureFunctionFails) throw new Error("failure function broken");
            results.set(`failure:${context.workflowRunId}`, "handled");
          },
        },
      ),
    );
  }, qstash);
  client = new Client({ baseUrl: qstash.url, token: qstash.token });
});

afterAll(async () => {
  await app?.close();
  await plain?.close();
  await qstash?.cleanup();
});

describe("workflow protocol", () => {
  it("lazy fetch reads the step list", async () => {
    const { workflowRunId } = await client.trigger({ url: `${app.url}/lazy`, body: { value: "hi" } });
    expect(await waitFor(() => results.get(`lazy:${workflowRunId}`), { description: "lazy run" })).toBe(
      "hi!",
    );
    expect(app.callsTo("/lazy")).toBe(3);
  });

  it("steps list ends with the run", async () => {
    const { workflowRunId } = await client.trigger({ url: `${app.url}/lazy`, body: { value: "x" } });
    await waitFor(
      async () => (await client.logs({ workflowRunId })).runs[0]?.workflowState === "RUN_SUCCESS",
    );
    const response = await fetch(`${qstash.url}/v2/workflows/runs/${workflowRunId}`, {
      headers: { Authorization: `Bearer ${qstash.token}` },
    });
    expect(response.status).toBe(404);
    // A step published into the finished run is rejected with 400.
    const publish = await new QStashClient({ baseUrl: qstash.url, token: qstash.token })
      .publish({
        url: `${app.url}/lazy`,
        body: "{}",
        headers: { "Upstash-Workflow-RunId": workflowRunId, "Upstash-Workflow-Init": "false" },
      })
      .catch((error: { status?: number }) => error.status);
    expect(publish).toBe(400);
  });

  it("trigger to plain endpoint fails", async () => {
    const { workflowRunId } = await client.trigger({ url: `${plain.url}/not-a-workflow` });
    const run = await waitFor(async () => {
      const { runs } = await client.logs({ workflowRunId });
      return runs[0]?.workflowState === "RUN_FAILED" && runs[0];
    });
    const next = run.steps.at(-1);
    expect(next?.type).toBe("next");
    const errors = next?.type === "next" ? next.steps[0]?.errors : undefined;
    expect(errors?.at(-1)?.error).toMatch(/non-workflow destination/);
  });

  it("REST trigger starts a run", async () => {
    const response = await fetch(`${qstash.url}/v2/trigger/${app.url}/lazy`, {
      method: "POST",
      headers: { Authorization: `Bearer ${qstash.token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ value: "rest" }),
    });
    expect(response.status).toBe(200);
    const { workflowRunId } = (await response.json()) as { workflowRunId: string };
    expect(await waitFor(() => results.get(`lazy:${workflowRunId}`), { description: "rest run" })).toBe(
      "rest!",
    );
  });

  it("failure function retry from DLQ", async () => {
    failureFunctionFails = true;
    const { workflowRunId } = await client.trigger({ url: `${app.url}/failure-fails`, retries: 0 });
    const dlqId = await waitFor(async () => {
      const { runs } = await client.logs({ workflowRunId });
      return runs[0]?.failureFunction?.state === "CALLBACK_FAIL" && runs[0].dlqId;
    });
    failureFunctionFails = false;
    const retried = await client.dlq.retryFailureFunction({ dlqId: dlqId ?? "" });
    expect(retried.workflowRunId).toBe(workflowRunId);
    expect(await waitFor(() => results.get(`failure:${workflowRunId}`))).toBe("handled");
    await waitFor(
      async () =>
        (await client.logs({ workflowRunId })).runs[0]?.failureFunction?.state === "CALLBACK_SUCCESS",
    );
  });
});
