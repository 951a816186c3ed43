import { Client } from "@upstash/workflow";
import { serve } from "@upstash/workflow/hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestQStash, type TestQStash } from "../helpers/qstash.js";
import { waitFor } from "../helpers/wait-for.js";
import { startWorkflowApp, type WorkflowApp } from "../helpers/workflow-app.js";

let qstash: TestQStash;
let app: WorkflowApp;
const results = new Map<string, unknown>();
let serverUrl = "";

beforeAll(async () => {
  // The restarted server must listen on the same URL, because the workflow app sends to QSTASH_URL.
  qstash = await startTestQStash();
  serverUrl = qstash.url;
  app = await startWorkflowApp(
    (hono, env) => {
      hono.post(
        "/restart",
        serve(
          async (context) => {
            const before = await context.run("before", () => "before");
            await context.sleep("gap", 2);
            const after = await context.run("after", () => "after");
            results.set(`restart:${context.workflowRunId}`, `${before}-${after}`);
          },
          { env },
        ),
      );
      hono.post(
        "/signed",
        serve(
          async (context) => {
            const value = await context.run("step", () => "signed");
            results.set(`signed:${context.workflowRunId}`, value);
          },
          { env },
        ),
      );
    },
    qstash,
    { verifySignatures: true },
  );
});

afterAll(async () => {
  await app?.close();
  await qstash?.cleanup();
});

describe("workflow durability", () => {
  it("signed deliveries pass verification", async () => {
    const client = new Client({ baseUrl: qstash.url, token: qstash.token });
    const { workflowRunId } = await client.trigger({ url: `${app.url}/signed` });
    expect(await waitFor(() => results.get(`signed:${workflowRunId}`), { description: "signed run" })).toBe(
      "signed",
    );
    expect(app.statuses.get("/signed")?.every((status) => status === 200)).toBe(true);
  });

  it("run survives a server restart", async () => {
    const client = new Client({ baseUrl: qstash.url, token: qstash.token });
    const { workflowRunId } = await client.trigger({ url: `${app.url}/restart` });
    // Wait until the run sleeps, then stop the server while the sleep is pending in Redis.
    await waitFor(async () => (await qstash.redis.llen(`${qstash.keyPrefix}run:${workflowRunId}:log`)) >= 3, {
      description: "sleep step stored",
    });
    await qstash.close();
    const port = Number(new URL(serverUrl).port);
    const restarted = await startTestQStash({ ...qstash.options, port });
    try {
      const result = await waitFor(() => results.get(`restart:${workflowRunId}`), {
        description: "resumed run",
      });
      expect(result).toBe("before-after");
      const logs = await new Client({ baseUrl: restarted.url, token: restarted.token }).logs({
        workflowRunId,
      });
      await waitFor(async () => {
        const { runs } = await new Client({ baseUrl: restarted.url, token: restarted.token }).logs({
          workflowRunId,
        });
        return runs[0]?.workflowState === "RUN_SUCCESS";
      });
      expect(logs.runs[0]?.workflowRunId).toBe(workflowRunId);
    } finally {
      await restarted.close();
      await restarted.redis.quit();
    }
  });
});
