/**
 * Configuration of the local stack: ports, URLs and credentials of every stand-in and of the app.
 *
 * Read once from environment variables (all optional) and validated with zod. The QStash credentials
 * default to the official local development token and signing keys, so code written for Upstash's
 * own dev server works unchanged. Port 0 lets the OS pick a free port (tests and benchmarks use it).
 */
import { z } from "zod";

/** The official QStash local development credentials (also accepted by Upstash's own dev server). */
export const QSTASH_DEV_CREDENTIALS = {
  token: "eyJVc2VySUQiOiJkZWZhdWx0VXNlciIsIlBhc3N3b3JkIjoiZGVmYXVsdFBhc3N3b3JkIn0=",
  currentSigningKey: "sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r",
  nextSigningKey: "sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs",
} as const;

const port = z.coerce.number().int().min(0).max(65535);

const StackEnvSchema = z.object({
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "REDIS_URL must start with redis:// or rediss://")
    .default("redis://127.0.0.1:6379"),
  LOCAL_HOST: z.string().default("127.0.0.1"),
  /** Prefix of every key the stack writes; lets runs share one Redis without seeing each other. */
  LOCAL_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]*$/)
    .default("local:"),
  QSTASH_PORT: port.default(8080),
  REDIS_REST_PORT: port.default(8079),
  GITHUB_PORT: port.default(8081),
  MODEL_PORT: port.default(8082),
  SINKS_PORT: port.default(8083),
  APP_PORT: port.default(8787),
  QSTASH_TOKEN: z.string().min(1).default(QSTASH_DEV_CREDENTIALS.token),
  QSTASH_CURRENT_SIGNING_KEY: z.string().min(1).default(QSTASH_DEV_CREDENTIALS.currentSigningKey),
  QSTASH_NEXT_SIGNING_KEY: z.string().min(1).default(QSTASH_DEV_CREDENTIALS.nextSigningKey),
  REDIS_REST_TOKEN: z.string().min(1).default("local-redis-rest-token"),
  GITHUB_TOKEN: z.string().min(1).default("ghp_localstandintoken0000000000000000"),
  GITHUB_WEBHOOK_SECRET: z.string().min(1).default("local-webhook-secret"),
  ADMIN_TOKEN: z.string().min(16).default("local-admin-token-0000"),
  MODEL_API_KEY: z.string().min(1).default("sk-local-model-key"),
  MODEL_NAME: z.string().min(1).default("radar-local-1"),
  RESEND_API_KEY: z.string().min(1).default("re_local_resend_key"),
  ANALYSER: z.enum(["heuristic", "model"]).default("heuristic"),
  /** Snapshot directory the GitHub stand-in serves; the bundled snapshot when unset. */
  GITHUB_SNAPSHOT_DIR: z.string().optional(),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
});

export type StackConfig = z.output<typeof StackEnvSchema>;
export type StackConfigInput = z.input<typeof StackEnvSchema>;

/** Parses the stack configuration; `overrides` win over `env`. Throws naming each invalid variable. */
export function parseStackConfig(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<StackConfigInput> = {},
): StackConfig {
  const known = Object.fromEntries(
    Object.keys(StackEnvSchema.shape)
      .filter((name) => env[name] !== undefined && env[name] !== "")
      .map((name) => [name, env[name]]),
  );
  const given = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  const parsed = StackEnvSchema.safeParse({ ...known, ...given });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`invalid local stack configuration: ${problems.join("; ")}`);
  }
  return parsed.data;
}
