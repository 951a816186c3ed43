/**
 * Workflow run endpoints: finish and cancel (`DELETE /v2/workflows/runs/{id}?cancel=`), bulk cancel,
 * the step list for lazy fetch (`GET /v2/workflows/runs/{id}`), the logs API and the REST trigger.
 */
import type { Hono } from "hono";
import { HEADER } from "../../../shared/qstash/index.js";
import type { CoreContext } from "../context.js";
import { notFound } from "../errors.js";
import { newRunId } from "../ids.js";
import { publishToDestination } from "../publish/accept.js";
import { cancelRun, finishRun } from "../workflow/lifecycle.js";
import { buildRunLog } from "../workflow/logs.js";
import type { WorkflowRun } from "../workflow/run.js";
import { buildFilter, paginate, queryOf } from "./filters.js";
import { publishHeadersOf } from "./publish.js";
import { rawDestination } from "./raw-destination.js";

const CANCEL_FILTERS = [
  "workflowRunIds",
  "workflowUrl",
  "label",
  "fromDate",
  "toDate",
  "callerIp",
  "callerIP",
  "flowControlKey",
  "host",
  "path",
] as const;

const LOG_FILTERS = [
  "workflowRunId",
  "workflowUrl",
  "workflowCreatedAt",
  "state",
  "label",
  "fromDate",
  "toDate",
  "messageId",
] as const;

function runSubject(run: WorkflowRun) {
  return {
    url: run.url,
    labels: run.labels,
    time: run.createdAt,
    callerIp: run.callerIp ?? "127.0.0.1",
    flowControlKey: run.flowControl?.key,
    workflowRunId: run.runId,
    workflowCreatedAt: run.createdAt,
    state: run.state,
  };
}

export function registerWorkflowRoutes(app: Hono, context: CoreContext): void {
  app.delete("/v2/workflows/runs/:runId", async (c) => {
    const runId = c.req.param("runId");
    if (c.req.query("cancel") === "true") {
      const run = await context.runs.get(runId);
      if (!run) throw notFound(`workflow run ${runId} not found`);
      await cancelRun(context, runId);
      return c.json({});
    }
    // The SDK ends a run with cancel=false and the route's result as the body. Repeats are harmless.
    const body = await c.req.text();
    await finishRun(context, runId, body.length > 0 ? body : undefined);
    return c.json({});
  });

  app.delete("/v2/workflows/runs", async (c) => {
    const query = queryOf(c.req.url);
    const matches = buildFilter(query, CANCEL_FILTERS);
    const runs = await context.runs.getMany(await context.runs.listIds());
    let cancelled = 0;
    for (const run of runs) {
      if (run.state !== "RUN_STARTED" || !matches(runSubject(run))) continue;
      if (await cancelRun(context, run.runId)) cancelled += 1;
    }
    return c.json({ cancelled });
  });

  app.get("/v2/workflows/runs/:runId", async (c) => {
    const runId = c.req.param("runId");
    const run = await context.runs.get(runId);
    if (run?.state !== "RUN_STARTED") throw notFound(`workflow run ${runId} not found or already ended`);
    const entries = await context.runs.log(runId);
    return c.json(entries.map(({ messageId, body, callType }) => ({ messageId, body, callType })));
  });

  const logs = async (requestUrl: string) => {
    const query = queryOf(requestUrl);
    const matches = buildFilter(query, LOG_FILTERS);
    const runs = (await context.runs.getMany(await context.runs.listIds())).filter((run) =>
      matches(runSubject(run)),
    );
    const { page, cursor } = paginate(runs, query, 10);
    return { cursor, runs: await Promise.all(page.map((run) => buildRunLog(context, run))) };
  };
  app.get("/v2/workflows/events", async (c) => c.json(await logs(c.req.url)));
  app.get("/v2/workflows/logs", async (c) => c.json(await logs(c.req.url)));

  app.post("/v2/trigger/*", async (c) => {
    const destination = rawDestination(c.req.url, "/v2/trigger/");
    const headers = publishHeadersOf(c.req.raw);
    const runId = headers.get(HEADER.workflowRunId) ?? newRunId();
    headers.set(HEADER.workflowRunId, runId);
    headers.set(HEADER.workflowInit, "true");
    headers.set(HEADER.workflowUrl, destination);
    headers.set(HEADER.workflowUnknownSdk, "true");
    await publishToDestination(context, destination, headers, new Uint8Array(await c.req.arrayBuffer()));
    const run = await context.runs.get(runId);
    return c.json({ workflowRunId: runId, workflowCreatedAt: run?.createdAt ?? context.now() });
  });
}
