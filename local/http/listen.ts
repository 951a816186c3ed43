/**
 * Starts a Hono app on Node's HTTP server for the local stand-ins of hosted services.
 *
 * Wraps `serve` from @hono/node-server with two additions. The returned promise resolves once the
 * port is bound, so callers can pass port 0 and read the chosen port back. `close` also ends idle
 * keep-alive connections, because clients such as `@upstash/redis` send `keepalive: true` and would
 * otherwise hold `server.close()` open.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Hono } from "hono";

export interface ListenOptions {
  /** TCP port; 0 lets the OS choose a free one. Default 0. */
  port?: number;
  /** Interface to bind. Default `127.0.0.1`, so the server is never reachable from other hosts. */
  host?: string;
}

export interface ListeningServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:54321`. */
  url: string;
  port: number;
  /** Stops accepting connections, ends open ones and resolves when the server has closed. */
  close(): Promise<void>;
}

export const DEFAULT_HOST = "127.0.0.1";

/** Starts `app` on `host:port` and resolves once it accepts connections. */
export function listen<E extends object>(
  app: Hono<E>,
  options: ListenOptions = {},
): Promise<ListeningServer> {
  const host = options.host ?? DEFAULT_HOST;
  const requestedPort = options.port ?? 0;

  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: requestedPort, hostname: host }) as Server;

    const onError = (error: Error): void => {
      reject(new Error(`Failed to listen on ${host}:${requestedPort}: ${error.message}`, { cause: error }));
    };
    server.once("error", onError);

    server.once("listening", () => {
      server.off("error", onError);
      const address = server.address() as AddressInfo;
      const urlHost = host.includes(":") ? `[${host}]` : host;
      resolve({
        url: `http://${urlHost}:${address.port}`,
        port: address.port,
        close: () => closeServer(server),
      });
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => {
      if (error) reject(error);
      else resolve();
    });
    // close() waits for every open connection; idle keep-alive sockets would never end on their own.
    server.closeIdleConnections();
    server.closeAllConnections();
  });
}
