/**
 * Flow control and schedules seen by a real Upstash Workflow endpoint (`@upstash/workflow/hono` on
 * @hono/node-server) that runs against the local QStash server.
 */
import type { AddressInfo } from "node:net";
import { serve as serveNode } from "@hono/node-server";
import { Client as QStashClient, Receiver } from "@upstash/qstash";
import { Client as WorkflowClient } from "@upstash/workflow";
import { serve } from "@upstash/workflow/hono";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDispatchFeatures } from "../../local/qstash/dispatch/index.js";
import { startTestQStash, type TestQStash } from "../helpers/qstash.js";
import { waitFor } from "../helpers/wait-for.js";

interface RunPayload {
  runKey: string;
}

let qstash: TestQStash;
let app: { url: string; close(): Promise<void> };
let workflowClient: WorkflowClient;
let qstashClient: QStashClient;

/** Milliseconds added to the dispatch features' clock, so a test can jump to the next cron minute. */
let clockOffsetMs = 0;
let inFlight = 0;
let maxInFlight = 0;
const finishedRuns = new Set<string>();
/** Runs the workflow SDK started for deliveries that carried `Upstash-Schedule-Id`, by schedule id. */
const runsStartedBySchedule = new Map<string, string>();

beforeAll(async () => {
  qstash = await startTestQStash(
    {
      dispatch: (context) =>
        createDispatchFeatures(
          { ...context, now: () => Date.now() + clockOffsetMs },
          { scheduler: { pollIntervalMs: 100 } },
        ),
    },
    "qstash-dispatch-workflow",
  );
  qstashClient = new QStashClient({ baseUrl: qstash.url, token: qstash.token });
  const receiver = new Receiver({
    currentSigningKey: qstash.currentSigningKey,
    nextSigningKey: qstash.nextSigningKey,
  });

  const hono = new Hono();
  // Counts deliveries that are inside the endpoint at the same moment.
  hono.use("/limited", async (_c, next) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      await next();
    } finally {
      inFlight -= 1;
    }
  });
  hono.post(
    "/limited",
    serve<RunPayload>(
      async (context) => {
        await context.run("work", async () => {
          // Holds the delivery open so that runs overlap whenever the gate lets them.
          await new Promise((resolve) => setTimeout(resolve, 50));
          return context.requestPayload.runKey;
        });
        await context.run("finish", () => {
          finishedRuns.add(context.requestPayload.runKey);
          return true;
        });
      },
      { qstashClient, receiver },
    ),
  );
  hono.use("/scheduled", async (c, next) => {
    await next();
    const scheduleId = c.req.header("upstash-schedule-id");
    if (scheduleId === undefined || c.res.status !== 200) return;
    // A plain POST (no workflow headers) makes the SDK start a run and return its id in the body.
    const answer = (await c.res.clone().json()) as { workflowRunId?: string };
    if (answer.workflowRunId !== undefined) runsStartedBySchedule.set(scheduleId, answer.workflowRunId);
  });
  hono.post(
    "/scheduled",
    serve<RunPayload>(
      async (context) => {
        await context.run("record", () => {
          finishedRuns.add(context.requestPayload.runKey);
          return true;
        });
      },
      { qstashClient, receiver },
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
  await qstash?.cleanup();
  await app?.close();
});

describe("dispatch with workflows", () => {
  it("flow control caps workflow parallelism", async () => {
    const runKeys = Array.from({ length: 6 }, (_, index) => `limited-${index}`);
    await workflowClient.trigger(
      runKeys.map((runKey) => ({
        url: `${app.url}/limited`,
        body: { runKey },
        flowControl: { key: "workflow-limit", parallelism: 2 },
      })),
    );

    await waitFor(() => runKeys.every((runKey) => finishedRuns.has(runKey)), {
      timeoutMs: 45_000,
      description: "all limited runs to finish",
    });
    expect(maxInFlight).toBeGreaterThanOrEqual(1);
    expect(maxInFlight).toBeLessThanOrEqual(2);

    const info = await qstashClient.flowControl.get("workflow-limit");
    expect(info.parallelismMax).toBe(2);
    // The last deliveries release their slots just after the endpoint recorded the finish.
    await waitFor(async () => (await qstashClient.flowControl.get("workflow-limit")).parallelismCount === 0, {
      description: "all flow-control slots to be released",
    });
  });

  it("cron schedule triggers a workflow", async () => {
    const { scheduleId } = await qstashClient.schedules.create({
      destination: `${app.url}/scheduled`,
      cron: "* * * * *",
      body: JSON.stringify({ runKey: "from-schedule" }),
    });
    const created = await qstashClient.schedules.get(scheduleId);
    expect(created.lastScheduleTime).toBeUndefined();

    // Jump the schedule clock past the next minute boundary instead of waiting for it.
    clockOffsetMs += 61_000;
    const runId = await waitFor(() => runsStartedBySchedule.get(scheduleId), {
      timeoutMs: 30_000,
      description: "the schedule to start a workflow run",
    });
    expect(runId).toMatch(/^wfr_/);
    await waitFor(() => finishedRuns.has("from-schedule"), {
      timeoutMs: 30_000,
      description: "the scheduled run to finish",
    });

    const fired = await qstashClient.schedules.get(scheduleId);
    expect(fired.lastScheduleTime).toBeGreaterThan(created.createdAt);
    expect(fired.nextScheduleTime).toBeGreaterThan(fired.lastScheduleTime ?? 0);
    expect(Object.keys(fired.lastScheduleStates ?? {})).toHaveLength(1);
    const states = await waitFor(
      async () => {
        const values = Object.values((await qstashClient.schedules.get(scheduleId)).lastScheduleStates ?? {});
        return values.every((state) => state !== "IN_PROGRESS") && values;
      },
      { description: "the fired message to finish" },
    );
    expect(states).toEqual(["SUCCESS"]);
  });
});
