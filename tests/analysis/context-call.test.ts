/**
 * The model analyser inside a real Upstash Workflow run: the workflow SDK talks to the local QStash
 * server, and every model request goes through `context.call` to the model stand-in.
 */
import type { AddressInfo } from "node:net";
import { serve as serveNode } from "@hono/node-server";
import { Client as QStashClient, Receiver } from "@upstash/qstash";
import { Client as WorkflowClient } from "@upstash/workflow";
import { serve } from "@upstash/workflow/hono";
import { Hono } from "hono";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type ModelStandIn, startModelStandIn } from "../../local/model/index.js";
import type { Issue, Repository } from "../../shared/domain/index.js";
import {
  type AnalyserOutput,
  createContextCallFetch,
  createModelAnalyser,
} from "../../steps/analysis/index.js";
import { startTestQStash, type TestQStash } from "../helpers/qstash.js";
import { waitFor } from "../helpers/wait-for.js";
import { makeIssue, makeRepository } from "./fixtures.js";

interface AnalysePayload {
  runKey: string;
  issues: Issue[];
  repository: Repository;
}

let qstash: TestQStash;
let model: ModelStandIn;
let app: { url: string; close(): Promise<void> };
let workflowClient: WorkflowClient;
/** Outputs each finished run recorded, by `runKey`. */
const finished = new Map<string, AnalyserOutput[]>();

beforeAll(async () => {
  qstash = await startTestQStash({}, "analysis-context-call");
  model = await startModelStandIn();

  const hono = new Hono();
  hono.post(
    "/analyse",
    serve<AnalysePayload>(
      async (context) => {
        // A step comes first. The workflow SDK runs this function once with a callback's body as the
        // payload to authorise a `context.call` result, so code before the first step must not read it.
        const { runKey, issues, repository } = await context.run("input", () => context.requestPayload);
        const analyser = createModelAnalyser({
          provider: { baseUrl: model.url, apiKey: model.apiKey, name: model.model },
          fetchFor: (stepName) => createContextCallFetch(context, stepName),
        });
        const outputs: AnalyserOutput[] = [];
        for (const issue of issues) outputs.push(await analyser.analyse(issue, repository));
        await context.run("record", () => {
          finished.set(runKey, outputs);
          return outputs.length;
        });
      },
      {
        qstashClient: new QStashClient({ baseUrl: qstash.url, token: qstash.token }),
        receiver: new Receiver({
          currentSigningKey: qstash.currentSigningKey,
          nextSigningKey: qstash.nextSigningKey,
        }),
      },
    ),
  );
  const server = await new Promise<ReturnType<typeof serveNode>>((resolve) => {
    const started = serveNode({ fetch: hono.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(started));
  });
  const port = (server.address() as AddressInfo).port;
  app = {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ("closeAllConnections" in server) server.closeAllConnections();
      }),
  };
  workflowClient = new WorkflowClient({ baseUrl: qstash.url, token: qstash.token });
});

afterAll(async () => {
  await app?.close();
  await model?.close();
  await qstash?.cleanup();
});

beforeEach(() => {
  model.setMode({ mode: "ok", failNext: [] });
  model.resetStats();
});

async function runWorkflow(runKey: string, issues: Issue[]): Promise<AnalyserOutput[]> {
  await workflowClient.trigger({
    url: `${app.url}/analyse`,
    body: { runKey, issues, repository: makeRepository() } satisfies AnalysePayload,
  });
  return waitFor(() => finished.get(runKey), { timeoutMs: 30_000, description: `workflow run ${runKey}` });
}

describe("model analyser through context.call", () => {
  it("one request per analysis", async () => {
    const issues = [
      makeIssue({ number: 1 }),
      makeIssue({ number: 2, title: "Fix the crash on empty input" }),
    ];
    const outputs = await runWorkflow("ok", issues);

    expect(outputs.map((output) => output.analyser)).toEqual(["model", "model"]);
    expect(outputs.every((output) => output.fallbackReason === null)).toBe(true);
    // Replays of the workflow return the memoised responses instead of asking the model again.
    expect(model.stats().requests).toBe(2);
    expect(outputs[0]?.usage?.inputTokens).toBeGreaterThan(0);
    expect(outputs[0]?.calls[0]?.stepName).toBe(`analyse:${issues[0]?.id}`);
  });

  it("rejected reply retried as step", async () => {
    model.setMode({ failNext: ["malformed-json"] });
    const outputs = await runWorkflow("retry", [makeIssue({ number: 3 })]);

    expect(model.stats().requests).toBe(2);
    expect(outputs[0]?.analyser).toBe("model");
    expect(outputs[0]?.calls.map((call) => call.outcome)).toEqual(["malformed-json", "ok"]);
  });

  it("two rejections fall back", async () => {
    model.setMode("schema-violation");
    const outputs = await runWorkflow("fallback", [makeIssue({ number: 4 })]);

    expect(model.stats().requests).toBe(2);
    expect(outputs[0]?.analyser).toBe("heuristic");
    expect(outputs[0]?.fallbackReason).toMatch(/^schema-violation: /);
  });
});
