/**
 * Senders against the local stack's notification sink (`local/sinks`), which replaces webhook
 * receivers, the Resend API and Slack incoming webhooks on 127.0.0.1.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type SinkServer, startSinkServer } from "../../local/sinks/index.js";
import {
  type DeliveryError,
  isDeliveryError,
  type SendNotificationOptions,
  sendNotification,
  verifyRadarSignature,
} from "../../steps/delivery/index.js";
import { makeAlertPayload, makeOpportunity } from "./fixtures.js";

const SECRET = "webhook-secret-0123456789";
const API_KEY = "re_sink_test_key";

let sink: SinkServer;
let options: SendNotificationOptions;

beforeAll(async () => {
  sink = await startSinkServer({ resendApiKey: API_KEY });
  options = {
    timeoutMs: 5_000,
    resend: { baseUrl: `${sink.url}/resend`, apiKey: API_KEY, from: "Radar <radar@example.com>" },
  };
});
afterAll(async () => {
  await sink.close();
});
beforeEach(async () => {
  sink.setFaults(null);
  await sink.clear();
});

async function failureOf(promise: Promise<unknown>): Promise<DeliveryError> {
  const error = await promise.catch((e: unknown) => e);
  if (!isDeliveryError(error)) throw new Error(`expected a DeliveryError, got ${String(error)}`);
  return error;
}

describe("senders against the sink", () => {
  it("each channel is delivered", async () => {
    await sendNotification(
      { type: "webhook", url: `${sink.url}/webhooks/alerts`, secret: SECRET },
      makeAlertPayload({ id: "sub-1:I_kwDOAbc123:webhook" }),
      options,
    );
    const email = await sendNotification(
      { type: "email", to: "ada@example.com" },
      makeAlertPayload({ id: "sub-1:I_kwDOAbc123:email" }),
      options,
    );
    await sendNotification(
      { type: "slack", webhookUrl: `${sink.url}/slack/T001/alerts` },
      makeAlertPayload({ id: "sub-1:I_kwDOAbc123:slack" }),
      options,
    );

    const [webhook] = await sink.deliveries({ channel: "webhook", target: "alerts" });
    expect(webhook?.headers["x-radar-delivery"]).toBe("sub-1:I_kwDOAbc123:webhook");
    expect(
      await verifyRadarSignature(SECRET, webhook?.body ?? "", webhook?.headers["x-radar-signature-256"]),
    ).toBe(true);

    const [mail] = await sink.deliveries({ channel: "email", target: "ada@example.com" });
    expect(mail?.emailId).toBe(email.messageId);
    expect(mail?.headers["idempotency-key"]).toBe("sub-1:I_kwDOAbc123:email");

    const [slack] = await sink.deliveries({ channel: "slack", target: "T001/alerts" });
    const message = JSON.parse(slack?.body ?? "null");
    expect(message.blocks[0].type).toBe("header");
    expect(message.text).toContain("A new issue matches what you look for, Ada.");
  });

  it("repeated email is sent once", async () => {
    const payload = makeAlertPayload({ id: "sub-1:I_repeat:email" });
    const channel = { type: "email", to: "ada@example.com" } as const;

    const first = await sendNotification(channel, payload, options);
    const second = await sendNotification(channel, payload, options);

    expect(second.messageId).toBe(first.messageId);
    expect(await sink.deliveries({ channel: "email" })).toHaveLength(1);
    const attempts = await sink.attempts({ channel: "email" });
    expect(attempts.map((attempt) => attempt.outcome)).toEqual(["delivered", "replayed"]);
  });

  it("changed email under same key conflicts", async () => {
    // A digest retried with fewer issues renders a different body under the same delivery id.
    const channel = { type: "email", to: "ada@example.com" } as const;
    const id = "sub-1:digest-2025-03-01:email";
    const two = [makeOpportunity({ issueId: "I_1" }), makeOpportunity({ issueId: "I_2" })];
    await sendNotification(channel, makeAlertPayload({ id, kind: "digest", opportunities: two }), options);

    const error = await failureOf(
      sendNotification(
        channel,
        makeAlertPayload({ id, kind: "digest", opportunities: two.slice(1) }),
        options,
      ),
    );
    expect(error.status).toBe(409);
    expect(error.bodySnippet).toContain("invalid_idempotent_request");
  });

  it("injected 503 reports retry after", async () => {
    sink.setFaults({ channel: "webhook", status: 503, retryAfterSeconds: 7 });
    const error = await failureOf(
      sendNotification(
        { type: "webhook", url: `${sink.url}/webhooks/alerts`, secret: SECRET },
        makeAlertPayload(),
        options,
      ),
    );

    expect(error.reason).toBe("http-status");
    expect(error.status).toBe(503);
    expect(error.retryAfterSeconds).toBe(7);
    expect(await sink.deliveries({ channel: "webhook" })).toEqual([]);
  });

  it("slow slack times out", async () => {
    sink.setFaults({ channel: "slack", delayMs: 3_000 });
    const error = await failureOf(
      sendNotification(
        { type: "slack", webhookUrl: `${sink.url}/slack/T001/alerts` },
        makeAlertPayload({ id: "sub-1:I_kwDOAbc123:slack" }),
        { ...options, timeoutMs: 200 },
      ),
    );

    expect(error.channel).toBe("slack");
    expect(error.timedOut).toBe(true);
    expect(error.status).toBeNull();
  });
});
