/**
 * Admin API for dead-lettered runs, quarantine, alerts, circuit breakers and maintenance, mounted
 * under `/admin` and guarded by the same bearer token as the rest of the admin API.
 *
 * | route                                   | does                                                   |
 * | --------------------------------------- | ------------------------------------------------------ |
 * | `GET /dead-letters`                     | list, filtered by `workflow`, `dependency`, `state`, `fromDate`, `toDate`; paged by `count`, `cursor` |
 * | `GET /dead-runs/:workflowRunId`         | our dead-run record of a run in any state, with its re-drive chain |
 * | `GET /dead-letters/:dlqId`              | one dead letter                                        |
 * | `POST /dead-letters/:dlqId/resume`      | resume from the failed step (a new run id)             |
 * | `POST /dead-letters/:dlqId/restart`     | start again from the initial payload                   |
 * | `DELETE /dead-letters/:dlqId`           | drop it from the DLQ                                   |
 * | `POST /dead-letters/resume`, `/restart`, `DELETE /dead-letters` | the same for every match of a `{ filter }` body |
 * | `GET /quarantine`                       | runs that failed again after a re-drive                |
 * | `GET /alerts`                           | newest alerts and the dead-letter counters             |
 * | `GET /breakers`                         | every circuit breaker with its state and transition counts |
 * | `POST /maintenance`                     | start a maintenance run now (re-drive and stuck runs)  |
 */
import { type Context, Hono } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { HTTPException } from "hono/http-exception";
import { z } from "zod";
import { listBreakers, retryOptions } from "../../shared/reliability/index.js";
import {
  ALERT_CODES,
  createDeadLetterActions,
  type DeadLetter,
  type DeadLetterFilter,
  opsOf,
} from "../../steps/maintenance/index.js";
import { WORKFLOW_IDS } from "../../workflows/payloads.js";
import type { PipelineRuntime } from "../../workflows/runtime.js";

export interface DeadLetterRouteOptions {
  adminToken: string;
  runtime: PipelineRuntime;
}

/** Matches handled per bulk request at most; repeat the request for more. */
const MAX_BULK_LIMIT = 1000;

/** Dependency names a failure tag can carry; see `DependencyName` in `shared/reliability/failure.ts`. */
const DependencySchema = z.union([
  z.enum(["github", "model", "email", "slack"]),
  z.string().regex(/^webhook:\S+$/, "expected github, model, email, slack or webhook:<host>"),
]);

// Query values arrive as strings and JSON bodies may carry numbers; an empty string is rejected
// rather than read as 0.
const dateParam = z
  .union([
    z.number().int().nonnegative(),
    z.string().regex(/^\d+$/).transform(Number),
    z.iso.datetime().transform((value) => Date.parse(value)),
  ])
  .describe("epoch milliseconds or ISO 8601 time");

/**
 * States a dead letter can be listed by. `redriven` and `deleted` runs have left the QStash DLQ, so
 * they are read one at a time through `GET /dead-runs/:workflowRunId` instead.
 */
const LISTED_STATES = ["dead", "quarantined", "unrecorded"] as const;

const filterFields = {
  workflow: z.enum(Object.values(WORKFLOW_IDS) as [string, ...string[]]).optional(),
  dependency: DependencySchema.optional(),
  state: z.enum(LISTED_STATES).optional(),
  fromDate: dateParam.optional(),
  toDate: dateParam.optional(),
};

function datesInOrder(filter: { fromDate?: number | undefined; toDate?: number | undefined }): boolean {
  return filter.fromDate === undefined || filter.toDate === undefined || filter.fromDate <= filter.toDate;
}
const DATE_ORDER_ISSUE = { message: "fromDate must not be after toDate", path: ["fromDate"] };

const FilterSchema = z.object(filterFields).strict().refine(datesInOrder, DATE_ORDER_ISSUE);

const ListQuerySchema = z
  .object({
    ...filterFields,
    count: z.coerce.number().int().min(1).max(100).default(50),
    cursor: z.string().min(1).optional(),
  })
  .strict()
  .refine(datesInOrder, DATE_ORDER_ISSUE);

const QuarantineQuerySchema = z
  .object({ count: z.coerce.number().int().min(1).max(1000).default(100) })
  .strict();

const BulkBodySchema = z
  .object({
    filter: FilterSchema,
    /** Set to act on every dead letter when `filter` is empty. */
    all: z.boolean().default(false),
    /** Bulk resume and restart skip quarantined runs unless this is true. */
    includeQuarantined: z.boolean().default(false),
    limit: z.number().int().min(1).max(MAX_BULK_LIMIT).default(100),
  })
  .strict()
  .refine((body) => body.all || Object.keys(body.filter).length > 0, {
    message: "give at least one filter field, or all: true to act on every dead letter",
    path: ["filter"],
  });

const AlertsQuerySchema = z
  .object({
    count: z.coerce.number().int().min(1).max(1000).default(100),
    code: z.enum(ALERT_CODES).optional(),
  })
  .strict();

function statusOf(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null || !("status" in error)) return undefined;
  return typeof error.status === "number" ? error.status : undefined;
}

function problemsOf(error: z.ZodError, fallback: string): string {
  return error.issues.map((issue) => `${issue.path.join(".") || fallback}: ${issue.message}`).join("; ");
}

function parseQuery<T extends z.ZodType>(c: Context, schema: T): z.output<T> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success)
    throw new HTTPException(400, { message: `invalid query: ${problemsOf(parsed.error, "query")}` });
  return parsed.data;
}

async function parseBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.output<T>> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw new HTTPException(400, { message: "request body is not valid JSON" });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new HTTPException(400, { message: `invalid request body: ${problemsOf(parsed.error, "body")}` });
  }
  return parsed.data;
}

export function createDeadLetterRoutes(options: DeadLetterRouteOptions): Hono {
  const { runtime } = options;
  const actions = createDeadLetterActions(runtime);
  const ops = opsOf(runtime);
  const app = new Hono();

  // Errors are JSON `{ error }` like the rest of the admin API; the parent app's handler does not
  // reach into this sub-app.
  app.onError((error, c) => {
    if (error instanceof HTTPException) {
      // bearerAuth's rejections carry their own JSON response.
      if (error.res) return error.getResponse();
      return c.json({ error: error.message }, error.status);
    }
    runtime.logger.error("dead-letter admin request failed", { path: c.req.path, error });
    return c.json({ error: "internal error" }, 500);
  });

  app.use(
    "*",
    bearerAuth({
      token: options.adminToken,
      noAuthenticationHeader: { message: { error: "missing Authorization: Bearer <admin token> header" } },
      invalidAuthenticationHeader: {
        message: { error: "Authorization header must be 'Bearer <admin token>'" },
      },
      invalidToken: { message: { error: "invalid admin token" } },
    }),
  );

  const requireLetter = async (dlqId: string): Promise<DeadLetter> => {
    const letter = await actions.find(dlqId);
    if (letter === null) throw new HTTPException(404, { message: `dead letter ${dlqId} not found` });
    return letter;
  };

  app.get("/dead-letters", async (c) => {
    const { count, cursor, ...filter } = parseQuery(c, ListQuerySchema);
    try {
      return c.json(await actions.list(filter as DeadLetterFilter, { count, ...(cursor ? { cursor } : {}) }));
    } catch (error) {
      // QStash returns 400 for a cursor it did not issue. The cursor is opaque, so only QStash can check it.
      if (cursor !== undefined && statusOf(error) === 400) {
        throw new HTTPException(400, {
          message: `invalid query: cursor: ${cursor} is not a cursor from an earlier page`,
        });
      }
      throw error;
    }
  });

  app.get("/dead-runs/:workflowRunId", async (c) => {
    const workflowRunId = c.req.param("workflowRunId");
    const record = await ops.deadRuns.get(workflowRunId);
    if (record === null) {
      throw new HTTPException(404, { message: `no dead-run record for workflow run ${workflowRunId}` });
    }
    return c.json({ ...record, quarantined: await ops.deadRuns.isQuarantined(workflowRunId) });
  });

  for (const action of ["resume", "restart"] as const) {
    app.post(`/dead-letters/${action}`, async (c) => {
      const body = await parseBody(c, BulkBodySchema);
      const outcome = await forEachMatch(body.filter as DeadLetterFilter, body.limit, async (letter) => {
        if (letter.quarantined && !body.includeQuarantined) return { skipped: "quarantined" };
        return { newWorkflowRunId: (await actions[action](letter)).workflowRunId };
      });
      return c.json({ action, matched: outcome.results.length, ...outcome });
    });
  }

  app.delete("/dead-letters", async (c) => {
    const body = await parseBody(c, BulkBodySchema);
    const outcome = await forEachMatch(body.filter as DeadLetterFilter, body.limit, async (letter) => {
      await actions.delete(letter);
      return { deleted: true };
    });
    return c.json({ action: "delete", matched: outcome.results.length, ...outcome });
  });

  app.get("/dead-letters/:dlqId", async (c) => c.json(await requireLetter(c.req.param("dlqId"))));

  app.post("/dead-letters/:dlqId/resume", async (c) => {
    const letter = await requireLetter(c.req.param("dlqId"));
    return c.json({ dlqId: letter.dlqId, ...(await actions.resume(letter)) }, 202);
  });

  app.post("/dead-letters/:dlqId/restart", async (c) => {
    const letter = await requireLetter(c.req.param("dlqId"));
    return c.json({ dlqId: letter.dlqId, ...(await actions.restart(letter)) }, 202);
  });

  app.delete("/dead-letters/:dlqId", async (c) => {
    const letter = await requireLetter(c.req.param("dlqId"));
    await actions.delete(letter);
    return c.json({ deleted: letter.dlqId });
  });

  app.get("/quarantine", async (c) => {
    const { count } = parseQuery(c, QuarantineQuerySchema);
    const entries = await ops.deadRuns.listQuarantined(count);
    const runs = await Promise.all(
      entries.map(async (entry) => ({ ...entry, record: await ops.deadRuns.get(entry.workflowRunId) })),
    );
    return c.json({ count: runs.length, runs });
  });

  app.get("/alerts", async (c) => {
    const { count, code } = parseQuery(c, AlertsQuerySchema);
    return c.json({ alerts: await ops.alerts.list(count, code), counters: await ops.counters.read() });
  });

  app.get("/breakers", async (c) =>
    c.json({ breakers: await listBreakers(runtime.redis, runtime.config.redis.keyPrefix) }),
  );

  app.post("/maintenance", async (c) => {
    const started = await runtime.workflowClient.trigger({
      url: runtime.workflowUrl(WORKFLOW_IDS.maintenance),
      body: {},
      ...retryOptions(runtime.config.retryPolicies.sweep),
      label: "maintenance",
    });
    return c.json(started, 202);
  });

  /**
   * Applies `act` to up to `limit` dead letters matching `filter`; one failure does not stop the rest.
   * Acting removes entries from the DLQ, which shifts QStash's page offsets, so after a page where
   * anything was acted on, listing starts over from the first page. `seen` keeps entries that stay
   * (skipped or failed) from being handled twice. `limitReached` is true when more matches remained.
   */
  async function forEachMatch(
    filter: DeadLetterFilter,
    limit: number,
    act: (letter: DeadLetter) => Promise<Record<string, unknown>>,
  ): Promise<{ results: Record<string, unknown>[]; limitReached: boolean }> {
    const results: Record<string, unknown>[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (;;) {
      const page = await actions.list(filter, { count: 100, ...(cursor ? { cursor } : {}) });
      const fresh = page.deadLetters.filter((letter) => !seen.has(letter.dlqId));
      for (const letter of fresh) {
        if (results.length >= limit) return { results, limitReached: true };
        seen.add(letter.dlqId);
        const ids = { dlqId: letter.dlqId, workflowRunId: letter.workflowRunId };
        try {
          results.push({ ...ids, ...(await act(letter)) });
        } catch (error) {
          runtime.logger.error("bulk dead-letter action failed", { ...ids, error });
          results.push({ ...ids, error: error instanceof Error ? error.message : String(error) });
        }
      }
      if (fresh.length > 0) cursor = undefined;
      else if (page.cursor) cursor = page.cursor;
      else return { results, limitReached: false };
    }
  }

  return app;
}
