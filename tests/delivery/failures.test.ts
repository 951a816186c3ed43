import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type DeliveryError,
  isDeliveryError,
  parseRetryAfter,
  sendNotification,
} from "../../steps/delivery/index.js";
import { makeAlertPayload } from "./fixtures.js";
import { type RecordingServer, startRecordingServer } from "./recording-server.js";

const SECRET = "webhook-secret-0123456789";
const resend = { baseUrl: "http://127.0.0.1:1", apiKey: "unused", from: "radar@example.com" };

let target: RecordingServer;
beforeAll(async () => {
  target = await startRecordingServer();
});
afterAll(async () => {
  await target.close();
});

async function deliveryFailure(path: string, timeoutMs = 5_000): Promise<DeliveryError> {
  const error = await sendNotification(
    { type: "webhook", url: `${target.url}${path}`, secret: SECRET },
    makeAlertPayload(),
    { timeoutMs, resend },
  ).catch((e: unknown) => e);
  if (!isDeliveryError(error)) throw new Error(`expected a DeliveryError, got ${String(error)}`);
  return error;
}

describe("delivery failures", () => {
  it("500 reports status and body", async () => {
    target.respondWith("/fail/500/secret-token", { status: 500, body: "database on fire" });
    const error = await deliveryFailure("/fail/500/secret-token");

    expect(error.name).toBe("DeliveryError");
    expect(error.channel).toBe("webhook");
    expect(error.reason).toBe("http-status");
    expect(error.status).toBe(500);
    expect(error.timedOut).toBe(false);
    expect(error.retryAfterSeconds).toBeNull();
    expect(error.bodySnippet).toBe("database on fire");
    expect(error.targetHost).toBe(target.host);
    expect(error.message).not.toContain("secret-token");
  });

  it("429 reports retry after seconds", async () => {
    target.respondWith("/fail/429", { status: 429, headers: { "retry-after": "30" }, body: "rate_limited" });
    const error = await deliveryFailure("/fail/429");

    expect(error.status).toBe(429);
    expect(error.retryAfterSeconds).toBe(30);
  });

  it("503 reports retry after date", async () => {
    const later = new Date(Date.now() + 120_000).toUTCString();
    target.respondWith("/fail/503", { status: 503, headers: { "retry-after": later } });
    const error = await deliveryFailure("/fail/503");

    expect(error.status).toBe(503);
    expect(error.retryAfterSeconds).toBeGreaterThan(60);
    expect(error.retryAfterSeconds).toBeLessThanOrEqual(120);
  });

  it("slow headers time out", async () => {
    target.respondWith("/slow/headers", { stall: "headers" });
    const error = await deliveryFailure("/slow/headers", 300);

    expect(error.reason).toBe("timeout");
    expect(error.timedOut).toBe(true);
    expect(error.status).toBeNull();
  });

  it("slow body times out", async () => {
    target.respondWith("/slow/body", { stall: "body" });
    const error = await deliveryFailure("/slow/body", 300);

    expect(error.reason).toBe("timeout");
    expect(error.timedOut).toBe(true);
  });

  it("redirect counts as failure", async () => {
    target.respondWith("/moved", { status: 302, headers: { location: `${target.url}/elsewhere` } });
    const error = await deliveryFailure("/moved");

    expect(error.status).toBe(302);
    expect(target.requests.some((request) => request.path === "/elsewhere")).toBe(false);
  });

  it("refused connection reports network", async () => {
    const closed = await startRecordingServer();
    const url = `${closed.url}/gone`;
    await closed.close();

    const error = await sendNotification({ type: "webhook", url, secret: SECRET }, makeAlertPayload(), {
      timeoutMs: 5_000,
      resend,
    }).catch((e: unknown) => e);

    expect(isDeliveryError(error)).toBe(true);
    expect((error as DeliveryError).reason).toBe("network");
    expect((error as DeliveryError).timedOut).toBe(false);
    expect((error as DeliveryError).cause).toBeDefined();
  });

  it("retry after header parsing", () => {
    const now = new Date("2025-03-01T00:00:00Z");
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter("0", now)).toBe(0);
    expect(parseRetryAfter(" 120 ", now)).toBe(120);
    expect(parseRetryAfter("Sat, 01 Mar 2025 00:01:30 GMT", now)).toBe(90);
    expect(parseRetryAfter("Fri, 28 Feb 2025 00:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeNull();
    expect(parseRetryAfter("-5", now)).toBeNull();
  });
});
