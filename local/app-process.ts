/**
 * The product app in a child process, so a test or `npm run chaos` can kill it with SIGKILL in the
 * middle of a workflow step and start it again. The child always binds the same port, which keeps
 * the workflow URLs that QStash already stored valid across restarts.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { z } from "zod";

const CHILD_ENTRY = fileURLToPath(new URL("./app-process-main.ts", import.meta.url));
/** The tsx loader, resolved here so the child runs TypeScript whatever its working directory. */
const TSX_LOADER = import.meta.resolve("tsx");

const ChildMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ready"), url: z.string() }),
  z.object({
    type: z.literal("qstash"),
    phase: z.enum(["start", "end"]),
    messageId: z.string(),
    retried: z.number(),
  }),
]);

export interface AppProcessTraffic {
  /** QStash requests received by every child started so far, retries included. */
  deliveries: number;
  /** Among them, those with `Upstash-Retried` above 0. */
  retried: number;
  /** Requests of the current child that have started and not yet ended. */
  inFlight: number;
}

export interface AppProcess {
  /** Base URL, e.g. `http://127.0.0.1:8787`; the same after every restart. */
  url: string;
  port: number;
  /** Process id of the current child. */
  pid(): number | undefined;
  traffic(): AppProcessTraffic;
  /** Kills the child with SIGKILL (no cleanup, in-flight requests are cut) and waits for its exit. */
  kill(): Promise<void>;
  /** Starts a new child on the same port; the previous one must have exited. */
  start(): Promise<void>;
  /** Stops the child with SIGTERM, or SIGKILL when it has not exited after 5 s. */
  close(): Promise<void>;
}

export interface AppProcessOptions {
  /** Fixed port; required, because QStash keeps calling the URLs of runs it already holds. */
  port: number;
  host?: string;
  /** How long to wait for the child to listen, in ms. Default 30 000. */
  startTimeoutMs?: number;
}

/**
 * Starts the app in a child process with `env` as its bindings (`APP_BASE_URL` is set by the child to
 * the address it binds). Rejects when the child exits or does not listen within `startTimeoutMs`.
 */
export async function startAppProcess(
  env: Record<string, string>,
  options: AppProcessOptions,
): Promise<AppProcess> {
  const host = options.host ?? "127.0.0.1";
  const traffic: AppProcessTraffic = { deliveries: 0, retried: 0, inFlight: 0 };
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const start = async (): Promise<void> => {
    if (child && child.exitCode === null && child.signalCode === null) {
      throw new Error(`app process ${child.pid} is still running; kill it before starting another`);
    }
    traffic.inFlight = 0;
    const spawned = spawn(process.execPath, ["--import", TSX_LOADER, CHILD_ENTRY], {
      env: {
        PATH: process.env.PATH ?? "",
        ...env,
        RADAR_APP_ENV_KEYS: Object.keys(env).join(","),
        RADAR_APP_PORT: String(options.port),
        RADAR_APP_HOST: host,
      },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    child = spawned;
    exited = new Promise((resolve) => spawned.once("exit", () => resolve()));

    spawned.on("message", (raw) => {
      const message = ChildMessageSchema.safeParse(raw);
      if (!message.success || message.data.type !== "qstash") return;
      if (message.data.phase === "start") {
        traffic.deliveries += 1;
        traffic.inFlight += 1;
        if (message.data.retried > 0) traffic.retried += 1;
      } else {
        traffic.inFlight = Math.max(0, traffic.inFlight - 1);
      }
    });

    await new Promise<void>((resolve, reject) => {
      const timeoutMs = options.startTimeoutMs ?? 30_000;
      const timer = setTimeout(() => {
        spawned.kill("SIGKILL");
        reject(new Error(`app process did not listen on port ${options.port} within ${timeoutMs} ms`));
      }, timeoutMs);
      const onExit = (code: number | null) => {
        clearTimeout(timer);
        reject(new Error(`app process exited with code ${code} before listening on port ${options.port}`));
      };
      spawned.once("exit", onExit);
      spawned.on("message", (raw) => {
        const message = ChildMessageSchema.safeParse(raw);
        if (!message.success || message.data.type !== "ready") return;
        clearTimeout(timer);
        spawned.off("exit", onExit);
        resolve();
      });
    });
  };

  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    const current = child;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    current.kill(signal);
    if (signal === "SIGKILL") {
      await exited;
      return;
    }
    const timer = setTimeout(() => current.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  };

  await start();
  return {
    url: `http://${host}:${options.port}`,
    port: options.port,
    pid: () => child?.pid,
    traffic: () => ({ ...traffic }),
    kill: () => stop("SIGKILL"),
    start,
    close: () => stop("SIGTERM"),
  };
}
