import { Client } from "@upstash/workflow";
import { createWorkflow, serve, serveMany } from "@upstash/workflow/hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestQStash, type TestQStash } from "../helpers/qstash.js";
import { waitFor } from "../helpers/wait-for.js";
import { startWorkflowApp, type WorkflowApp } from "../helpers/workflow-app.js";

let qstash: TestQStash;
let app: WorkflowApp;
let client: Client;
const results = new Map<string, unknown>();

beforeAll(async () => {
  qstash = await startTestQStash();
  app = await startWorkflowApp((hono, env) => {
    hono.post(
      "/wait",
      serve<{ eventId: string; timeout: number }>(
        async (context) => {
          const { eventId, timeout } = context.requestPayload;
          const outcome = await context.waitForEvent("wait", eventId, { timeout });
          results.set(`wait:${context.workflowRunId}`, outcome);
        },
        { env },
      ),
    );
    hono.post(
      "/webhook",
      serve(
        async (context) => {
          const webhook = await context.createWebhook("hook");
          await context.run("share", () => {
            results.set(`webhook-url:${context.workflowRunId}`, webhook.webhookUrl);
          });
          const { request, timeout } = await context.waitForWebhook("receive", webhook, "30s");
          const body = await request?.text();
          results.set(`webhook:${context.workflowRunId}`, {
            timeout,
            method: request?.method,
            body,
            url: request?.url,
          });
        },
        { env },
      ),
    );
    const child = createWorkflow(
      async (context) => {
        const doubled = await context.run(
          "double",
          () => (context.requestPayload as { value: number }).value * 2,
        );
        return { doubled };
      },
      { env },
    );
    const parent = createWorkflow(
      async (context) => {
        const result = await context.invoke("call-child", { workflow: child, body: { value: 21 } });
        results.set(`invoke:${context.workflowRunId}`, result);
      },
      { env },
    );
    hono.post("/many/:workflowId", serveMany({ child, parent }));
  }, qstash);
  client = new Client({ baseUrl: qstash.url, token: qstash.token });
});

afterAll(async () => {
  await app?.close();
  await qstash?.cleanup();
});

describe("workflow events", () => {
  it("notify resumes a waiting run", async () => {
    const eventId = `evt-${Date.now()}`;
    const { workflowRunId } = await client.trigger({
      url: `${app.url}/wait`,
      body: { eventId, timeout: 60 },
    });
    await waitFor(async () => (await client.getWaiters({ eventId })).length === 1, { description: "waiter" });
    const responses = await client.notify({ eventId, eventData: { hello: "event" } });
    expect(responses).toHaveLength(1);
    const outcome = await waitFor(() => results.get(`wait:${workflowRunId}`), { description: "wait result" });
    expect(outcome).toEqual({ eventData: { hello: "event" }, timeout: false });
    expect(await client.getWaiters({ eventId })).toHaveLength(0);
    // First call, then the delivery carrying the event.
    expect(app.callsTo("/wait")).toBeGreaterThanOrEqual(2);
  });

  it("wait times out without notify", async () => {
    const eventId = `evt-timeout-${Date.now()}`;
    const { workflowRunId } = await client.trigger({ url: `${app.url}/wait`, body: { eventId, timeout: 1 } });
    const outcome = await waitFor(() => results.get(`wait:${workflowRunId}`), {
      description: "timeout result",
    });
    expect(outcome).toEqual({ eventData: undefined, timeout: true });
  });

  it("notify with run id is kept", async () => {
    const eventId = `evt-lookback-${Date.now()}`;
    const customId = `lookback_${Date.now()}`;
    // The client prefixes a custom run id with "wfr_".
    const workflowRunId = `wfr_${customId}`;
    // The run does not wait yet, so the event is stored for it and consumed by its wait.
    await client.notify({ eventId, eventData: "early", workflowRunId });
    await client.trigger({ url: `${app.url}/wait`, body: { eventId, timeout: 60 }, workflowRunId: customId });
    const outcome = await waitFor(() => results.get(`wait:${workflowRunId}`), {
      description: "lookback result",
    });
    expect(outcome).toEqual({ eventData: "early", timeout: false });
  });

  it("webhook call resumes the run", async () => {
    const { workflowRunId } = await client.trigger({ url: `${app.url}/webhook` });
    const webhookUrl = await waitFor(
      () => results.get(`webhook-url:${workflowRunId}`) as string | undefined,
      {
        description: "webhook url",
      },
    );
    expect(webhookUrl.startsWith(`${qstash.url}/v2/workflows/hooks/defaultUser/${workflowRunId}/`)).toBe(
      true,
    );
    const response = await fetch(`${webhookUrl}?source=test`, { method: "POST", body: "payload" });
    expect(response.ok).toBe(true);
    const outcome = await waitFor(() => results.get(`webhook:${workflowRunId}`), {
      description: "webhook result",
    });
    expect(outcome).toEqual({
      timeout: false,
      method: "POST",
      body: "payload",
      url: `${webhookUrl}?source=test`,
    });
  });

  it("invoke returns the child result", async () => {
    const { workflowRunId } = await client.trigger({ url: `${app.url}/many/parent` });
    const result = await waitFor(() => results.get(`invoke:${workflowRunId}`), {
      description: "invoke result",
    });
    expect(result).toEqual({ body: { doubled: 42 }, isFailed: false, isCanceled: false });
    // The SDK reports the run finished just after the last step returns.
    await waitFor(
      async () => {
        const { runs } = await client.logs({ workflowRunId });
        return runs[0]?.workflowState === "RUN_SUCCESS" && runs;
      },
      { description: "finished run" },
    );
  });
});
