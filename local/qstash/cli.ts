/**
 * Starts the local QStash server on its own:
 *
 *   npm run qstash:local -- --port 8080 [--redis-url redis://127.0.0.1:6379] [--token <token>]
 *     [--current-signing-key <key>] [--next-signing-key <key>] [--key-prefix qstash:] [--lease-ms 60000]
 *
 * Prints the URL, token and signing keys to put in QSTASH_URL, QSTASH_TOKEN,
 * QSTASH_CURRENT_SIGNING_KEY and QSTASH_NEXT_SIGNING_KEY, then logs every delivery, retry and
 * failure as JSON lines (pino) until stopped with Ctrl-C.
 */
import { parseArgs } from "node:util";
import pino from "pino";
import { startQStashServer } from "./index.js";

const HELP = `Usage: npm run qstash:local -- [options]

  --port <n>                    TCP port to listen on (default 8080; 0 picks a free port)
  --host <address>              address to listen on (default 127.0.0.1)
  --redis-url <url>             Redis holding all state (default redis://127.0.0.1:6379)
  --key-prefix <prefix>         prefix of every Redis key (default qstash:)
  --token <token>               API token, base64 JSON with a UserID (default: the QStash dev token)
  --current-signing-key <key>   key that signs deliveries (default: the QStash dev key)
  --next-signing-key <key>      next signing key reported by GET /v2/keys (default: the QStash dev key)
  --lease-ms <ms>               lease of a claimed message, renewed while it is delivered; a crashed
                                server's messages are retried about this long later (default 60000)
  --log-level <level>           pino level: debug, info, warn or error (default info)
  --help                        show this help`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "8080" },
      host: { type: "string" },
      "redis-url": { type: "string" },
      "key-prefix": { type: "string" },
      token: { type: "string" },
      "current-signing-key": { type: "string" },
      "next-signing-key": { type: "string" },
      "lease-ms": { type: "string", default: "60000" },
      "log-level": { type: "string", default: "info" },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`invalid --port "${values.port}": expected an integer from 0 to 65535`);
  }
  const leaseMs = Number(values["lease-ms"]);
  if (!Number.isInteger(leaseMs) || leaseMs < 100) {
    throw new Error(`invalid --lease-ms "${values["lease-ms"]}": expected an integer of at least 100`);
  }
  const logger = pino({ name: "qstash-local", level: values["log-level"] });
  const server = await startQStashServer({
    port,
    host: values.host,
    redisUrl: values["redis-url"],
    keyPrefix: values["key-prefix"],
    token: values.token,
    currentSigningKey: values["current-signing-key"],
    nextSigningKey: values["next-signing-key"],
    leaseMs,
    logger,
  });

  console.log(
    [
      `QStash-compatible server listening on ${server.url}`,
      `QSTASH_URL=${server.url}`,
      `QSTASH_TOKEN=${server.token}`,
      `QSTASH_CURRENT_SIGNING_KEY=${server.currentSigningKey}`,
      `QSTASH_NEXT_SIGNING_KEY=${server.nextSigningKey}`,
    ].join("\n"),
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping");
    await server.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
