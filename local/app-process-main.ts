/**
 * Entry point of the app child process that `startAppProcess` spawns: runs the product app on Node
 * with the bindings named in `RADAR_APP_ENV_KEYS`, on `RADAR_APP_PORT`, and reports to the parent over
 * the IPC channel: `ready` once it listens, and one `qstash` message per QStash request start and end.
 */
import { z } from "zod";
import { startAppServer } from "./app-server.js";

const LaunchSchema = z.object({
  RADAR_APP_ENV_KEYS: z.string().min(1, "RADAR_APP_ENV_KEYS is required: comma-separated binding names"),
  RADAR_APP_PORT: z.coerce.number().int().min(1).max(65535),
  RADAR_APP_HOST: z.string().default("127.0.0.1"),
});

async function main(): Promise<void> {
  const send = process.send?.bind(process);
  if (!send) throw new Error("app-process-main must be started with an IPC channel (see startAppProcess)");
  const launch = LaunchSchema.parse(process.env);

  const env: Record<string, string> = {};
  for (const name of launch.RADAR_APP_ENV_KEYS.split(",")) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  const server = await startAppServer(env, {
    port: launch.RADAR_APP_PORT,
    host: launch.RADAR_APP_HOST,
    onQStashRequest: (event) => send({ type: "qstash", ...event }),
  });
  send({ type: "ready", url: server.url });

  // The parent ends this process with SIGKILL to simulate a crash, or SIGTERM for a clean stop.
  process.on("SIGTERM", () => {
    server.close().finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error("app process failed to start:", error instanceof Error ? error.message : error);
  process.exit(1);
});
