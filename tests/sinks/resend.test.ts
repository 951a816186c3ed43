import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type SinkServer, startSinkServer } from "../../local/sinks/index.js";

const API_KEY = "re_test_sink_key";

let sink: SinkServer;

beforeAll(async () => {
  sink = await startSinkServer({ resendApiKey: API_KEY });
});

afterAll(async () => {
  await sink.close();
});

beforeEach(async () => {
  await sink.clear();
});

const validEmail = {
  from: "Contribution Radar <radar@example.com>",
  to: ["dev@example.org"],
  subject: "3 issues worth a look",
  html: "<p>Hello</p>",
  text: "Hello",
};

interface ResendReply {
  status: number;
  body: Record<string, unknown>;
}

async function sendEmail(body: unknown, headers: Record<string, string> = {}): Promise<ResendReply> {
  const response = await fetch(`${sink.url}/resend/emails`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${API_KEY}`, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("resend sink", () => {
  it("accepts valid email", async () => {
    const reply = await sendEmail(validEmail);
    expect(reply.status).toBe(200);
    expect(reply.body["id"]).toMatch(/^[0-9a-f-]{36}$/);

    const deliveries = await sink.deliveries({ channel: "email" });
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]?.target).toBe("dev@example.org");
    expect(deliveries[0]?.emailId).toBe(reply.body["id"]);
    expect(JSON.parse(deliveries[0]?.body ?? "null")).toEqual(validEmail);
    expect(deliveries[0]?.headers["authorization"]).toBe("[redacted]");
  });

  it("filters by one recipient", async () => {
    await sendEmail({ ...validEmail, to: ["a@example.org", "Bee <b@example.org>"] });
    await sendEmail({ ...validEmail, to: "c@example.org" });

    const forB = await sink.deliveries({ channel: "email", target: "b@example.org" });
    expect(forB).toHaveLength(1);
    expect(forB[0]?.target).toBe("a@example.org,b@example.org");
    expect(await sink.deliveries({ target: "c@example.org" })).toHaveLength(1);
  });

  it("missing api key returns 401", async () => {
    const response = await fetch(`${sink.url}/resend/emails`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(validEmail),
    });
    expect(response.status).toBe(401);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body["name"]).toBe("missing_api_key");
    expect(body["statusCode"]).toBe(401);
    expect(typeof body["message"]).toBe("string");
  });

  it("wrong api key returns 403", async () => {
    const reply = await sendEmail(validEmail, { authorization: "Bearer re_some_other_key" });
    expect(reply.status).toBe(403);
    expect(reply.body).toEqual({ statusCode: 403, message: "API key is invalid", name: "invalid_api_key" });
    expect(await sink.deliveries()).toEqual([]);
  });

  it("missing field returns 422", async () => {
    for (const field of ["from", "to", "subject"] as const) {
      const { [field]: _omitted, ...rest } = validEmail;
      const reply = await sendEmail(rest);
      expect(reply.status, field).toBe(422);
      expect(reply.body, field).toEqual({
        statusCode: 422,
        message: `Missing \`${field}\` field.`,
        name: "missing_required_field",
      });
    }
    const noContent = await sendEmail({ from: validEmail.from, to: validEmail.to, subject: "s" });
    expect(noContent.status).toBe(422);
    expect(noContent.body["message"]).toBe("Missing `html` or `text` field.");
  });

  it("invalid fields return 400", async () => {
    const cases: { body: unknown; field: string }[] = [
      { body: { ...validEmail, to: ["not-an-address"] }, field: "to" },
      { body: { ...validEmail, from: "Radar <radar@>" }, field: "from" },
      { body: { ...validEmail, to: Array.from({ length: 51 }, (_, i) => `r${i}@example.org`) }, field: "to" },
      { body: { ...validEmail, to: [] }, field: "to" },
      { body: { ...validEmail, subject: 7 }, field: "subject" },
      { body: { ...validEmail, tags: [{ name: "has space", value: "x" }] }, field: "tags.0.name" },
    ];
    for (const { body, field } of cases) {
      const reply = await sendEmail(body);
      expect(reply.status, field).toBe(400);
      expect(reply.body["name"], field).toBe("validation_error");
      // The message names the field path, e.g. `to.0` for the first recipient of `to`.
      expect(String(reply.body["message"]), field).toMatch(new RegExp(`^Invalid \`${field}[\`.]`));
    }

    const notJson = await sendEmail("{not json");
    expect(notJson.status).toBe(400);
    expect(notJson.body["name"]).toBe("validation_error");
    expect(await sink.deliveries()).toEqual([]);
    expect(await sink.attempts({ channel: "email" })).toHaveLength(cases.length + 1);
  });

  it("idempotency key replays first id", async () => {
    const first = await sendEmail(validEmail, { "idempotency-key": "alert/sub_1/issue_9" });
    const second = await sendEmail(validEmail, { "idempotency-key": "alert/sub_1/issue_9" });
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body["id"]).toBe(first.body["id"]);

    expect(await sink.deliveries({ channel: "email" })).toHaveLength(1);
    const attempts = await sink.attempts({ channel: "email" });
    expect(attempts.map((attempt) => attempt.outcome)).toEqual(["delivered", "replayed"]);
    expect(attempts[1]?.emailId).toBe(first.body["id"]);

    const other = await sendEmail(validEmail, { "idempotency-key": "alert/sub_1/issue_10" });
    expect(other.body["id"]).not.toBe(first.body["id"]);
    expect(await sink.deliveries({ channel: "email" })).toHaveLength(2);
  });

  it("idempotency key with other body", async () => {
    await sendEmail(validEmail, { "idempotency-key": "digest/sub_2/2026-12-04" });
    const changed = await sendEmail(
      { ...validEmail, subject: "changed" },
      { "idempotency-key": "digest/sub_2/2026-12-04" },
    );
    expect(changed.status).toBe(409);
    expect(changed.body["name"]).toBe("invalid_idempotent_request");
    expect(await sink.deliveries({ channel: "email" })).toHaveLength(1);
  });

  it("idempotency key length is checked", async () => {
    const tooLong = await sendEmail(validEmail, { "idempotency-key": "k".repeat(257) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body["name"]).toBe("invalid_idempotency_key");

    const longest = await sendEmail(validEmail, { "idempotency-key": "k".repeat(256) });
    expect(longest.status).toBe(200);
  });

  it("clear forgets idempotency keys", async () => {
    const first = await sendEmail(validEmail, { "idempotency-key": "cleared-key" });
    await sink.clear();
    const again = await sendEmail(validEmail, { "idempotency-key": "cleared-key" });
    expect(again.status).toBe(200);
    expect(again.body["id"]).not.toBe(first.body["id"]);
  });

  it("get on emails returns 405", async () => {
    const response = await fetch(`${sink.url}/resend/emails`);
    expect(response.status).toBe(405);
    expect(((await response.json()) as Record<string, unknown>)["name"]).toBe("method_not_allowed");
  });
});

describe("resend sink default key", () => {
  it("accepts any re_ key", async () => {
    const open = await startSinkServer();
    try {
      const send = (key: string) =>
        fetch(`${open.url}/resend/emails`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify(validEmail),
        });
      expect((await send("re_anything")).status).toBe(200);
      expect((await send("sk_not_resend")).status).toBe(403);
    } finally {
      await open.close();
    }
  });
});
