/**
 * Command line entry of the local model stand-in:
 *   npm run model:local -- --port 8082 [--mode ok] [--fault-rate 0.2 --seed 7]
 * Prints the base URL, key and model id to give the model analyser, then runs until SIGINT or SIGTERM.
 */
import { parseArgs } from "node:util";
import pino from "pino";
import { z } from "zod";
import { closeOnSignal, runMain } from "../http/index.js";
import {
  DEFAULT_MODEL_API_KEY,
  DEFAULT_MODEL_NAME,
  MODEL_FAULTS,
  type ModelFault,
  type ModelMode,
  startModelStandIn,
} from "./index.js";

const HELP = `Usage: npm run model:local -- [options]

Serves an OpenAI-compatible chat-completion API (POST /v1/chat/completions, GET /v1/models) whose
replies are deterministic analyses of the issue in the prompt.

Options:
  --port <number>          TCP port to listen on; 0 picks a free port (default 0)
  --host <address>         interface to bind (default 127.0.0.1)
  --api-key <key>          key clients must send as "Bearer <key>" (default ${DEFAULT_MODEL_API_KEY})
  --model <id>             the model id served (default ${DEFAULT_MODEL_NAME})
  --mode <mode>            outcome of every request: ok, ${MODEL_FAULTS.join(", ")} (default ok)
  --fault-rate <0..1>      fraction of ok-mode requests that get a random fault (default 0)
  --faults <list>          comma-separated faults the fault rate picks from (default all but timeout)
  --seed <n>               seed of the fault draws (default 1)
  --retry-after <seconds>  retry-after of 429 responses, in seconds (default 1)
  --hang-ms <ms>           how long timeout requests are held before a 504, in milliseconds (default 30000)
  --log-level <level>      pino log level: debug, info, warn or error (default info)
  -h, --help               print this help

Change the behaviour at run time with POST /_model/mode, e.g. {"failNext": ["http-429"]}.
Read counters with GET /_model/stats.
`;

function parseNumber(name: string, value: string, schema: z.ZodNumber): number {
  const parsed = schema.safeParse(Number(value));
  if (!parsed.success || value.trim() === "") {
    throw new Error(
      `Invalid --${name} ${JSON.stringify(value)}: ${parsed.error?.issues[0]?.message ?? "expected a number"}`,
    );
  }
  return parsed.data;
}

function parseFault(name: string, value: string): ModelFault {
  const fault = MODEL_FAULTS.find((candidate) => candidate === value);
  if (fault === undefined)
    throw new Error(`Invalid --${name} ${JSON.stringify(value)}: expected one of ${MODEL_FAULTS.join(", ")}`);
  return fault;
}

function parseMode(value: string): ModelMode {
  return value === "ok" ? "ok" : parseFault("mode", value);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "0" },
      host: { type: "string", default: "127.0.0.1" },
      "api-key": { type: "string", default: DEFAULT_MODEL_API_KEY },
      model: { type: "string", default: DEFAULT_MODEL_NAME },
      mode: { type: "string", default: "ok" },
      "fault-rate": { type: "string", default: "0" },
      faults: { type: "string" },
      seed: { type: "string", default: "1" },
      "retry-after": { type: "string", default: "1" },
      "hang-ms": { type: "string", default: "30000" },
      "log-level": { type: "string", default: "info" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }

  const logger = pino({ name: "model", level: values["log-level"] });
  const standIn = await startModelStandIn({
    port: parseNumber("port", values.port, z.number().int().min(0).max(65_535)),
    host: values.host,
    apiKey: values["api-key"],
    model: values.model,
    mode: parseMode(values.mode),
    faultRate: parseNumber("fault-rate", values["fault-rate"], z.number().min(0).max(1)),
    faults: values.faults?.split(",").map((fault) => parseFault("faults", fault.trim())),
    seed: parseNumber("seed", values.seed, z.number().int()),
    retryAfterSeconds: parseNumber("retry-after", values["retry-after"], z.number().int().nonnegative()),
    hangMs: parseNumber("hang-ms", values["hang-ms"], z.number().int().nonnegative()),
    logger,
  });
  process.stdout.write(
    `MODEL_BASE_URL=${standIn.url}\nMODEL_API_KEY=${standIn.apiKey}\nMODEL_NAME=${standIn.model}\n`,
  );

  closeOnSignal(standIn, logger, "model stand-in");
}

runMain(main);
