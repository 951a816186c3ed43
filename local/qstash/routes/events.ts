/**
 * The message events log: `GET /v2/events` (`{cursor, events}`, used by the qstash client) and
 * `GET /v2/logs` (`{cursor, logs}`, the documented name).
 */
import type { Hono } from "hono";
import type { CoreContext } from "../context.js";
import type { MessageEvent } from "../store/events.js";
import { buildFilter, paginate, queryOf } from "./filters.js";

const EVENT_FILTERS = [
  "messageIds",
  "messageId",
  "state",
  "url",
  "topicName",
  "urlGroup",
  "scheduleId",
  "queueName",
  "label",
  "fromDate",
  "toDate",
  "workflowRunId",
] as const;

function eventSubject(event: MessageEvent) {
  return {
    messageId: event.messageId,
    state: event.state,
    url: event.url,
    topicName: event.topicName,
    scheduleId: event.scheduleId,
    queueName: event.queueName,
    labels: event.labels,
    time: event.time,
    workflowRunId: event.workflowRunId,
  };
}

export function registerEventRoutes(app: Hono, context: CoreContext): void {
  const select = async (requestUrl: string) => {
    const query = queryOf(requestUrl);
    const matches = buildFilter(query, EVENT_FILTERS);
    const events = (await context.events.list()).filter((event) => matches(eventSubject(event)));
    return paginate(events, query);
  };
  app.get("/v2/events", async (c) => {
    const { page, cursor } = await select(c.req.url);
    return c.json({ cursor, events: page });
  });
  app.get("/v2/logs", async (c) => {
    const { page, cursor } = await select(c.req.url);
    return c.json({ cursor, logs: page });
  });
}
