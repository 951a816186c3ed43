import { Client } from "@upstash/workflow";
import { serve } from "@upstash/workflow/hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HttpTarget, startHttpTarget } from "../helpers/http-target.js";
import { startTestQStash, type TestQStash } from "../helpers/qstash.js";
import { waitFor } from "../helpers/wait-for.js";
import { startWorkflowApp, type WorkflowApp } from "../helpers/workflow-app.js";

let qstash: TestQStash;
let app: WorkflowApp;
let thirdParty: HttpTarget;
let client: Client;
const results = new Map<string, unknown>();

beforeAll(async () => {
  qstash = await startTestQStash();
  thirdParty = await startHttpTarget((request) =>
    Response.json({ echoed: request.body, method: request.method }, { headers: { "Get-Header": "yes" } }),
  );
  app = await startWorkflowApp((hono, env) => {
    hono.post(
      "/sequential",
      serve<{ base: number }>(
        async (context) => {
          const a = await context.run("one", () => context.requestPayload.base + 1);
          const b = await context.run("two", () => a * 2);
          const c = await context.run("three", () => b + 10);
          results.set(`sequential:${context.workflowRunId}`, c);
          return c;
        },
        { env },
      ),
    );
    hono.post(
      "/sleep",
      serve(
        async (context) => {
          await context.sleep("nap", 1);
          const until = Math.floor(Date.now() / 1000) + 1;
          await context.sleepUntil("nap-until", until);
          const done = await context.run("after", () => "awake");
          results.set(`sleep:${context.workflowRunId}`, done);
        },
        { env },
      ),
    );
    hono.post(
      "/parallel",
      serve(
        async (context) => {
          const values = await Promise.all([
            context.run("p1", () => 1),
            context.run("p2", () => 2),
            context.run("p3", () => 3),
          ]);
          const total = await context.run("sum", () => values.reduce((sum, value) => sum + value, 0));
          results.set(`parallel:${context.workflowRunId}`, total);
        },
        { env },
      ),
    );
    hono.post(
      "/call",
      serve(
        async (context) => {
          const response = await context.call<{ echoed: string; method: string }>("fetch", {
            url: `${thirdParty.url}/api`,
            method: "POST",
            body: JSON.stringify({ question: 42 }),
          });
          results.set(`call:${context.workflowRunId}`, response);
        },
        { env },
      ),
    );
  }, qstash);
  client = new Client({ baseUrl: qstash.url, token: qstash.token });
});

afterAll(async () => {
  await app?.close();
  await thirdParty?.close();
  await qstash?.cleanup();
});

describe("workflow steps", () => {
  it("sequential steps cost k+1 calls", async () => {
    const { workflowRunId } = await client.trigger({ url: `${app.url}/sequential`, body: { base: 1 } });
    const result = await waitFor(() => results.get(`sequential:${workflowRunId}`), {
      description: "run result",
    });
    expect(result).toBe(14);
    // Three steps: one call per step result plus the first call.
    expect(app.callsTo("/sequential")).toBe(4);
    // The SDK reports the run finished just after the last step returns.
    const runs = await waitFor(
      async () => {
        const { runs } = await client.logs({ workflowRunId });
        return runs[0]?.workflowState === "RUN_SUCCESS" && runs;
      },
      { description: "finished run" },
    );
    expect(runs[0]?.workflowRunResponse).toBe("14");
  });

  it("sleep and sleepUntil resume", async () => {
    const { workflowRunId } = await client.trigger({ url: `${app.url}/sleep` });
    const result = await waitFor(() => results.get(`sleep:${workflowRunId}`), {
      description: "sleep result",
    });
    expect(result).toBe("awake");
    expect(app.callsTo("/sleep")).toBe(4);
  });

  it("parallel steps all run", async () => {
    const { workflowRunId } = await client.trigger({ url: `${app.url}/parallel` });
    const total = await waitFor(() => results.get(`parallel:${workflowRunId}`), {
      description: "parallel sum",
    });
    expect(total).toBe(6);
    // 1 first call + 3 plan deliveries + 3 result deliveries + 1 for the final step.
    expect(app.callsTo("/parallel")).toBe(8);
  });

  it("call reaches a local server", async () => {
    const { workflowRunId } = await client.trigger({ url: `${app.url}/call` });
    const response = await waitFor(() => results.get(`call:${workflowRunId}`), {
      description: "call result",
    });
    expect(response).toMatchObject({ status: 200, body: { echoed: '{"question":42}', method: "POST" } });
    expect((response as { header: Record<string, string[]> }).header["Get-Header"]).toEqual(["yes"]);
    expect(thirdParty.requests.filter((request) => request.path === "/api")).toHaveLength(1);
    // First call, the callback with the response, then the call result step.
    expect(app.callsTo("/call")).toBe(3);
  });
});
