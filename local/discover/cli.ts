/**
 * `npm run discover`: starts the local stack, runs the whole discovery pipeline over a snapshot with
 * subscribers, prints the summary, and stops the stack.
 */
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { appSettingsFrom } from "../app-env.js";
import { parseStackConfig } from "../config.js";
import { BUNDLED_SNAPSHOT_DIR, loadSnapshot } from "../github/index.js";
import { startLocalStack } from "../stack.js";
import { formatSummary, loadSubscribers, readRepositoryNames, runDiscover } from "./index.js";

const USAGE = `Usage: npm run discover -- [--report FILE] [--snapshot DIR] [--subscribers FILE] [--analyser heuristic|model]

Starts the local stack on its configured ports (so it cannot run beside \`npm start\`), watches every
repository of the snapshot, scans them, runs the analyses and notifications, then a digest pass, and
prints a summary. Running it again on unchanged data performs no analysis and sends no notification,
because the state stays in Redis (REDIS_URL, key prefix LOCAL_KEY_PREFIX). Runs left over from an
interrupted run on the same prefix resume and are waited for.

  --report FILE       also write the summary as JSON to FILE
  --snapshot DIR      serve this snapshot directory (repositories.json, issues.json) instead of the bundled one
  --subscribers FILE  subscribers JSON array instead of the sample; {{SINKS_URL}} is replaced by the sink URL
  --analyser NAME     heuristic (default, no network) or model (the local OpenAI-compatible stand-in)
  --help              show this text`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      report: { type: "string" },
      snapshot: { type: "string" },
      subscribers: { type: "string" },
      analyser: { type: "string" },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.analyser !== undefined && values.analyser !== "heuristic" && values.analyser !== "model") {
    throw new Error(`--analyser must be heuristic or model, got ${values.analyser}`);
  }

  // Bad files fail here, before anything starts or changes in Redis.
  const snapshotDir = values.snapshot ? resolve(values.snapshot) : BUNDLED_SNAPSHOT_DIR;
  await loadSnapshot(snapshotDir);
  await readRepositoryNames(snapshotDir);
  if (values.subscribers) await loadSubscribers(resolve(values.subscribers), "http://127.0.0.1");

  // The configured ports, not free ones: workflow runs left over from an earlier stack on this key
  // prefix call the same app URL, so they resume and finish in this run.
  const config = parseStackConfig(process.env, {
    LOG_LEVEL: process.env.LOG_LEVEL === undefined ? "warn" : undefined,
    ...(values.snapshot ? { GITHUB_SNAPSHOT_DIR: resolve(values.snapshot) } : {}),
    ...(values.analyser ? { ANALYSER: values.analyser as "heuristic" | "model" } : {}),
  });
  const stack = await startLocalStack(config, { appEnv: appSettingsFrom(process.env) });
  try {
    const { summary, subscribers } = await runDiscover(stack, {
      ...(values.snapshot ? { snapshotDir: resolve(values.snapshot) } : {}),
      ...(values.subscribers ? { subscribersFile: resolve(values.subscribers) } : {}),
      progress: process.stdout.isTTY === true,
    });
    console.log(formatSummary(summary, subscribers));
    if (values.report) {
      await writeFile(values.report, `${JSON.stringify(summary, null, 2)}\n`);
      console.log(`\nSummary written to ${values.report}`);
    }
  } finally {
    await stack.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
