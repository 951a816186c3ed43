/**
 * The admin API, guarded by a bearer token: watch repositories, start scans and sweeps, manage
 * subscribers, list ranked opportunities, and inspect runs and counters.
 */
import { type Context, Hono } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { HTTPException } from "hono/http-exception";
import { z } from "zod";
import { RepositoryNameSchema, SubscriberSchema } from "../../shared/domain/index.js";
import type { Logger } from "../../shared/logger.js";
import type { Stores } from "../../shared/store/index.js";
import { rankOpportunities } from "../../steps/scoring/index.js";

/** Starts workflows; implemented over the Upstash Workflow client in `server/launcher.ts`. */
export interface AdminLauncher {
  scan(input: {
    repositories: string[];
    issueNumbers?: number[];
    reason: string;
  }): Promise<{ workflowRunId: string }>;
  sweep(input: { all: boolean; repositories?: string[] }): Promise<{ workflowRunId: string }>;
  digest(input: { subscriberIds?: string[]; ignoreDigestHour: boolean }): Promise<{ workflowRunId: string }>;
  /** Returns the run's log record, or null when no run has that id. */
  run(workflowRunId: string): Promise<unknown | null>;
}

export interface AdminRouteOptions {
  adminToken: string;
  stores: Stores;
  launcher: AdminLauncher;
  /** Duplicate attempts the idempotency keys turned away, per key kind. */
  readDuplicates(): Promise<Record<string, number>>;
  /** Creates or updates the QStash schedules of the sweep and the digest pass; returns them. */
  syncSchedules(): Promise<unknown[]>;
  /**
   * Looks repositories up on GitHub. `found` has GitHub's own spelling of each name (which may differ
   * in case from the request), `unknown` the requested names GitHub does not know.
   */
  resolveRepositories(names: string[]): Promise<{ found: string[]; unknown: string[] }>;
  logger: Logger;
  now(): number;
}

const WatchBodySchema = z.object({ repositories: z.array(RepositoryNameSchema).min(1).max(500) });
const ScanBodySchema = z
  .object({
    repositories: z.array(RepositoryNameSchema).min(1).max(50),
    issueNumbers: z.array(z.number().int().positive()).min(1).max(100).optional(),
  })
  .refine((body) => body.issueNumbers === undefined || body.repositories.length === 1, {
    message: "issueNumbers needs exactly one repository",
    path: ["issueNumbers"],
  });
const SweepBodySchema = z
  .object({
    all: z.boolean().default(false),
    repositories: z.array(RepositoryNameSchema).min(1).max(5000).optional(),
  })
  .strict();
const DigestBodySchema = z
  .object({
    subscriberIds: z.array(z.string().min(1)).min(1).optional(),
    ignoreDigestHour: z.boolean().default(false),
  })
  .strict();
const OpportunityQuerySchema = z.object({
  language: z.string().min(1).optional(),
  label: z.string().min(1).optional(),
  maxDifficulty: z.coerce.number().int().min(1).max(10).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

/**
 * Parses a JSON body with `schema`; a body that is not JSON or not of that shape gets a 400 naming the
 * problem. An empty body counts as `{}`, so endpoints whose fields are all optional need none.
 */
async function readJson<T extends z.ZodType>(c: Context, schema: T): Promise<z.output<T>> {
  const text = await c.req.text();
  let raw: unknown = {};
  try {
    if (text.trim().length > 0) raw = JSON.parse(text);
  } catch {
    throw new HTTPException(400, { message: "request body is not valid JSON" });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join(".") || "body"}: ${issue.message}`,
    );
    throw new HTTPException(400, { message: `invalid request body: ${problems.join("; ")}` });
  }
  return parsed.data;
}

export function createAdminRoutes(options: AdminRouteOptions): Hono {
  const { stores, launcher, logger } = options;
  const app = new Hono();
  app.onError((error, c) => {
    if (error instanceof HTTPException) {
      // bearerAuth builds its own JSON response; other exceptions carry only a message.
      return error.res ? error.getResponse() : c.json({ error: error.message }, error.status);
    }
    logger.error("admin request failed", { method: c.req.method, path: c.req.path, error });
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

  app.post("/repositories", async (c) => {
    const body = await readJson(c, WatchBodySchema);
    const requested = [...new Set(body.repositories.map((name) => name.toLowerCase()))];
    let resolved: { found: string[]; unknown: string[] };
    try {
      resolved = await options.resolveRepositories(requested);
    } catch (error) {
      logger.warn("repository lookup on GitHub failed", { error });
      const reason = error instanceof Error ? error.message : String(error);
      return c.json(
        { error: `looking the repositories up on GitHub failed, so none was added: ${reason}` },
        502,
      );
    }
    const { found, unknown } = resolved;
    if (unknown.length > 0) {
      return c.json({ error: `repository not found on GitHub: ${unknown.join(", ")}` }, 404);
    }
    const added = await stores.repositories.watch(found, options.now());
    logger.info("repositories watched", { requested: found.length, added });
    return c.json({ watched: found.length, added, repositories: found }, 201);
  });

  app.get("/repositories", async (c) => c.json({ repositories: await stores.repositories.listWatched() }));

  app.delete("/repositories/:owner/:name", async (c) => {
    const name = `${c.req.param("owner")}/${c.req.param("name")}`;
    if (!(await stores.repositories.isWatched(name))) {
      return c.json({ error: `repository ${name} is not watched` }, 404);
    }
    await stores.repositories.unwatch(name);
    return c.json({ unwatched: name });
  });

  app.post("/scans", async (c) => {
    const body = await readJson(c, ScanBodySchema);
    const watched = await Promise.all(body.repositories.map((name) => stores.repositories.isWatched(name)));
    const notWatched = body.repositories.filter((_, index) => !watched[index]);
    if (notWatched.length > 0) {
      return c.json(
        {
          error: `repository not watched: ${notWatched.join(", ")}; add it with POST /admin/repositories first`,
        },
        404,
      );
    }
    const run = await launcher.scan({ ...body, reason: "admin" });
    return c.json(run, 202);
  });

  app.post("/sweeps", async (c) => c.json(await launcher.sweep(await readJson(c, SweepBodySchema)), 202));

  app.post("/digests", async (c) => {
    const body = await readJson(c, DigestBodySchema);
    if (body.subscriberIds !== undefined) {
      const known = await Promise.all(body.subscriberIds.map((id) => stores.subscribers.get(id)));
      const missing = body.subscriberIds.filter((_, index) => known[index] === null);
      if (missing.length > 0) return c.json({ error: `subscriber not found: ${missing.join(", ")}` }, 404);
    }
    return c.json(await launcher.digest(body), 202);
  });

  app.get("/opportunities", async (c) => {
    const query = OpportunityQuerySchema.safeParse(c.req.query());
    if (!query.success) {
      const problems = query.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
      return c.json({ error: `invalid query: ${problems.join("; ")}` }, 400);
    }
    const { limit, ...filter } = query.data;
    const opportunities = rankOpportunities(await stores.opportunities.list(filter)).slice(0, limit);
    return c.json({ count: opportunities.length, opportunities });
  });

  app.get("/runs/:runId", async (c) => {
    const run = await launcher.run(c.req.param("runId"));
    if (run === null) return c.json({ error: `workflow run ${c.req.param("runId")} not found` }, 404);
    return c.json(run);
  });

  app.put("/subscribers/:id", async (c) => {
    const body = await readJson(c, SubscriberSchema.omit({ id: true }).strict());
    const parsed = SubscriberSchema.safeParse({ ...body, id: c.req.param("id") });
    if (!parsed.success)
      return c.json({ error: `invalid subscriber id: ${parsed.error.issues[0]?.message}` }, 400);
    const subscriber = parsed.data;
    await stores.subscribers.put(subscriber);
    return c.json(subscriber);
  });

  app.get("/subscribers", async (c) => c.json({ subscribers: await stores.subscribers.list() }));

  app.get("/subscribers/:id", async (c) => {
    const subscriber = await stores.subscribers.get(c.req.param("id"));
    if (subscriber === null) return c.json({ error: `subscriber ${c.req.param("id")} not found` }, 404);
    return c.json(subscriber);
  });

  app.delete("/subscribers/:id", async (c) => {
    const removed = await stores.subscribers.remove(c.req.param("id"));
    if (!removed) return c.json({ error: `subscriber ${c.req.param("id")} not found` }, 404);
    return c.json({ removed: c.req.param("id") });
  });

  app.get("/stats", async (c) => {
    const [counters, duplicates] = await Promise.all([stores.stats.read(), options.readDuplicates()]);
    return c.json({ ...counters, duplicates });
  });

  app.post("/schedules/sync", async (c) => c.json({ schedules: await options.syncSchedules() }));

  return app;
}
