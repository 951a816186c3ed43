/**
 * The Hono app: GitHub webhooks, the admin API, and every workflow endpoint under `/workflows/{id}`.
 * Runtime-specific entry points (`worker.ts` for Cloudflare Workers, `node.ts` for the local stack)
 * only hand requests and bindings to this app.
 */
import { serveMany } from "@upstash/workflow/hono";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { ConfigError } from "../shared/config.js";
import {
  claimIdempotencyKey,
  countDuplicates,
  IDEMPOTENCY_KINDS,
  idempotencyKeys,
  releaseIdempotencyKey,
} from "../shared/reliability/index.js";
import { fetchRepositories } from "../steps/github/index.js";
import { createWorkflows, deadLetterRecorder } from "../workflows/index.js";
import type { PipelineRuntime, RuntimeResolver } from "../workflows/runtime.js";
import { createLauncher } from "./launcher.js";
import { createAdminRoutes } from "./routes/admin.js";
import { createDeadLetterRoutes } from "./routes/dead-letters.js";
import { createGitHubWebhookRoute } from "./routes/index.js";
import { getRuntime } from "./runtime.js";
import { syncSchedules } from "./schedules.js";

type Bindings = Record<string, unknown>;

/** GitHub lets a delivery be redelivered by hand for 3 days, so a claimed delivery id is kept 4 days. */
const WEBHOOK_DELIVERY_TTL_SECONDS = 4 * 24 * 60 * 60;

interface RouteApps {
  webhooks: Hono;
  admin: Hono;
}

const routeApps = new WeakMap<PipelineRuntime, RouteApps>();

function buildRouteApps(runtime: PipelineRuntime): RouteApps {
  const { redis, config, stores, logger } = runtime;
  const launcher = createLauncher(runtime);
  const idempotency = { keyPrefix: config.redis.keyPrefix, logger };

  const webhookRoute = createGitHubWebhookRoute({
    secret: config.github.webhookSecret,
    isNewDelivery: async (deliveryId) => {
      const claim = await claimIdempotencyKey(redis, idempotencyKeys.webhookDelivery(deliveryId), {
        ...idempotency,
        ttlSeconds: WEBHOOK_DELIVERY_TTL_SECONDS,
        owner: deliveryId,
      });
      return claim.claimed;
    },
    releaseDelivery: async (deliveryId) => {
      await releaseIdempotencyKey(redis, idempotencyKeys.webhookDelivery(deliveryId), {
        ...idempotency,
        owner: deliveryId,
      });
    },
    enqueue: launcher,
    isWatchedRepository: (repository) => stores.repositories.isWatched(repository),
    logger,
  });

  const admin = createAdminRoutes({
    adminToken: config.adminToken,
    stores,
    launcher,
    logger,
    now: () => runtime.now().getTime(),
    syncSchedules: () => syncSchedules(runtime),
    readDuplicates: async () => {
      const counts = await Promise.all(
        IDEMPOTENCY_KINDS.map((kind) => countDuplicates(redis, kind, { keyPrefix: config.redis.keyPrefix })),
      );
      return Object.fromEntries(IDEMPOTENCY_KINDS.map((kind, index) => [kind, counts[index] ?? 0]));
    },
    resolveRepositories: async (names) => {
      const result = await fetchRepositories(runtime.github, names, {
        since: Object.fromEntries(names.map((name) => [name, runtime.now().toISOString()])),
        repositoriesPerRequest: config.github.repositoriesPerRequest,
      });
      return {
        found: [...new Set(result.scanned.map((scan) => scan.repository.nameWithOwner))],
        unknown: result.notFound.map((error) => error.repository),
      };
    },
  });

  const deadLetters = createDeadLetterRoutes({ adminToken: config.adminToken, runtime });

  return {
    webhooks: new Hono().route("/", webhookRoute),
    admin: new Hono()
      .route("/admin", admin)
      .route("/admin", deadLetters)
      .notFound((c) => c.json({ error: `no admin route for ${c.req.method} ${c.req.path}` }, 404)),
  };
}

function routeAppsFor(runtime: PipelineRuntime): RouteApps {
  let apps = routeApps.get(runtime);
  if (!apps) {
    apps = buildRouteApps(runtime);
    routeApps.set(runtime, apps);
  }
  return apps;
}

/** Creates the app. `resolve` maps bindings to the runtime; tests pass their own. */
export function createApp(resolve: RuntimeResolver = getRuntime): Hono<{ Bindings: Bindings }> {
  const app = new Hono<{ Bindings: Bindings }>();
  const workflows = createWorkflows(resolve);

  app.onError((error, c) => {
    if (error instanceof HTTPException) {
      return error.res
        ? error.getResponse()
        : c.json({ error: error.message || "request failed" }, error.status);
    }
    if (error instanceof ConfigError) {
      console.error(
        JSON.stringify({ level: "error", message: "invalid configuration", error: error.message }),
      );
      return c.json({ error: error.message }, 500);
    }
    console.error(
      JSON.stringify({ level: "error", message: "unhandled request error", error: String(error) }),
    );
    return c.json({ error: "internal error" }, 500);
  });
  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${new URL(c.req.url).pathname}` }, 404));

  app.get("/health", (c) => c.json({ ok: true }));

  app.post("/webhooks/github", (c) => routeAppsFor(resolve(c.env)).webhooks.fetch(c.req.raw, c.env));
  app.all("/admin/*", (c) => routeAppsFor(resolve(c.env)).admin.fetch(c.req.raw, c.env));
  // Every workflow shares one failure function, which records dead runs for re-drive and quarantine.
  app.post("/workflows/:workflowId", serveMany(workflows, { failureFunction: deadLetterRecorder(resolve) }));

  return app;
}
