/**
 * A tiny HTTP server on 127.0.0.1 that records every request and responds with `respond` (200 "ok" by
 * default). Stands in for a message destination or a third-party API.
 */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { waitFor } from "./wait-for.js";

export interface RecordedRequest {
  method: string;
  path: string;
  url: string;
  headers: Headers;
  body: string;
}

export interface HttpTarget {
  url: string;
  requests: RecordedRequest[];
  /** Waits until at least `count` requests arrived and returns them. */
  waitForRequests(count: number): Promise<RecordedRequest[]>;
  close(): Promise<void>;
}

export type Responder = (request: RecordedRequest, index: number) => Response | Promise<Response>;

export async function startHttpTarget(respond: Responder = () => new Response("ok")): Promise<HttpTarget> {
  const requests: RecordedRequest[] = [];
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve(
      {
        port: 0,
        hostname: "127.0.0.1",
        fetch: async (request) => {
          const url = new URL(request.url);
          const recorded: RecordedRequest = {
            method: request.method,
            path: url.pathname,
            url: request.url,
            headers: request.headers,
            body: await request.text(),
          };
          requests.push(recorded);
          return await respond(recorded, requests.length - 1);
        },
      },
      () => resolve(started),
    );
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    waitForRequests: (count) =>
      waitFor(() => requests.length >= count && requests, { description: `${count} requests to the target` }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ("closeAllConnections" in server) server.closeAllConnections();
      }),
  };
}
