/**
 * Settings for running wrangler in tests: the offline environment and a free port for `wrangler dev`.
 */
import { createServer } from "node:net";

/**
 * Keeps wrangler off the network: no usage metrics, no banner (which checks for updates), and no
 * request to Cloudflare for the `request.cf` object.
 */
export const WRANGLER_OFFLINE_ENV = {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_HIDE_BANNER: "true",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
} as const;

/**
 * Returns a TCP port on 127.0.0.1 that was free a moment ago. `wrangler dev` needs its port before it
 * starts, because the app's `APP_BASE_URL` binding must name it.
 * NOTE: another process may take the port between this call and wrangler binding it. The start then
 * fails with "address already in use", and the suite must be rerun.
 */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error("no TCP port was assigned"))));
    });
  });
}
