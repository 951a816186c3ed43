/**
 * Command line entry of the Redis REST bridge:
 *   npm run redis-rest:local -- --port 8079 [--redis-url redis://127.0.0.1:6379] [--token <token>]
 * Prints the URL and token to use as UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN, then runs
 * until SIGINT or SIGTERM.
 */
import { parseArgs } from "node:util";
import pino from "pino";
import { closeOnSignal, runMain } from "../http/index.js";
import { DEFAULT_REDIS_REST_TOKEN, DEFAULT_REDIS_URL, startRedisRestBridge } from "./index.js";

const HELP = `Usage: npm run redis-rest:local -- [options]

Serves the Upstash Redis REST API on 127.0.0.1 on top of a real Redis server.

Options:
  --port <number>     TCP port to listen on; 0 picks a free port (default 0)
  --host <address>    interface to bind (default 127.0.0.1)
  --redis-url <url>   Redis server that runs the commands (default $REDIS_URL or ${DEFAULT_REDIS_URL})
  --token <token>     bearer token clients must send (default ${DEFAULT_REDIS_REST_TOKEN})
  --log-level <level> pino log level: debug, info, warn or error (default info)
  -h, --help          print this help
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "0" },
      host: { type: "string", default: "127.0.0.1" },
      "redis-url": { type: "string" },
      token: { type: "string", default: DEFAULT_REDIS_REST_TOKEN },
      "log-level": { type: "string", default: "info" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }

  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`Invalid --port ${JSON.stringify(values.port)}: expected an integer from 0 to 65535`);
  }
  const logger = pino({ name: "redis-rest", level: values["log-level"] });

  const bridge = await startRedisRestBridge({
    port,
    host: values.host,
    redisUrl: values["redis-url"] ?? process.env.REDIS_URL ?? DEFAULT_REDIS_URL,
    token: values.token,
    logger,
  });
  process.stdout.write(`UPSTASH_REDIS_REST_URL=${bridge.url}\nUPSTASH_REDIS_REST_TOKEN=${bridge.token}\n`);

  closeOnSignal(bridge, logger, "redis rest bridge");
}

runMain(main);
