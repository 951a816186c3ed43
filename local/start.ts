/**
 * `npm start`: starts the whole local stack, prints every URL and credential, runs the discovery
 * pipeline once over the bundled snapshot (unless `--no-discover`), and keeps serving until Ctrl-C.
 */
import { parseArgs } from "node:util";
import { appSettingsFrom } from "./app-env.js";
import { parseStackConfig } from "./config.js";
import { formatSummary, runDiscover } from "./discover/index.js";
import { startLocalStack } from "./stack.js";

const USAGE = `Usage: npm start -- [--no-discover] [--quiet]

Starts the local stack (Redis REST bridge, QStash server, GitHub stand-in, model stand-in,
notification sinks and the app) against REDIS_URL, then runs the discovery pipeline once.
Ports and credentials come from environment variables; see docs/local-stack.md.

  --no-discover  only start the stack
  --quiet        log warnings and errors only
  --help         show this text`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      "no-discover": { type: "boolean", default: false },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }

  const config = parseStackConfig(process.env, values.quiet ? { LOG_LEVEL: "warn" } : {});
  const stack = await startLocalStack(config, { appEnv: appSettingsFrom(process.env) });
  const env = stack.appEnv;
  console.log(
    [
      "Local stack is running:",
      `  app                ${env.APP_BASE_URL}  (admin token ${env.ADMIN_TOKEN})`,
      `  QStash             ${env.QSTASH_URL}`,
      `    QSTASH_TOKEN                ${env.QSTASH_TOKEN}`,
      `    QSTASH_CURRENT_SIGNING_KEY  ${env.QSTASH_CURRENT_SIGNING_KEY}`,
      `    QSTASH_NEXT_SIGNING_KEY     ${env.QSTASH_NEXT_SIGNING_KEY}`,
      `  Redis REST         ${env.UPSTASH_REDIS_REST_URL}  (token ${env.UPSTASH_REDIS_REST_TOKEN}, Redis ${config.REDIS_URL})`,
      `  GitHub GraphQL     ${env.GITHUB_GRAPHQL_URL}/graphql  (token ${env.GITHUB_TOKEN})`,
      `  model (OpenAI API) ${env.MODEL_BASE_URL}  (key ${env.MODEL_API_KEY}, model ${env.MODEL_NAME})`,
      `  sinks              ${stack.sinks.url}  (Resend API at ${env.RESEND_BASE_URL})`,
      `  webhook secret     ${env.GITHUB_WEBHOOK_SECRET}`,
    ].join("\n"),
  );

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log("\nStopping the local stack...");
    await stack.close();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);

  if (!values["no-discover"]) {
    const { summary, subscribers } = await runDiscover(stack, { progress: process.stdout.isTTY === true });
    console.log(formatSummary(summary, subscribers));
  }
  console.log("\nThe stack keeps running; press Ctrl-C to stop it.");
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
