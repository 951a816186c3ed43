import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  RadarWebhookBodySchema,
  sendNotification,
  signRadarBody,
  verifyRadarSignature,
} from "../../steps/delivery/index.js";
import { makeAlertPayload, makeOpportunity } from "./fixtures.js";
import { type RecordingServer, startRecordingServer } from "./recording-server.js";

const SECRET = "webhook-secret-0123456789";
const resend = { baseUrl: "http://127.0.0.1:1", apiKey: "unused", from: "Radar <radar@example.com>" };
const now = new Date("2025-03-01T12:34:56.000Z");

let target: RecordingServer;
beforeAll(async () => {
  target = await startRecordingServer();
});
afterAll(async () => {
  await target.close();
});

describe("webhook sender", () => {
  it("webhook signature verifies roundtrip", async () => {
    const payload = makeAlertPayload();
    const result = await sendNotification(
      { type: "webhook", url: `${target.url}/hooks/roundtrip`, secret: SECRET },
      payload,
      { timeoutMs: 5_000, resend, now: () => now },
    );
    expect(result).toEqual({ channel: "webhook", status: 200, messageId: null });

    const request = target.requests.find((recorded) => recorded.path === "/hooks/roundtrip");
    expect(request).toBeDefined();
    if (request === undefined) return;
    expect(request.method).toBe("POST");
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.headers["x-radar-delivery"]).toBe(payload.id);
    expect(request.headers["x-radar-timestamp"]).toBe(String(now.getTime() / 1000));

    const signature = request.headers["x-radar-signature-256"];
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(signature).toBe(await signRadarBody(SECRET, request.body));
    expect(await verifyRadarSignature(SECRET, request.body, String(signature))).toBe(true);

    const body = RadarWebhookBodySchema.parse(JSON.parse(request.body));
    expect(body.id).toBe(payload.id);
    expect(body.sentAt).toBe(now.toISOString());
    expect(body.opportunities[0]?.issueId).toBe("I_kwDOAbc123");
    expect(body.opportunities[0]?.firstSteps).toEqual(payload.opportunities[0]?.analysis.firstSteps);
  });

  it("signature check rejects tampering", async () => {
    const body = JSON.stringify({ id: "x", value: 1 });
    const signature = await signRadarBody(SECRET, body);

    expect(await verifyRadarSignature(SECRET, body, signature)).toBe(true);
    expect(await verifyRadarSignature(SECRET, body.replace("1", "2"), signature)).toBe(false);
    expect(await verifyRadarSignature("another-secret-0123456789", body, signature)).toBe(false);
    expect(await verifyRadarSignature(SECRET, body, signature.toUpperCase())).toBe(false);
    expect(await verifyRadarSignature(SECRET, body, signature.slice(7))).toBe(false);
    expect(await verifyRadarSignature(SECRET, body, "sha256=zz")).toBe(false);
    expect(await verifyRadarSignature(SECRET, body, null)).toBe(false);
    expect(await verifyRadarSignature(SECRET, "", signature)).toBe(false);
  });

  it("digest carries every opportunity", async () => {
    const opportunities = [
      makeOpportunity({ issueId: "I_1", number: 1 }),
      makeOpportunity({ issueId: "I_2", number: 2, score: 40 }),
    ];
    const payload = makeAlertPayload({
      id: "sub-1:digest-2025-03-01:webhook",
      kind: "digest",
      opportunities,
    });
    await sendNotification({ type: "webhook", url: `${target.url}/hooks/digest`, secret: SECRET }, payload, {
      timeoutMs: 5_000,
      resend,
    });

    const request = target.requests.find((recorded) => recorded.path === "/hooks/digest");
    const body = RadarWebhookBodySchema.parse(JSON.parse(request?.body ?? "null"));
    expect(body.kind).toBe("digest");
    expect(body.opportunities.map((opportunity) => opportunity.issueId)).toEqual(["I_1", "I_2"]);
  });

  it("invalid payload sends nothing", async () => {
    const before = target.requests.length;
    const twoOpportunities = makeAlertPayload({
      opportunities: [makeOpportunity({ issueId: "I_1" }), makeOpportunity({ issueId: "I_2" })],
    });
    const channel = { type: "webhook", url: `${target.url}/hooks/invalid`, secret: SECRET } as const;

    await expect(sendNotification(channel, twoOpportunities, { timeoutMs: 5_000, resend })).rejects.toThrow(
      /opportunities: an alert carries exactly one opportunity/,
    );
    await expect(sendNotification(channel, makeAlertPayload(), { timeoutMs: 0, resend })).rejects.toThrow(
      /timeoutMs must be a positive number/,
    );
    expect(target.requests.length).toBe(before);
  });
});
