/**
 * Bindings for running the app under `wrangler dev` against the local stack, written as `.dev.vars`.
 *
 * `wrangler dev` reads `.dev.vars` (dotenv syntax) next to `wrangler.toml` and lets its values override
 * `[vars]`. The values here point every hosted service at the local stand-ins that `npm start` runs
 * on the ports of the stack configuration (`local/config.ts`), with the stack's credentials. The file
 * contains secrets of the local stack only, and `.gitignore` lists it.
 */
import { chmod, writeFile } from "node:fs/promises";
import { buildAppEnv } from "./app-env.js";
import type { StackConfig } from "./config.js";

/**
 * Default port of the app under `wrangler dev`. It differs from the stack's `APP_PORT` (8787), where
 * `npm start` serves the same app on Node, so both can run at once.
 */
export const DEFAULT_WORKER_PORT = 8788;

/**
 * Builds the Worker's bindings from the stack configuration. `workerPort` is the port `wrangler dev`
 * listens on. It becomes `APP_BASE_URL`, where QStash delivers the workflow steps the Worker starts.
 * The values match the bindings `npm start` gives the Node app, except `APP_BASE_URL`. Throws when
 * a port is 0.
 */
export function buildDevVars(config: StackConfig, workerPort: number): Record<string, string> {
  const ports = {
    QSTASH_PORT: config.QSTASH_PORT,
    REDIS_REST_PORT: config.REDIS_REST_PORT,
    GITHUB_PORT: config.GITHUB_PORT,
    MODEL_PORT: config.MODEL_PORT,
    SINKS_PORT: config.SINKS_PORT,
    WORKER_PORT: workerPort,
  };
  // Port 0 lets each server pick a port at start, which a file written beforehand cannot know.
  const unknown = Object.entries(ports).filter(([, port]) => port === 0);
  if (unknown.length > 0) {
    const names = unknown.map(([name]) => name).join(", ");
    throw new Error(
      `${names} must name a fixed port for .dev.vars, not 0; set it to the port the stack uses`,
    );
  }
  const base = (port: number): string => `http://${urlHost(config.LOCAL_HOST)}:${port}`;
  return buildAppEnv(config, {
    qstash: base(config.QSTASH_PORT),
    redisRest: base(config.REDIS_REST_PORT),
    github: base(config.GITHUB_PORT),
    model: `${base(config.MODEL_PORT)}/v1`,
    sinks: base(config.SINKS_PORT),
    app: base(workerPort),
  });
}

function urlHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

const NAME_PATTERN = /^[A-Z_][A-Z0-9_]*$/;

/**
 * Formats bindings as dotenv lines (`NAME="value"`). Throws for a name that is not an upper-case
 * identifier, or a value with a double quote, backslash or line break, which would need escapes that
 * dotenv parsers treat differently.
 */
export function formatDevVars(vars: Record<string, string>): string {
  const lines = ["# Written by local/dev-vars.ts for `npm run dev:worker`; rewritten on every run."];
  for (const [name, value] of Object.entries(vars)) {
    if (!NAME_PATTERN.test(name)) throw new Error(`invalid .dev.vars name ${JSON.stringify(name)}`);
    if (/["\\\r\n]/.test(value)) {
      throw new Error(`invalid value for ${name} in .dev.vars: it contains a quote, backslash or line break`);
    }
    lines.push(`${name}="${value}"`);
  }
  return `${lines.join("\n")}\n`;
}

/** Writes `.dev.vars` to `path` and makes it readable by the current user only, because it contains tokens. */
export async function writeDevVars(path: string, vars: Record<string, string>): Promise<void> {
  await writeFile(path, formatDevVars(vars), { mode: 0o600 });
  // `mode` applies only when the file is created, so an existing file needs the chmod.
  await chmod(path, 0o600);
}
