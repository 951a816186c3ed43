/**
 * Command line entry of the local GitHub GraphQL stand-in:
 *   npm run github:local -- --port 8081 [--snapshot DIR] [--token T]
 * Prints the base URL and token to give the GitHub client, then runs until SIGINT or SIGTERM.
 */
import { parseArgs } from "node:util";
import pino from "pino";
import { closeOnSignal, runMain } from "../http/index.js";
import { BUNDLED_SNAPSHOT_DIR, DEFAULT_TOKEN, startGitHubStandIn } from "./index.js";

const HELP = `Usage: npm run github:local -- [options]

Serves a GitHub GraphQL endpoint (POST /graphql and /api/graphql) from a snapshot directory.

Options:
  --port <number>          TCP port to listen on; 0 picks a free port (default 0)
  --host <address>         interface to bind (default 127.0.0.1)
  --snapshot <dir>         snapshot directory (default ${BUNDLED_SNAPSHOT_DIR})
  --token <token>          token clients must send as "bearer <token>" (default ${DEFAULT_TOKEN})
  --points-per-hour <n>    primary rate limit per token and hour, in points (default 5000)
  --seed <n>               seed of the fault generator (default 1)
  --latency-ms <n>         delay added before every response, in milliseconds (default 0)
  --log-level <level>      pino log level: debug, info, warn or error (default info)
  -h, --help               print this help

Faults are set at run time with POST /_github/faults (see local/github/faults.ts for the fields).
`;

function parseInteger(name: string, value: string, min: number, max: number): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new Error(`Invalid --${name} ${JSON.stringify(value)}: expected an integer from ${min} to ${max}`);
  }
  return parsed;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "0" },
      host: { type: "string", default: "127.0.0.1" },
      snapshot: { type: "string" },
      token: { type: "string", default: DEFAULT_TOKEN },
      "points-per-hour": { type: "string", default: "5000" },
      seed: { type: "string", default: "1" },
      "latency-ms": { type: "string", default: "0" },
      "log-level": { type: "string", default: "info" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }

  const logger = pino({ name: "github", level: values["log-level"] });
  const standIn = await startGitHubStandIn({
    port: parseInteger("port", values.port, 0, 65_535),
    host: values.host,
    snapshotDir: values.snapshot,
    token: values.token,
    pointsPerHour: parseInteger("points-per-hour", values["points-per-hour"], 1, 1_000_000_000),
    seed: parseInteger("seed", values.seed, -2_147_483_648, 2_147_483_647),
    latencyMs: parseInteger("latency-ms", values["latency-ms"], 0, 3_600_000),
    logger,
  });
  process.stdout.write(`GITHUB_GRAPHQL_URL=${standIn.url}\nGITHUB_TOKEN=${standIn.token}\n`);

  closeOnSignal(standIn, logger, "github stand-in");
}

runMain(main);
