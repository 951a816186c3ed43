/**
 * Process lifecycle shared by the command-line entry points of the local services: stop the server
 * cleanly on SIGINT or SIGTERM, and turn a failed start into one error line and exit code 1.
 */
import type { Logger } from "pino";

/** Closes `server` on the first SIGINT or SIGTERM, then exits 0 (or 1 when closing fails). */
export function closeOnSignal(server: { close(): Promise<void> }, logger: Logger, label: string): void {
  const stop = (signal: string): void => {
    logger.info({ signal }, `stopping ${label}`);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, `${label} failed to stop cleanly`);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
}

/** Runs a command's `main`; an error is printed as one line on stderr and the process exits 1. */
export function runMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
