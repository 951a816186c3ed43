import { Client } from "@upstash/qstash";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HttpTarget, startHttpTarget } from "../helpers/http-target.js";
import { startTestQStash, type TestQStash } from "../helpers/qstash.js";

let qstash: TestQStash;
let target: HttpTarget;
let client: Client;

beforeAll(async () => {
  qstash = await startTestQStash();
  target = await startHttpTarget();
  client = new Client({ baseUrl: qstash.url, token: qstash.token });
});

afterAll(async () => {
  await qstash?.cleanup();
  await target?.close();
});

describe("publish", () => {
  it("publishJSON delivers body and headers", async () => {
    const before = target.requests.length;
    const result = await client.publishJSON({
      url: `${target.url}/hook?x=1`,
      body: { hello: "world" },
      headers: { "x-custom": "abc" },
    });
    expect(result.messageId).toMatch(/^msg_/);
    const [request] = (await target.waitForRequests(before + 1)).slice(before);
    expect(request?.path).toBe("/hook");
    expect(request?.url).toContain("?x=1");
    expect(JSON.parse(request?.body ?? "")).toEqual({ hello: "world" });
    expect(request?.headers.get("x-custom")).toBe("abc");
    expect(request?.headers.get("content-type")).toBe("application/json");
    expect(request?.headers.get("upstash-message-id")).toBe(result.messageId);
    expect(request?.headers.get("upstash-retried")).toBe("0");
    expect(request?.headers.get("upstash-signature")).toBeTruthy();
  });
});
