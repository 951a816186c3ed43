import { sign, verify } from "@octokit/webhooks-methods";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type SinkServer, startSinkServer } from "../../local/sinks/index.js";

let sink: SinkServer;

beforeAll(async () => {
  sink = await startSinkServer();
});

afterAll(async () => {
  await sink.close();
});

beforeEach(async () => {
  await sink.clear();
});

function postJson(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${sink.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

describe("webhook sink", () => {
  it("records raw body and headers", async () => {
    const secret = "webhook-test-secret";
    // Keys out of order and odd spacing: the signature must cover the exact bytes sent.
    const body = '{"kind":"alert",  "id":"dlv_1","text":"naïve ✓"}';
    const signature = await sign(secret, body);
    const response = await postJson("/webhooks/alerts", body, {
      "x-radar-signature-256": signature,
      "x-radar-delivery": "dlv_1",
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });

    const deliveries = await sink.deliveries({ channel: "webhook", target: "alerts" });
    expect(deliveries).toHaveLength(1);
    const [delivery] = deliveries;
    expect(delivery?.body).toBe(body);
    expect(delivery?.method).toBe("POST");
    expect(delivery?.path).toBe("/webhooks/alerts");
    expect(delivery?.headers["x-radar-delivery"]).toBe("dlv_1");
    expect(delivery?.headers["x-radar-signature-256"]).toBe(signature);
    expect(await verify(secret, delivery?.body ?? "", delivery?.headers["x-radar-signature-256"] ?? "")).toBe(
      true,
    );
    expect(Date.parse(delivery?.time ?? "")).not.toBeNaN();
  });

  it("filters by target name", async () => {
    await postJson("/webhooks/first", { n: 1 });
    await postJson("/webhooks/second", { n: 2 });
    await postJson("/webhooks/first", { n: 3 });

    const first = await sink.deliveries({ target: "first" });
    expect(first.map((delivery) => delivery.body)).toEqual(['{"n":1}', '{"n":3}']);
    const all = await sink.deliveries({ channel: "webhook" });
    expect(all.map((delivery) => delivery.target)).toEqual(["first", "second", "first"]);
  });

  it("redacts authorization header", async () => {
    await postJson("/webhooks/private", { n: 1 }, { authorization: "Bearer very-secret" });
    const [delivery] = await sink.deliveries({ target: "private" });
    expect(delivery?.headers["authorization"]).toBe("[redacted]");
  });
});

describe("slack sink", () => {
  it("accepts text message", async () => {
    const response = await postJson("/slack/T0001/alerts", { text: "New issue: *fix the parser*" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await response.text()).toBe("ok");

    const deliveries = await sink.deliveries({ channel: "slack" });
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]?.target).toBe("T0001/alerts");
    expect(JSON.parse(deliveries[0]?.body ?? "null")).toEqual({ text: "New issue: *fix the parser*" });
  });

  it("accepts blocks without text", async () => {
    const blocks = [
      { type: "header", text: { type: "plain_text", text: "Daily digest" } },
      { type: "section", text: { type: "mrkdwn", text: "*3* new issues" } },
    ];
    const response = await postJson("/slack/T0001/digest", { blocks });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("ok");
  });

  it("accepts form encoded payload", async () => {
    const response = await fetch(`${sink.url}/slack/T0001/form`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ payload: JSON.stringify({ text: "from a form" }) }).toString(),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("ok");
  });

  it("rejects invalid messages", async () => {
    const cases: { body: string; error: string }[] = [
      { body: "not json", error: "invalid_payload" },
      { body: "[1, 2]", error: "invalid_payload" },
      { body: JSON.stringify({ text: 42 }), error: "invalid_payload" },
      { body: JSON.stringify({}), error: "no_text" },
      { body: JSON.stringify({ text: "   " }), error: "no_text" },
      { body: JSON.stringify({ text: "x", blocks: "not a list" }), error: "invalid_blocks" },
      { body: JSON.stringify({ text: "x", blocks: [{ text: "missing type" }] }), error: "invalid_blocks" },
      {
        body: JSON.stringify({ text: "x", blocks: Array.from({ length: 51 }, () => ({ type: "divider" })) }),
        error: "invalid_blocks",
      },
    ];
    for (const { body, error } of cases) {
      const response = await postJson("/slack/T0001/alerts", body);
      expect(response.status, body).toBe(400);
      expect(await response.text(), body).toBe(error);
    }

    expect(await sink.deliveries({ channel: "slack" })).toEqual([]);
    const attempts = await sink.attempts({ channel: "slack" });
    expect(attempts).toHaveLength(cases.length);
    expect(attempts.map((attempt) => attempt.error)).toEqual(cases.map((testCase) => testCase.error));
    expect(attempts.every((attempt) => attempt.outcome === "rejected")).toBe(true);
  });
});

describe("sink control api", () => {
  it("lists deliveries over http", async () => {
    await postJson("/webhooks/listed", { n: 1 });
    await postJson("/slack/T1/C1", { text: "hi" });

    const response = await fetch(`${sink.url}/_sink/deliveries?channel=slack`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { deliveries: { channel: string; target: string }[] };
    expect(body.deliveries).toHaveLength(1);
    expect(body.deliveries[0]).toMatchObject({ channel: "slack", target: "T1/C1" });

    const byTarget = (await (await fetch(`${sink.url}/_sink/deliveries?target=listed`)).json()) as {
      deliveries: unknown[];
    };
    expect(byTarget.deliveries).toHaveLength(1);
  });

  it("rejects unknown channel filter", async () => {
    const response = await fetch(`${sink.url}/_sink/deliveries?channel=fax`);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string };
    expect(body.error).toMatch(/^Invalid filter: channel/);
  });

  it("delete clears deliveries", async () => {
    await postJson("/webhooks/cleared", { n: 1 });
    expect(await sink.deliveries()).toHaveLength(1);

    const response = await fetch(`${sink.url}/_sink/deliveries`, { method: "DELETE" });
    expect(response.status).toBe(200);
    expect(await sink.deliveries()).toEqual([]);
    expect(await sink.attempts()).toEqual([]);
  });

  it("unknown path returns 404", async () => {
    const response = await fetch(`${sink.url}/elsewhere`, { method: "POST" });
    expect(response.status).toBe(404);
    expect(await sink.attempts()).toEqual([]);
  });
});
