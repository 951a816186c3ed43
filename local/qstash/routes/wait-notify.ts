/**
 * Event endpoints of the workflow protocol: `POST /v2/wait/{eventId}`, `POST /v2/notify/[{runId}/]{eventId}`,
 * `GET /v2/waiters/{eventId}`, and the unauthenticated webhook URL
 * `/v2/workflows/hooks/{userId}/{runId}/{eventId}` that `context.createWebhook` hands out.
 */
import type { Hono } from "hono";
import { HEADER, headersToMultiMap } from "../../../shared/qstash/index.js";
import type { CoreContext } from "../context.js";
import { badRequest } from "../errors.js";
import { listWaiters, notifyEvent, registerWait, waitRequestSchema } from "../workflow/waiters.js";

export function registerWaitNotifyRoutes(app: Hono, context: CoreContext): void {
  app.post("/v2/wait/:eventId", async (c) => {
    const runId = c.req.header(HEADER.workflowRunId);
    if (!runId) throw badRequest(`missing ${HEADER.workflowRunId} header`);
    let parsed: unknown;
    try {
      parsed = await c.req.json();
    } catch {
      throw badRequest("invalid wait body: expected JSON");
    }
    const request = waitRequestSchema.safeParse(parsed);
    if (!request.success) throw badRequest(`invalid wait body: ${request.error.issues[0]?.message}`);
    await registerWait(context, runId, c.req.param("eventId"), request.data);
    return c.json({});
  });

  app.post("/v2/notify/:eventId", async (c) => {
    const data = Buffer.from(await c.req.arrayBuffer());
    return c.json(await notifyEvent(context, c.req.param("eventId"), data));
  });

  app.post("/v2/notify/:runId/:eventId", async (c) => {
    const data = Buffer.from(await c.req.arrayBuffer());
    return c.json(await notifyEvent(context, c.req.param("eventId"), data, c.req.param("runId")));
  });

  app.get("/v2/waiters/:eventId", async (c) => c.json(await listWaiters(context, c.req.param("eventId"))));

  app.all("/v2/workflows/hooks/:userId/:runId/:eventId", async (c) => {
    const url = new URL(c.req.url);
    const body = Buffer.from(await c.req.arrayBuffer());
    const event = {
      method: c.req.method,
      proto: url.protocol.replace(":", ""),
      host: url.host,
      url: url.pathname + url.search,
      header: headersToMultiMap(c.req.raw.headers),
      body: body.toString("base64"),
    };
    const data = Buffer.from(JSON.stringify(event), "utf8");
    await notifyEvent(context, c.req.param("eventId"), data, c.req.param("runId"));
    return c.json({});
  });
}
