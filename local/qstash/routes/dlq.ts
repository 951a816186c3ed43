/**
 * Dead-letter queue endpoints: `/v2/dlq` (list, get, delete, retry) and the workflow actions under
 * `/v2/workflows/dlq` (resume, restart, failure-function retry, delete).
 */
import type { Hono } from "hono";
import { HEADER } from "../../../shared/qstash/index.js";
import type { CoreContext } from "../context.js";
import { badRequest, notFound } from "../errors.js";
import { parseFlowControl } from "../publish/parse-headers.js";
import type { DlqEntry } from "../store/dlq.js";
import { toHeaders } from "../store/message.js";
import { type RunOverrides, restartRun, resumeRun, retryFailureFunction } from "../workflow/dlq-actions.js";
import { buildFilter, paginate, queryOf } from "./filters.js";
import { dlqSubject, dlqView } from "./views.js";

const DLQ_FILTERS = [
  "dlqIds",
  "messageId",
  "url",
  "urlStartingWith",
  "topicName",
  "urlGroup",
  "scheduleId",
  "queueName",
  "label",
  "flowControlKey",
  "host",
  "path",
  "callerIp",
  "callerIP",
  "fromDate",
  "toDate",
  "responseStatus",
  "workflowRunId",
  "workflowUrl",
  "workflowCreatedAt",
  "failureFunctionState",
] as const;

async function selectEntries(context: CoreContext, query: URLSearchParams): Promise<DlqEntry[]> {
  const matches = buildFilter(query, DLQ_FILTERS);
  const workflowOnly = query.get("source") === "workflow";
  const entries = await context.dlq.list();
  return entries.filter((entry) => (!workflowOnly || entry.message.workflow) && matches(dlqSubject(entry)));
}

async function viewOf(context: CoreContext, entry: DlqEntry) {
  const runId = entry.message.workflow?.runId;
  const run = runId ? await context.runs.get(runId) : undefined;
  return {
    ...dlqView(
      entry,
      run && { url: run.url, createdAt: run.createdAt, failureCallback: run.failureCallback?.url },
    ),
    workflowRunId: runId,
  };
}

async function findEntry(context: CoreContext, dlqId: string): Promise<DlqEntry> {
  const entry = await context.dlq.get(dlqId);
  if (!entry) throw notFound(`DLQ entry ${dlqId} not found`);
  return entry;
}

/** Re-publishes a plain message from the DLQ as a new message; workflow messages use resume instead. */
async function retryEntry(context: CoreContext, entry: DlqEntry): Promise<{ messageId: string }> {
  if (entry.message.workflow) {
    throw badRequest(
      `DLQ entry ${entry.dlqId} belongs to a workflow run: use the workflow DLQ resume or restart endpoint`,
    );
  }
  const message = entry.message;
  const result = await context.acceptPublish(
    message.url,
    toHeaders(message.publishHeaders),
    Buffer.from(message.body, "base64"),
    {
      queueName: message.queueName,
      scheduleId: message.scheduleId,
      topicName: message.topicName,
      endpointName: message.endpointName,
    },
  );
  await context.dlq.delete([entry.dlqId]);
  return { messageId: result.messageId };
}

function runOverridesOf(headers: Headers): RunOverrides {
  const retries = headers.get(HEADER.retries);
  if (retries !== null && !/^\d+$/.test(retries))
    throw badRequest(`invalid ${HEADER.retries} header "${retries}"`);
  return {
    retries: retries === null ? undefined : Number(retries),
    flowControl: parseFlowControl(headers.get(HEADER.flowControlKey), headers.get(HEADER.flowControlValue)),
  };
}

export function registerDlqRoutes(app: Hono, context: CoreContext): void {
  app.get("/v2/dlq", async (c) => {
    const query = queryOf(c.req.url);
    const { page, cursor } = paginate(await selectEntries(context, query), query);
    return c.json({ messages: await Promise.all(page.map((entry) => viewOf(context, entry))), cursor });
  });

  app.get("/v2/dlq/:dlqId", async (c) =>
    c.json(await viewOf(context, await findEntry(context, c.req.param("dlqId")))),
  );

  app.delete("/v2/dlq/:dlqId", async (c) => {
    const entry = await findEntry(context, c.req.param("dlqId"));
    return c.json({ deleted: await context.dlq.delete([entry.dlqId]) });
  });

  const bulkDelete = async (query: URLSearchParams) => {
    const { page, cursor } = paginate(await selectEntries(context, query), query);
    // Entries after this page shift forward once this page is deleted, so the next page starts at 0.
    const deleted = await context.dlq.delete(page.map((entry) => entry.dlqId));
    return { deleted, cursor: cursor === undefined ? undefined : "0" };
  };
  app.delete("/v2/dlq", async (c) => c.json(await bulkDelete(queryOf(c.req.url))));
  app.delete("/v2/workflows/dlq", async (c) => {
    const query = queryOf(c.req.url);
    query.set("source", "workflow");
    return c.json(await bulkDelete(query));
  });

  app.post("/v2/dlq/retry/:dlqId", async (c) => {
    const entry = await findEntry(context, c.req.param("dlqId"));
    return c.json({ responses: [await retryEntry(context, entry)] });
  });

  app.post("/v2/dlq/retry", async (c) => {
    const query = queryOf(c.req.url);
    const { page, cursor } = paginate(await selectEntries(context, query), query);
    const responses = [];
    for (const entry of page) responses.push(await retryEntry(context, entry));
    return c.json({ responses, cursor: cursor === undefined ? undefined : "0" });
  });

  for (const action of ["resume", "restart"] as const) {
    app.post(`/v2/workflows/dlq/${action}`, async (c) => {
      const query = queryOf(c.req.url);
      query.set("source", "workflow");
      const overrides = runOverridesOf(c.req.raw.headers);
      const { page, cursor } = paginate(await selectEntries(context, query), query);
      if (query.has("dlqIds") && page.length === 0)
        throw notFound(`DLQ entries ${query.getAll("dlqIds").join(", ")} not found`);
      const workflowRuns = [];
      for (const entry of page) {
        workflowRuns.push(
          action === "resume"
            ? await resumeRun(context, entry, overrides)
            : await restartRun(context, entry, overrides),
        );
      }
      return c.json({ workflowRuns, cursor: cursor === undefined ? undefined : "0" });
    });
  }

  app.post("/v2/workflows/dlq/callback/:dlqId", async (c) => {
    const entry = await findEntry(context, c.req.param("dlqId"));
    return c.json(await retryFailureFunction(context, entry));
  });
}
