/**
 * `npm run dev:worker`: writes `.dev.vars` for the local stack, then runs `wrangler dev` offline on
 * 127.0.0.1, so the app runs in workerd against the stand-ins that `npm start` serves.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { parseStackConfig } from "./config.js";
import { buildDevVars, DEFAULT_WORKER_PORT, writeDevVars } from "./dev-vars.js";

const USAGE = `Usage: npm run dev:worker -- [--vars-only] [wrangler dev options]

Writes .dev.vars from the local stack configuration (the same environment variables as npm start,
see docs/local-stack.md), then runs wrangler dev on LOCAL_HOST:WORKER_PORT (default 127.0.0.1:${DEFAULT_WORKER_PORT})
with metrics, the update check and the request.cf fetch turned off. Start the stack first with npm start.

  --vars-only  write .dev.vars and exit
  --help       show this text
Other options go to wrangler dev unchanged, e.g. --log-level debug.`;

const WorkerPortSchema = z.coerce.number().int().min(1).max(65535).default(DEFAULT_WORKER_PORT);

const projectRoot = fileURLToPath(new URL("..", import.meta.url));

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes("--help")) {
    console.log(USAGE);
    return;
  }

  const config = parseStackConfig(process.env);
  const port = WorkerPortSchema.safeParse(process.env.WORKER_PORT || undefined);
  if (!port.success) {
    throw new Error(`invalid WORKER_PORT ${JSON.stringify(process.env.WORKER_PORT)}: expected 1-65535`);
  }
  const vars = buildDevVars(config, port.data);
  const devVarsPath = `${projectRoot}.dev.vars`;
  await writeDevVars(devVarsPath, vars);
  console.log(`Wrote ${devVarsPath}; the app will listen on ${vars.APP_BASE_URL}`);
  if (args.includes("--vars-only")) return;

  const wranglerArgs = [
    fileURLToPath(import.meta.resolve("wrangler/bin/wrangler.js")),
    "dev",
    "--ip",
    config.LOCAL_HOST,
    "--port",
    String(port.data),
    "--inspector-port",
    "0",
    ...args,
  ];
  const child = spawn(process.execPath, wranglerArgs, {
    cwd: projectRoot,
    stdio: "inherit",
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: "false",
      WRANGLER_HIDE_BANNER: "true",
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
    },
  });
  // Ctrl-C reaches wrangler through the terminal's process group; SIGTERM is passed on by hand.
  process.on("SIGTERM", () => child.kill("SIGTERM"));
  process.on("SIGINT", () => undefined);
  child.once("exit", (code, signal) => process.exit(code ?? (signal === null ? 1 : 0)));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
