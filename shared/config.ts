/**
 * The product's configuration, compiled once from Worker bindings (or `process.env` under Node).
 *
 * Every other module takes the typed `AppConfig`; nothing else reads the environment. Durations carry
 * their unit in the name (`...Seconds`, `...Ms`, `...Days`).
 */
import { z } from "zod";
import { compileRetryPolicies, type RetryPolicies, RetryPolicyError } from "./reliability/index.js";

const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().nonnegative();

/**
 * Seconds without step progress after which a run counts as stuck, by workflow id. Each is several
 * times the run's usual length, so slow but healthy runs (retry backoff, model calls) stay clear of it.
 * NOTE: estimates, not measured against production traffic; tune with `STUCK_AFTER_SECONDS`.
 */
export const DEFAULT_STUCK_AFTER_SECONDS: Readonly<Record<string, number>> = {
  "scan-repository": 1800,
  "analyze-issues": 3600,
  "notify-subscribers": 1800,
  sweep: 900,
  maintenance: 600,
};

const StuckAfterSecondsSchema = z.record(
  z.string().regex(/^[a-z][a-z-]*$/, "keys are workflow ids such as scan-repository"),
  z.number().int().positive(),
);

/** Raw environment variables; names are those of `wrangler.toml` vars and secrets. */
const EnvSchema = z.object({
  QSTASH_URL: z.string().url().default("https://qstash.upstash.io"),
  QSTASH_TOKEN: z.string().min(1, "QSTASH_TOKEN is required"),
  QSTASH_CURRENT_SIGNING_KEY: z.string().min(1, "QSTASH_CURRENT_SIGNING_KEY is required"),
  QSTASH_NEXT_SIGNING_KEY: z.string().min(1, "QSTASH_NEXT_SIGNING_KEY is required"),
  /** Public base URL of this app as QStash reaches it, e.g. `https://radar.example.workers.dev`. */
  APP_BASE_URL: z.string().url(),

  UPSTASH_REDIS_REST_URL: z.string().url(),
  UPSTASH_REDIS_REST_TOKEN: z.string().min(1, "UPSTASH_REDIS_REST_TOKEN is required"),
  /** Prefix of every product key in Redis; lets several deployments or test runs share one database. */
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]*$/)
    .default("radar:"),

  GITHUB_GRAPHQL_URL: z.string().url().default("https://api.github.com"),
  GITHUB_TOKEN: z.string().min(1, "GITHUB_TOKEN is required"),
  GITHUB_WEBHOOK_SECRET: z.string().min(1, "GITHUB_WEBHOOK_SECRET is required"),
  GITHUB_TIMEOUT_MS: positiveInt.default(10_000),
  /** Points kept in reserve: a scan stops before GitHub's remaining budget falls below this. */
  GITHUB_POINTS_RESERVE: nonNegativeInt.default(200),
  /** Repositories fetched per GraphQL request through aliases. */
  GITHUB_REPOSITORIES_PER_REQUEST: z.coerce.number().int().min(1).max(50).default(20),
  /** Scan workflows allowed in flight at once per GitHub credential. */
  GITHUB_SCAN_PARALLELISM: positiveInt.default(4),
  /** Scan workflows started per minute per GitHub credential. */
  GITHUB_SCAN_RATE_PER_MINUTE: positiveInt.default(60),

  ADMIN_TOKEN: z.string().min(16, "ADMIN_TOKEN must be at least 16 characters"),

  ANALYSER: z.enum(["heuristic", "model"]).default("heuristic"),
  MODEL_BASE_URL: z.string().url().optional(),
  MODEL_API_KEY: z.string().optional(),
  MODEL_NAME: z.string().optional(),
  /** Issues analysed per analyze-issues run. */
  ANALYSIS_BATCH_SIZE: z.coerce.number().int().min(1).max(100).default(25),

  RESEND_BASE_URL: z.string().url().default("https://api.resend.com"),
  RESEND_API_KEY: z.string().optional(),
  EMAIL_FROM: z.string().default("Contribution Radar <radar@example.com>"),
  DELIVERY_TIMEOUT_MS: positiveInt.default(10_000),

  /** Cron (5 fields, optional `CRON_TZ=` prefix) of the sweep that starts due repository scans. */
  SWEEP_CRON: z.string().default("*/15 * * * *"),
  /** Cron of the digest pass; each subscriber still gets at most one digest per local day. */
  DIGEST_CRON: z.string().default("0 * * * *"),
  /** A repository is due for a scan this long after its last scan. */
  SCAN_INTERVAL_MINUTES: positiveInt.default(60),
  /** Repositories one sweep starts scans for at most. */
  SWEEP_MAX_REPOSITORIES: positiveInt.default(500),
  /** Issues with no update for longer than this are not candidates. */
  STALE_AFTER_DAYS: positiveInt.default(365),

  /**
   * Per-workflow retry overrides as JSON, e.g. `{"scan":{"retries":3,"initialDelayMs":2000}}`.
   * Workflows are `scan`, `analyze`, `notify` and `sweep`; omitted fields keep their defaults.
   */
  RETRY_POLICIES: z.string().default("{}"),
  /** Circuit breakers: sliding window length, calls needed before the failure rate counts, and the rate that opens. */
  BREAKER_WINDOW_SECONDS: positiveInt.default(60),
  BREAKER_MINIMUM_REQUESTS: positiveInt.default(10),
  BREAKER_FAILURE_RATE: z.coerce.number().gt(0).max(1).default(0.5),
  /** Seconds an open breaker waits before it lets probes through. */
  BREAKER_OPEN_SECONDS: z.coerce.number().positive().default(30),
  BREAKER_HALF_OPEN_PROBES: positiveInt.default(1),
  /** Cron of the maintenance workflow that re-drives dead-lettered runs and looks for stuck runs. */
  MAINTENANCE_CRON: z.string().default("* * * * *"),
  /** Dead-lettered runs resumed per dependency per maintenance run, once that dependency recovered. */
  REDRIVE_MAX_PER_TICK: z.coerce.number().int().min(0).max(100).default(10),
  /**
   * Seconds without step progress after which a running workflow counts as stuck, per workflow id, as
   * JSON, e.g. `{"scan-repository":600}`. Omitted ids keep their defaults (`DEFAULT_STUCK_AFTER_SECONDS`).
   */
  STUCK_AFTER_SECONDS: z.string().default("{}"),
  /** Action the maintenance workflow takes on a stuck run: raise an alert, or cancel and restart it (and alert). */
  STUCK_RUN_ACTION: z.enum(["alert", "restart"]).default("alert"),
  /** Optional URL that receives every alert as a signed JSON POST, like the outbound webhooks. */
  ALERT_WEBHOOK_URL: z.string().url().optional(),
  /** HMAC-SHA256 key of `X-Radar-Signature-256` on alert POSTs; required with `ALERT_WEBHOOK_URL`. */
  ALERT_WEBHOOK_SECRET: z.string().optional(),
  /** Alerts kept in Redis for `GET /admin/alerts`; older ones are trimmed (their counters stay). */
  ALERTS_KEPT: positiveInt.max(10_000).default(500),
  /**
   * Fixed clock for reproducible runs (ISO time). Scores decay with issue age, so tests and demos that
   * assert exact scores pin the clock. Leave unset in production.
   */
  CLOCK_FIXED_AT: z.string().datetime().optional(),

  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
});

export type Env = z.input<typeof EnvSchema>;

/** Names of every environment variable the app reads. */
export const APP_ENV_NAMES: readonly string[] = Object.keys(EnvSchema.shape);

export interface AppConfig {
  qstash: { url: string; token: string; currentSigningKey: string; nextSigningKey: string };
  appBaseUrl: string;
  redis: { url: string; token: string; keyPrefix: string };
  github: {
    graphqlUrl: string;
    token: string;
    webhookSecret: string;
    timeoutMs: number;
    pointsReserve: number;
    repositoriesPerRequest: number;
    scanParallelism: number;
    scanRatePerMinute: number;
  };
  adminToken: string;
  analysis: {
    analyser: "heuristic" | "model";
    model: { baseUrl: string; apiKey: string; name: string } | null;
    batchSize: number;
  };
  delivery: { resendBaseUrl: string; resendApiKey: string | null; emailFrom: string; timeoutMs: number };
  schedule: {
    sweepCron: string;
    digestCron: string;
    scanIntervalMinutes: number;
    sweepMaxRepositories: number;
    staleAfterDays: number;
  };
  retryPolicies: RetryPolicies;
  breakers: {
    windowSeconds: number;
    minimumRequests: number;
    failureRateThreshold: number;
    openSeconds: number;
    halfOpenProbes: number;
  };
  maintenance: {
    cron: string;
    redriveMaxPerTick: number;
    /** Seconds without progress after which a run of each workflow id counts as stuck. */
    stuckAfterSeconds: Record<string, number>;
    stuckRunAction: "alert" | "restart";
    alertWebhook: { url: string; secret: string } | null;
    alertsKept: number;
  };
  /** Epoch ms the clock is pinned to, or null for the real clock. */
  clockFixedAtMs: number | null;
  logLevel: "debug" | "info" | "warn" | "error";
}

/** Thrown when the environment is invalid; the message lists every bad variable and why. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

function compile(env: z.output<typeof EnvSchema>): AppConfig {
  let model: AppConfig["analysis"]["model"] = null;
  if (env.ANALYSER === "model") {
    const missing = (["MODEL_BASE_URL", "MODEL_API_KEY", "MODEL_NAME"] as const).filter((name) => !env[name]);
    if (missing.length > 0) {
      throw new ConfigError(`ANALYSER=model needs ${missing.join(", ")}; set them or use ANALYSER=heuristic`);
    }
    model = { baseUrl: env.MODEL_BASE_URL!, apiKey: env.MODEL_API_KEY!, name: env.MODEL_NAME! };
  }

  let retryPolicies: RetryPolicies;
  try {
    retryPolicies = compileRetryPolicies(JSON.parse(env.RETRY_POLICIES));
  } catch (error) {
    if (error instanceof SyntaxError)
      throw new ConfigError(`RETRY_POLICIES is not valid JSON: ${error.message}`);
    if (error instanceof RetryPolicyError) throw new ConfigError(`RETRY_POLICIES: ${error.message}`);
    throw error;
  }

  let stuckOverrides: unknown;
  try {
    stuckOverrides = JSON.parse(env.STUCK_AFTER_SECONDS);
  } catch (error) {
    if (error instanceof SyntaxError)
      throw new ConfigError(`STUCK_AFTER_SECONDS is not valid JSON: ${error.message}`);
    throw error;
  }
  const stuck = StuckAfterSecondsSchema.safeParse(stuckOverrides);
  if (!stuck.success) {
    const problems = stuck.error.issues.map(
      (issue) => `${issue.path.join(".") || "value"}: ${issue.message}`,
    );
    throw new ConfigError(`STUCK_AFTER_SECONDS: ${problems.join("; ")}`);
  }
  if (env.ALERT_WEBHOOK_URL && !env.ALERT_WEBHOOK_SECRET) {
    throw new ConfigError(
      "ALERT_WEBHOOK_URL needs ALERT_WEBHOOK_SECRET to sign alerts; set it or unset the URL",
    );
  }

  return {
    qstash: {
      url: env.QSTASH_URL.replace(/\/$/, ""),
      token: env.QSTASH_TOKEN,
      currentSigningKey: env.QSTASH_CURRENT_SIGNING_KEY,
      nextSigningKey: env.QSTASH_NEXT_SIGNING_KEY,
    },
    appBaseUrl: env.APP_BASE_URL.replace(/\/$/, ""),
    redis: {
      url: env.UPSTASH_REDIS_REST_URL,
      token: env.UPSTASH_REDIS_REST_TOKEN,
      keyPrefix: env.REDIS_KEY_PREFIX,
    },
    github: {
      graphqlUrl: env.GITHUB_GRAPHQL_URL.replace(/\/$/, ""),
      token: env.GITHUB_TOKEN,
      webhookSecret: env.GITHUB_WEBHOOK_SECRET,
      timeoutMs: env.GITHUB_TIMEOUT_MS,
      pointsReserve: env.GITHUB_POINTS_RESERVE,
      repositoriesPerRequest: env.GITHUB_REPOSITORIES_PER_REQUEST,
      scanParallelism: env.GITHUB_SCAN_PARALLELISM,
      scanRatePerMinute: env.GITHUB_SCAN_RATE_PER_MINUTE,
    },
    adminToken: env.ADMIN_TOKEN,
    analysis: { analyser: env.ANALYSER, model, batchSize: env.ANALYSIS_BATCH_SIZE },
    delivery: {
      resendBaseUrl: env.RESEND_BASE_URL.replace(/\/$/, ""),
      resendApiKey: env.RESEND_API_KEY ?? null,
      emailFrom: env.EMAIL_FROM,
      timeoutMs: env.DELIVERY_TIMEOUT_MS,
    },
    schedule: {
      sweepCron: env.SWEEP_CRON,
      digestCron: env.DIGEST_CRON,
      scanIntervalMinutes: env.SCAN_INTERVAL_MINUTES,
      sweepMaxRepositories: env.SWEEP_MAX_REPOSITORIES,
      staleAfterDays: env.STALE_AFTER_DAYS,
    },
    retryPolicies,
    breakers: {
      windowSeconds: env.BREAKER_WINDOW_SECONDS,
      minimumRequests: env.BREAKER_MINIMUM_REQUESTS,
      failureRateThreshold: env.BREAKER_FAILURE_RATE,
      openSeconds: env.BREAKER_OPEN_SECONDS,
      halfOpenProbes: env.BREAKER_HALF_OPEN_PROBES,
    },
    maintenance: {
      cron: env.MAINTENANCE_CRON,
      redriveMaxPerTick: env.REDRIVE_MAX_PER_TICK,
      stuckAfterSeconds: { ...DEFAULT_STUCK_AFTER_SECONDS, ...stuck.data },
      stuckRunAction: env.STUCK_RUN_ACTION,
      alertWebhook:
        env.ALERT_WEBHOOK_URL && env.ALERT_WEBHOOK_SECRET
          ? { url: env.ALERT_WEBHOOK_URL, secret: env.ALERT_WEBHOOK_SECRET }
          : null,
      alertsKept: env.ALERTS_KEPT,
    },
    clockFixedAtMs: env.CLOCK_FIXED_AT === undefined ? null : Date.parse(env.CLOCK_FIXED_AT),
    logLevel: env.LOG_LEVEL,
  };
}

/** Parses and compiles the environment. Throws `ConfigError` naming every invalid variable. */
export function parseConfig(env: Record<string, unknown>): AppConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join("; ")}`);
  }
  return compile(parsed.data);
}

const cache = new WeakMap<object, AppConfig>();

/**
 * Returns the compiled config for a Worker's `env` object, compiling it on first use. Workers pass the
 * same `env` object to every request of an isolate, so this runs once per isolate.
 */
export function getConfig(env: Record<string, unknown>): AppConfig {
  const cached = cache.get(env);
  if (cached) return cached;
  const config = parseConfig(env);
  cache.set(env, config);
  return config;
}
