/** Routes for queues: `/v2/queues*` and `/v2/enqueue/{queue}/{destination}`. */
import type { Hono } from "hono";
import { z } from "zod";
import type { AcceptPublish } from "../contracts.js";
import { decodeSegment, errorResponse, readJsonBody } from "./http.js";
import { publishToDestination, type ResolveUrlGroup } from "./publish-destination.js";
import { DEFAULT_QUEUE_PARALLELISM, QUEUE_NAME_PATTERN, type QueueStore } from "./queue-store.js";

const ENQUEUE_PREFIX = "/v2/enqueue/";

const upsertBodySchema = z.object({
  queueName: z.string().regex(QUEUE_NAME_PATTERN, 'use 1-256 letters, digits, "-", "_" or "."'),
  parallelism: z.number().int().min(1).default(DEFAULT_QUEUE_PARALLELISM),
  paused: z.boolean().default(false),
});

export interface QueueRouteDependencies {
  queues: QueueStore;
  acceptPublish: AcceptPublish;
  resolveUrlGroup: ResolveUrlGroup;
}

export function registerQueueRoutes(
  app: Hono,
  { queues, acceptPublish, resolveUrlGroup }: QueueRouteDependencies,
) {
  app.post("/v2/queues", async (c) => {
    const parsed = await readJsonBody(c, upsertBodySchema);
    if (!parsed.ok) return errorResponse(c, 400, parsed.message);
    await queues.upsert(parsed.value.queueName, parsed.value);
    return c.body(null, 200);
  });

  app.get("/v2/queues", async (c) => c.json(await queues.list()));

  app.get("/v2/queues/:queue", async (c) => {
    const name = c.req.param("queue");
    const queue = await queues.get(name);
    return queue === null ? errorResponse(c, 404, `queue ${name} not found`) : c.json(queue);
  });

  app.delete("/v2/queues/:queue", async (c) => {
    const name = c.req.param("queue");
    if (!(await queues.delete(name))) return errorResponse(c, 404, `queue ${name} not found`);
    return c.body(null, 200);
  });

  for (const action of ["pause", "resume"] as const) {
    app.post(`/v2/queues/:queue/${action}`, async (c) => {
      const name = c.req.param("queue");
      if (!(await queues.setPaused(name, action === "pause"))) {
        return errorResponse(c, 404, `queue ${name} not found`);
      }
      return c.body(null, 200);
    });
  }

  // The destination is the raw rest of the target (a URL with its own query, or a URL group name),
  // so it is cut from the request URL rather than read from a route parameter.
  app.post(`${ENQUEUE_PREFIX}*`, async (c) => {
    const url = new URL(c.req.url);
    const rest = url.pathname.slice(ENQUEUE_PREFIX.length);
    const separator = rest.indexOf("/");
    const queueName = decodeSegment(separator < 0 ? rest : rest.slice(0, separator));
    const destination = separator < 0 ? "" : rest.slice(separator + 1) + url.search;

    if (queueName === null || !QUEUE_NAME_PATTERN.test(queueName)) {
      return errorResponse(
        c,
        400,
        `invalid queue name "${queueName ?? rest}": use letters, digits, "-", "_" or "."`,
      );
    }
    if (destination === "") {
      return errorResponse(c, 400, "missing destination: use /v2/enqueue/{queue}/{url or URL group name}");
    }

    const body = new Uint8Array(await c.req.arrayBuffer());
    const outcome = await publishToDestination(
      acceptPublish,
      resolveUrlGroup,
      destination,
      c.req.raw.headers,
      body,
      {
        queueName,
      },
    );
    if (outcome.kind === "unknownUrlGroup")
      return errorResponse(c, 404, `url group ${destination} not found`);
    await queues.ensure(queueName);
    return outcome.kind === "url" ? c.json(outcome.result) : c.json(outcome.results);
  });
}
