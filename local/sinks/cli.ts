/**
 * Command line entry of the notification sink server:
 *   npm run sinks:local -- --port 8090 [--redis-url redis://127.0.0.1:6379] [--key-prefix local:sinks:]
 * Prints the base URLs to configure (webhook receiver, Resend base URL, Slack webhook root), then runs
 * until SIGINT or SIGTERM.
 */
import { parseArgs } from "node:util";
import pino from "pino";
import { closeOnSignal, runMain } from "../http/index.js";
import { DEFAULT_SINK_KEY_PREFIX, type SinkFaults, startSinkServer } from "./index.js";

const HELP = `Usage: npm run sinks:local -- [options]

Serves stand-ins for signed webhook receivers, the Resend API and Slack incoming webhooks on
127.0.0.1, and records every request.

Options:
  --port <number>        TCP port to listen on; 0 picks a free port (default 0)
  --host <address>       interface to bind (default 127.0.0.1)
  --redis-url <url>      also record attempts in this Redis server (default: memory only)
  --key-prefix <prefix>  prefix of the Redis keys (default ${DEFAULT_SINK_KEY_PREFIX})
  --resend-api-key <key> the only Resend API key accepted (default: any key that starts with re_)
  --faults <json>        initial fault settings, e.g. '{"status":500,"rate":0.2,"seed":1}'
  --log-level <level>    pino log level: debug, info, warn or error (default info)
  -h, --help             print this help
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "0" },
      host: { type: "string", default: "127.0.0.1" },
      "redis-url": { type: "string" },
      "key-prefix": { type: "string", default: DEFAULT_SINK_KEY_PREFIX },
      "resend-api-key": { type: "string" },
      faults: { type: "string" },
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
  let faults: SinkFaults | undefined;
  if (values.faults !== undefined) {
    try {
      faults = JSON.parse(values.faults) as SinkFaults;
    } catch {
      throw new Error(`Invalid --faults ${JSON.stringify(values.faults)}: expected a JSON object`);
    }
  }
  const logger = pino({ name: "sinks", level: values["log-level"] });

  // startSinkServer validates `faults` with its schema, so the cast above only names the shape.
  const sink = await startSinkServer({
    port,
    host: values.host,
    redisUrl: values["redis-url"],
    keyPrefix: values["key-prefix"],
    resendApiKey: values["resend-api-key"],
    faults,
    logger,
  });
  process.stdout.write(
    [
      `SINK_URL=${sink.url}`,
      `RESEND_BASE_URL=${sink.url}/resend`,
      `WEBHOOK_URL_EXAMPLE=${sink.url}/webhooks/example`,
      `SLACK_WEBHOOK_URL_EXAMPLE=${sink.url}/slack/T0000/general`,
      `DELIVERIES=${sink.url}/_sink/deliveries`,
      "",
    ].join("\n"),
  );

  closeOnSignal(sink, logger, "sink server");
}

runMain(main);
