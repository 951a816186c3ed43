import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isDeliveryError, sendNotification } from "../../steps/delivery/index.js";
import { makeAlertPayload } from "./fixtures.js";
import { RESEND_TEST_KEY, type RecordingServer, startRecordingServer } from "./recording-server.js";

let resendServer: RecordingServer;
beforeAll(async () => {
  resendServer = await startRecordingServer();
});
afterAll(async () => {
  await resendServer.close();
});

function options(apiKey = RESEND_TEST_KEY) {
  return {
    timeoutMs: 5_000,
    resend: { baseUrl: `${resendServer.url}/`, apiKey, from: "Radar <radar@example.com>" },
  };
}

const channel = { type: "email", to: "ada@example.com" } as const;

describe("email sender", () => {
  it("email sends Resend request", async () => {
    const payload = makeAlertPayload({ id: "sub-1:I_kwDOAbc123:email" });
    const result = await sendNotification(channel, payload, options());

    expect(result.channel).toBe("email");
    expect(result.status).toBe(200);
    expect(result.messageId).toMatch(/^[0-9a-f-]{36}$/);

    const request = resendServer.requests.at(-1);
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/emails");
    expect(request?.headers.authorization).toBe(`Bearer ${RESEND_TEST_KEY}`);
    expect(request?.headers["idempotency-key"]).toBe("sub-1:I_kwDOAbc123:email");

    const body = JSON.parse(request?.body ?? "null");
    expect(body.from).toBe("Radar <radar@example.com>");
    expect(body.to).toEqual(["ada@example.com"]);
    expect(body.subject).toBe('New match: Fix <script> handling & "quotes" in parser (octo-org/widgets#42)');
    expect(body.html).toContain("Fix &lt;script&gt; handling &amp; &quot;quotes&quot; in parser");
    expect(body.html).not.toContain("<script>");
    expect(body.html).toContain('<a href="https://github.com/octo-org/widgets/issues/42">');
    expect(body.text).toContain("1. Read src/tokenizer.ts");
  });

  it("email retry keeps one send", async () => {
    const payload = makeAlertPayload({ id: "sub-1:I_retry:email" });
    const sentBefore = resendServer.emailsSent;

    const first = await sendNotification(channel, payload, options());
    const second = await sendNotification(channel, payload, options());

    expect(second.messageId).toBe(first.messageId);
    expect(resendServer.emailsSent).toBe(sentBefore + 1);
  });

  it("email wrong key reports 401", async () => {
    const error = await sendNotification(channel, makeAlertPayload(), options("re_wrong")).catch((e) => e);

    expect(isDeliveryError(error)).toBe(true);
    expect(error.channel).toBe("email");
    expect(error.reason).toBe("http-status");
    expect(error.status).toBe(401);
    expect(error.targetHost).toBe(resendServer.host);
    expect(error.bodySnippet).toContain("missing_api_key");
  });

  it("email reply without id fails", async () => {
    const contractServer = await startRecordingServer();
    try {
      contractServer.respondWith("/emails", { status: 200, body: '{"object":"email"}' });
      const error = await sendNotification(channel, makeAlertPayload(), {
        timeoutMs: 5_000,
        resend: { baseUrl: contractServer.url, apiKey: RESEND_TEST_KEY, from: "radar@example.com" },
      }).catch((e) => e);

      expect(isDeliveryError(error)).toBe(true);
      expect(error.reason).toBe("invalid-response");
      expect(error.status).toBe(200);
      expect(error.bodySnippet).toBe('{"object":"email"}');
    } finally {
      await contractServer.close();
    }
  });
});
