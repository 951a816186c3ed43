/**
 * The app's bindings for the local stack: every hosted service pointed at its stand-in, with the
 * stack's credentials. `npm start` hands them to the app on Node, `npm run dev:worker` writes them to
 * `.dev.vars` for `wrangler dev`; both build them here so the two cannot drift apart.
 */
import { APP_ENV_NAMES } from "../shared/config.js";
import type { StackConfig } from "./config.js";

/** Base URLs of the stand-ins, without a trailing slash. */
export interface StandInUrls {
  qstash: string;
  redisRest: string;
  github: string;
  /** The OpenAI-compatible base URL, ending in `/v1`. */
  model: string;
  sinks: string;
  /** The app's own URL, where QStash delivers workflow steps; omitted when not known yet. */
  app?: string;
}

export function buildAppEnv(config: StackConfig, urls: StandInUrls): Record<string, string> {
  return {
    QSTASH_URL: urls.qstash,
    QSTASH_TOKEN: config.QSTASH_TOKEN,
    QSTASH_CURRENT_SIGNING_KEY: config.QSTASH_CURRENT_SIGNING_KEY,
    QSTASH_NEXT_SIGNING_KEY: config.QSTASH_NEXT_SIGNING_KEY,
    ...(urls.app === undefined ? {} : { APP_BASE_URL: urls.app }),
    UPSTASH_REDIS_REST_URL: urls.redisRest,
    UPSTASH_REDIS_REST_TOKEN: config.REDIS_REST_TOKEN,
    REDIS_KEY_PREFIX: `${config.LOCAL_KEY_PREFIX}radar:`,
    GITHUB_GRAPHQL_URL: urls.github,
    GITHUB_TOKEN: config.GITHUB_TOKEN,
    GITHUB_WEBHOOK_SECRET: config.GITHUB_WEBHOOK_SECRET,
    ADMIN_TOKEN: config.ADMIN_TOKEN,
    ANALYSER: config.ANALYSER,
    MODEL_BASE_URL: urls.model,
    MODEL_API_KEY: config.MODEL_API_KEY,
    MODEL_NAME: config.MODEL_NAME,
    RESEND_BASE_URL: `${urls.sinks}/resend`,
    RESEND_API_KEY: config.RESEND_API_KEY,
    LOG_LEVEL: config.LOG_LEVEL === "silent" ? "error" : config.LOG_LEVEL,
  };
}

/**
 * Returns the app settings in `env` that the stack does not set itself, such as `RETRY_POLICIES`,
 * `BREAKER_OPEN_SECONDS` or `SWEEP_CRON`, so `npm start` and `npm run discover` pass them to the app.
 * URLs and credentials of the stand-ins always come from the stack.
 */
export function appSettingsFrom(env: Record<string, string | undefined>): Record<string, string> {
  const setByStack = new Set([
    ...Object.keys(buildAppEnv({} as StackConfig, STAND_IN_PLACEHOLDERS)),
    "APP_BASE_URL",
  ]);
  const settings: Record<string, string> = {};
  for (const name of APP_ENV_NAMES) {
    const value = env[name];
    if (value !== undefined && value !== "" && !setByStack.has(name)) settings[name] = value;
  }
  return settings;
}

const STAND_IN_PLACEHOLDERS: StandInUrls = { qstash: "", redisRest: "", github: "", model: "", sinks: "" };
