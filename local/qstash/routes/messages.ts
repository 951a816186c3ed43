/**
 * `GET /v2/messages/{id}`, `DELETE /v2/messages/{id}` and bulk `DELETE /v2/messages`. Only pending
 * messages (waiting for delivery or for a retry) can be read or cancelled.
 */
import type { Hono } from "hono";
import type { CoreContext } from "../context.js";
import { notFound } from "../errors.js";
import { gateSubjectOf } from "../publish/accept.js";
import type { StoredMessage } from "../store/message.js";
import { buildFilter, queryOf } from "./filters.js";
import { messageSubject, messageView } from "./views.js";

const MESSAGE_FILTERS = [
  "messageIds",
  "url",
  "urlStartingWith",
  "queueName",
  "topicName",
  "urlGroup",
  "scheduleId",
  "label",
  "flowControlKey",
  "host",
  "path",
  "callerIp",
  "callerIP",
  "fromDate",
  "toDate",
  "workflowRunId",
] as const;

/** Cancels one pending message and reports its end to the dispatch features. */
export async function cancelMessage(context: CoreContext, message: StoredMessage): Promise<boolean> {
  if (!(await context.messages.cancel(message))) return false;
  await context.events.record(message, "CANCELLED");
  if (message.queueName || message.flowControl || message.scheduleId) {
    await context.dispatch.onMessageFinished(gateSubjectOf(message), "cancelled");
  }
  context.logger.info(
    { messageId: message.messageId, workflowRunId: message.workflow?.runId },
    "message cancelled",
  );
  return true;
}

async function findMessage(context: CoreContext, messageId: string): Promise<StoredMessage> {
  const message = await context.messages.get(messageId);
  // Wait timers are internal bookkeeping, not messages a client published.
  if (!message || message.timer) throw notFound(`message ${messageId} not found`);
  return message;
}

export function registerMessageRoutes(app: Hono, context: CoreContext): void {
  app.get("/v2/messages/:messageId", async (c) => {
    return c.json(messageView(await findMessage(context, c.req.param("messageId"))));
  });

  app.delete("/v2/messages/:messageId", async (c) => {
    const message = await findMessage(context, c.req.param("messageId"));
    const cancelled = await cancelMessage(context, message);
    return c.json({ cancelled: cancelled ? 1 : 0 });
  });

  app.delete("/v2/messages", async (c) => {
    // The qstash client sends only `count` for `{all: true}`, so no filter means every message.
    const query = queryOf(c.req.url);
    const matches = buildFilter(query, MESSAGE_FILTERS);
    const messages = await context.messages.getMany(await context.messages.listIds());
    let cancelled = 0;
    for (const message of messages) {
      if (message.timer || !matches(messageSubject(message))) continue;
      if (await cancelMessage(context, message)) cancelled += 1;
    }
    return c.json({ cancelled });
  });
}
