/**
 * `POST /v2/publish/{destination}` and `POST /v2/batch`.
 */
import type { Hono } from "hono";
import { z } from "zod";
import { HEADER } from "../../../shared/qstash/index.js";
import type { CoreContext } from "../context.js";
import { badRequest } from "../errors.js";
import { publishToDestination } from "../publish/accept.js";
import { parsePublishHeaders } from "../publish/parse-headers.js";
import { rawDestination } from "./raw-destination.js";

const batchItemSchema = z.object({
  destination: z.string().min(1),
  headers: z.record(z.string(), z.string()).default({}),
  /** A string is sent as-is; the workflow SDK's `context.call` puts JSON objects here, sent as their JSON. */
  body: z.unknown().optional(),
  queue: z.string().optional(),
});

/** Headers of an incoming publish, without the ones that only concern the API request itself. */
export function publishHeadersOf(request: Request): Headers {
  const headers = new Headers(request.headers);
  for (const name of ["authorization", "host", "content-length", "connection", "accept-encoding", "accept"]) {
    headers.delete(name);
  }
  return headers;
}

export function registerPublishRoutes(app: Hono, context: CoreContext): void {
  app.post("/v2/publish/*", async (c) => {
    const destination = rawDestination(c.req.url, "/v2/publish/");
    const body = new Uint8Array(await c.req.arrayBuffer());
    const results = await publishToDestination(context, destination, publishHeadersOf(c.req.raw), body);
    const single = /^https?:\/\//i.test(destination);
    return c.json(single ? results[0] : results);
  });

  app.post("/v2/batch", async (c) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await c.req.text());
    } catch (error) {
      throw badRequest(`invalid batch body: ${(error as Error).message}`);
    }
    const items = z.array(batchItemSchema).safeParse(parsed);
    if (!items.success) {
      throw badRequest(
        `invalid batch body: expected [{destination, headers, body}], ${items.error.issues[0]?.message}`,
      );
    }
    // Check every item before accepting any, so one invalid item leaves no partial batch behind.
    const now = context.now();
    for (const item of items.data)
      parsePublishHeaders(new Headers(item.headers), now, context.settings.limits);

    const results = [];
    for (const item of items.data) {
      const headers = new Headers(item.headers);
      if (item.queue) headers.set(HEADER.queueName, item.queue);
      let text = "";
      if (typeof item.body === "string") text = item.body;
      else if (item.body !== undefined) text = JSON.stringify(item.body);
      const body = Buffer.from(text, "utf8");
      const accepted = await publishToDestination(context, item.destination, headers, body, {
        queueName: item.queue,
      });
      results.push(/^https?:\/\//i.test(item.destination) ? accepted[0] : accepted);
    }
    return c.json(results);
  });
}
