/**
 * A notification target on 127.0.0.1 for sender tests. It records every request and responds like the
 * real services: `POST /emails` speaks Resend's protocol (bearer key, `{ id }` reply, the same id for
 * a repeated `Idempotency-Key`), `/slack/...` returns `ok` as Slack incoming webhooks do, and any other
 * path returns 200. `respondWith` overrides the reply for a path, to produce 4xx, 5xx or no reply at all.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Reply =
  | { status: number; headers?: Record<string, string>; body?: string }
  /** Sends the status line and headers, then never finishes the body. */
  | { stall: "body" }
  /** Never sends a response at all. */
  | { stall: "headers" };

export interface RecordingServer {
  url: string;
  host: string;
  requests: RecordedRequest[];
  /** Emails Resend would have sent: one per distinct idempotency key. */
  emailsSent: number;
  respondWith(path: string, reply: Reply): void;
  close(): Promise<void>;
}

export const RESEND_TEST_KEY = "re_test_key_for_recording_server";

export async function startRecordingServer(): Promise<RecordingServer> {
  const overrides = new Map<string, Reply>();
  const idempotencyKeys = new Map<string, string>();
  const stalled = new Set<ServerResponse>();

  const state = {
    requests: [] as RecordedRequest[],
    emailsSent: 0,
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const path = request.url ?? "/";
      const body = Buffer.concat(chunks).toString("utf8");
      state.requests.push({ method: request.method ?? "", path, headers: request.headers, body });

      const override = overrides.get(path);
      if (override !== undefined) {
        if ("stall" in override) {
          stalled.add(response);
          if (override.stall === "body") response.writeHead(200, { "content-type": "text/plain" }).write("o");
          return;
        }
        response.writeHead(override.status, override.headers).end(override.body ?? "");
        return;
      }

      if (path === "/emails") {
        if (request.headers.authorization !== `Bearer ${RESEND_TEST_KEY}`) {
          response.writeHead(401, { "content-type": "application/json" });
          response.end(
            JSON.stringify({ statusCode: 401, name: "missing_api_key", message: "Missing API key" }),
          );
          return;
        }
        const key = request.headers["idempotency-key"];
        let id = typeof key === "string" ? idempotencyKeys.get(key) : undefined;
        if (id === undefined) {
          id = randomUUID();
          state.emailsSent += 1;
          if (typeof key === "string") idempotencyKeys.set(key, id);
        }
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ id }));
        return;
      }
      if (path.startsWith("/slack/")) {
        response.writeHead(200, { "content-type": "text/plain" }).end("ok");
        return;
      }
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    get emailsSent() {
      return state.emailsSent;
    },
    respondWith(path, reply) {
      overrides.set(path, reply);
    },
    async close() {
      for (const response of stalled) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
