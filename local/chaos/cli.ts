/**
 * `npm run chaos`: runs the discovery pipeline under a fault profile and prints the report. Exits 1
 * when a run was lost, a side effect was delivered more than once, or the pipeline did not settle.
 */
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import pino from "pino";
import { BUILT_IN_PROFILE_NAMES, formatChaosReport, loadChaosProfile, runChaos } from "./index.js";

const USAGE = `Usage: npm run chaos -- --runs N --seed S [--faults PROFILE|FILE] [--report FILE]

Starts the local stack with the app in a child process, watches N synthetic repositories (one scan
run each), runs a sweep, the analyses and alerts under the fault profile, ends the faults, runs the
maintenance pass that re-drives dead-lettered runs, then the digests, and prints what happened: runs
started, completed, dead-lettered, recovered by re-drive, quarantined and lost, side effects delivered
more than once, and failures per class. Needs Redis at REDIS_URL (default redis://127.0.0.1:6379).

Every server of the run listens on a free port on 127.0.0.1, and every Redis key sits under its own
prefix chaos:<seed>:<random>:, so a run does not touch a local stack that is already running. The
*_PORT variables and LOCAL_KEY_PREFIX are ignored.

  --runs N            scan runs to make, 1 to 5000 (required)
  --seed S            integer seed of every fault decision (required)
  --faults PROFILE    ${BUILT_IN_PROFILE_NAMES.join(", ")}, or a JSON profile file (default: default)
  --report FILE       also write the report as JSON to FILE
  --timeout SECONDS   longest wait for the pipeline to settle, per phase (default 900)
  --keep-state        keep the run's Redis keys (prefix chaos:<seed>:...) instead of deleting them
  --help              show this text`;

function parseInteger(name: string, value: string | undefined, min: number, max: number): number {
  const parsed = Number(value);
  if (value === undefined || !Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new Error(
      `--${name} must be a whole number from ${min} to ${max}, got ${value ?? "nothing"}\n\n${USAGE}`,
    );
  }
  return parsed;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: "string" },
      seed: { type: "string" },
      faults: { type: "string", default: "default" },
      report: { type: "string" },
      timeout: { type: "string", default: "900" },
      "keep-state": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const runs = parseInteger("runs", values.runs, 1, 5000);
  const seed = parseInteger("seed", values.seed, 0, 2 ** 31 - 1);
  const timeoutSeconds = parseInteger("timeout", values.timeout, 1, 86_400);
  const profile = await loadChaosProfile(values.faults);

  const logger = pino({ name: "chaos", level: process.env.LOG_LEVEL ?? "info" });
  const report = await runChaos({
    runs,
    seed,
    profile,
    settleTimeoutMs: timeoutSeconds * 1000,
    keepState: values["keep-state"],
    logger,
  });
  console.log(formatChaosReport(report));
  if (values.report) {
    await writeFile(values.report, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nReport written to ${values.report}`);
  }
  if (report.runs.lost > 0 || report.sideEffects.duplicated > 0 || !report.settled) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
