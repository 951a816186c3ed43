/**
 * The local GitHub GraphQL stand-in: a Hono app on @hono/node-server that serves a snapshot directory
 * through GitHub's schema, with GitHub's authentication, rate-limit headers and error shapes, plus
 * control endpoints under `/_github/` for tests.
 */
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import type { Context } from "hono";
import { Hono } from "hono";
import { type Logger, pino } from "pino";
import { z } from "zod";
import { executeGraphQLRequest } from "./execute.js";
import { FaultInjector, FaultsRequestSchema, type GitHubFaults, type GitHubFaultsInput } from "./faults.js";
import { RateLimitLedger, type RateLimitState } from "./rate-limit.js";
import { loadGitHubSchema } from "./schema.js";
import { loadSnapshot } from "./snapshot.js";
import { type IssueUpsert, IssueUpsertSchema, SnapshotStore, type StoredIssue } from "./store.js";

/** Directory of the snapshot bundled with the project. */
export const BUNDLED_SNAPSHOT_DIR = fileURLToPath(new URL("./snapshot", import.meta.url));
export const DEFAULT_TOKEN = "ghp_localstandintoken0000000000000000";
const VIEWER_LOGIN = "radar-local";

export interface GitHubStandInOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Address to listen on; defaults to 127.0.0.1. */
  host?: string;
  /** Snapshot directory in the format of `snapshot/README.md`; defaults to the bundled one. */
  snapshotDir?: string;
  /** The one token accepted in `Authorization: bearer <token>` or `token <token>`. */
  token?: string;
  /** Primary rate limit per token and hour, in points; defaults to 5000 as on github.com. */
  pointsPerHour?: number;
  /** Initial fault set; every rate defaults to 0. */
  faults?: GitHubFaultsInput;
  /** Seed of the fault generator; defaults to 1. */
  seed?: number;
  /** Delay before every response in milliseconds, shorthand for `faults.latencyMs`. */
  latencyMs?: number;
  logger?: Logger;
  /** Clock in epoch milliseconds, for `updatedAt` of changed issues and rate-limit windows. */
  now?: () => number;
}

export interface GitHubStandInStats {
  /** Requests to `/graphql` and `/api/graphql`, whatever their outcome. */
  requests: number;
  /** Rate-limit points charged over all tokens. */
  pointsSpent: number;
  /** Requests per outcome: ok, invalid, rateLimited, unauthorized and each injected fault. */
  outcomes: Record<string, number>;
}

export interface GitHubStandIn {
  /** Base URL for `@octokit/graphql`'s `baseUrl`, e.g. `http://127.0.0.1:PORT`. */
  url: string;
  /** `${url}/graphql`. */
  graphqlUrl: string;
  token: string;
  close(): Promise<void>;
  /** Replaces the fault set; a given seed also restarts the fault generator. */
  setFaults(faults: GitHubFaultsInput, seed?: number): void;
  stats(): GitHubStandInStats;
  /** Same as `POST /_github/issues`. */
  upsertIssue(change: IssueUpsert): StoredIssue;
  /** Gives every token a fresh rate-limit window. */
  resetRateLimits(): void;
}

const SECONDARY_RATE_LIMIT_MESSAGE =
  "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.";
const SOMETHING_WENT_WRONG =
  "Something went wrong while executing your query. This may be the result of a timeout, or it could be a GitHub bug.";

function rateLimitHeaders(state: RateLimitState): Record<string, string> {
  return {
    "x-ratelimit-limit": String(state.limit),
    "x-ratelimit-remaining": String(state.remaining),
    "x-ratelimit-used": String(state.used),
    "x-ratelimit-reset": String(Math.ceil(state.resetAtMs / 1000)),
    "x-ratelimit-resource": "graphql",
  };
}

/** Reads the token from `bearer <t>` or `token <t>`; undefined when the header is absent or malformed. */
function readToken(header: string | undefined): string | undefined {
  const match = header?.match(/^(?:bearer|token)\s+(\S+)\s*$/i);
  return match?.[1];
}

/** Waits `ms` milliseconds, or less when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });
}

/** Starts the stand-in and resolves once it listens. */
export async function startGitHubStandIn(options: GitHubStandInOptions = {}): Promise<GitHubStandIn> {
  const logger = options.logger ?? pino({ level: "silent" });
  const now = options.now ?? Date.now;
  const token = options.token ?? DEFAULT_TOKEN;
  const snapshotDir = options.snapshotDir ?? BUNDLED_SNAPSHOT_DIR;
  const [schema, snapshot] = await Promise.all([loadGitHubSchema(), loadSnapshot(snapshotDir)]);
  const store = new SnapshotStore(snapshot, now);
  let ledger = new RateLimitLedger(options.pointsPerHour ?? 5000, now);
  const injector = new FaultInjector(
    { ...options.faults, ...(options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs }) },
    options.seed ?? 1,
  );
  const stats: GitHubStandInStats = { requests: 0, pointsSpent: 0, outcomes: {} };
  const count = (outcome: string): void => {
    stats.outcomes[outcome] = (stats.outcomes[outcome] ?? 0) + 1;
  };
  // Aborted on close, so requests held by the timeout fault end instead of keeping the server open.
  const shutdown = new AbortController();

  const handleGraphQL = async (c: Context): Promise<Response> => {
    stats.requests += 1;
    const requestId = randomUUID();
    const { decision, delayMs } = injector.next();
    const faults: GitHubFaults = injector.faults;
    const requestSignal = AbortSignal.any([c.req.raw.signal, shutdown.signal]);
    await sleep(delayMs, requestSignal);
    const headers = { "x-github-request-id": requestId };

    const presented = readToken(c.req.header("authorization"));
    if (presented === undefined || presented !== token || faults.badCredentials) {
      count("unauthorized");
      logger.info({ requestId, badCredentialsFault: faults.badCredentials }, "github request unauthorized");
      const body =
        presented === undefined && !faults.badCredentials
          ? {
              message: "This endpoint requires you to be authenticated.",
              documentation_url:
                "https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql",
            }
          : {
              message: "Bad credentials",
              documentation_url: "https://docs.github.com/graphql",
              status: "401",
            };
      return c.json(body, 401, headers);
    }

    if (decision !== "none") {
      count(decision);
      logger.info({ requestId, fault: decision }, "github fault injected");
    }
    if (decision === "timeout") {
      await sleep(faults.hangMs, requestSignal);
      return c.json({ message: "We couldn't respond to your request in time." }, 504, headers);
    }
    if (decision === "badGateway") {
      return c.json({ data: null, errors: [{ message: SOMETHING_WENT_WRONG }] }, 502, headers);
    }
    if (decision === "secondaryRateLimit") {
      return c.json(
        {
          message: SECONDARY_RATE_LIMIT_MESSAGE,
          documentation_url:
            "https://docs.github.com/graphql/overview/rate-limits-and-node-limits-for-the-graphql-api#secondary-rate-limits",
        },
        403,
        {
          ...headers,
          ...rateLimitHeaders(ledger.peek(presented)),
          "retry-after": String(faults.retryAfterSeconds),
        },
      );
    }
    if (decision === "error") {
      return c.json({ data: null, errors: [{ message: SOMETHING_WENT_WRONG }] }, 200, {
        ...headers,
        ...rateLimitHeaders(ledger.peek(presented)),
      });
    }

    if (faults.rateLimitExhausted) ledger.exhaust(presented);
    const result = await executeGraphQLRequest(
      { schema, store, ledger, viewerLogin: VIEWER_LOGIN },
      presented,
      await c.req.text(),
      faults.rateLimitedStatus,
    );
    count(result.outcome);
    stats.pointsSpent += result.cost;
    logger.debug(
      {
        requestId,
        status: result.status,
        outcome: result.outcome,
        cost: result.cost,
        remaining: result.rateLimit.remaining,
      },
      "github request answered",
    );
    return c.json(result.body as object, result.status as 200, {
      ...headers,
      ...rateLimitHeaders(result.rateLimit),
    });
  };

  const app = new Hono();
  app.post("/graphql", handleGraphQL);
  app.post("/api/graphql", handleGraphQL);

  app.get("/_github/stats", (c) => c.json(stats));
  app.get("/_github/faults", (c) => c.json(injector.faults));
  app.post("/_github/faults", async (c) => {
    const parsed = FaultsRequestSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return c.json({ error: "invalid fault set", issues: parsed.error.issues }, 400);
    const { seed, ...faults } = parsed.data;
    injector.set(faults, seed);
    logger.info({ faults, seed }, "github faults set");
    return c.json(injector.faults);
  });
  app.post("/_github/issues", async (c) => {
    const parsed = IssueUpsertSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return c.json({ error: "invalid issue change", issues: parsed.error.issues }, 400);
    try {
      return c.json(store.upsertIssue(parsed.data));
    } catch (error) {
      return c.json({ error: error instanceof Error ? error.message : String(error) }, 404);
    }
  });
  app.post("/_github/rate-limit/reset", (c) => {
    ledger = new RateLimitLedger(options.pointsPerHour ?? 5000, now);
    return c.body(null, 204);
  });
  app.onError((error, c) => {
    logger.error({ err: error, path: c.req.path }, "github stand-in request failed");
    return c.json({ message: "Server Error" }, 500);
  });

  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve(
      { fetch: app.fetch, port: options.port ?? 0, hostname: options.host ?? "127.0.0.1" },
      () => resolve(started),
    );
  });
  const address = server.address();
  const port = z.object({ port: z.number() }).parse(address).port;
  const url = `http://${options.host ?? "127.0.0.1"}:${port}`;
  logger.info({ url, snapshotDir }, "github stand-in listening");

  return {
    url,
    graphqlUrl: `${url}/graphql`,
    token,
    close: () =>
      new Promise<void>((resolve, reject) => {
        shutdown.abort();
        server.close((error) => (error ? reject(error) : resolve()));
        if ("closeAllConnections" in server) server.closeAllConnections();
        logger.info({ url }, "github stand-in stopped");
      }),
    setFaults: (faults, seed) => injector.set(faults, seed),
    stats: () => structuredClone(stats),
    upsertIssue: (change) => store.upsertIssue(IssueUpsertSchema.parse(change)),
    resetRateLimits: () => {
      ledger = new RateLimitLedger(options.pointsPerHour ?? 5000, now);
    },
  };
}
