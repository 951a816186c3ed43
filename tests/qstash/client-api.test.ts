import { Client } from "@upstash/qstash";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HttpTarget, startHttpTarget } from "../helpers/http-target.js";
import { startTestQStash, type TestQStash } from "../helpers/qstash.js";
import { waitFor } from "../helpers/wait-for.js";

let qstash: TestQStash;
let target: HttpTarget;
let client: Client;

/** Returns a fixed failure for some paths and 200 for every other path. */
function respond(path: string, index: number): Response {
  if (path.startsWith("/fail-once") && index === 0) return new Response("try again", { status: 500 });
  if (path.startsWith("/always-500"))
    return new Response("broken", { status: 500, headers: { "Fail-Header": "x" } });
  if (path.startsWith("/non-retryable")) {
    return new Response("stop", { status: 489, headers: { "Upstash-NonRetryable-Error": "true" } });
  }
  if (path.startsWith("/rate-limited-twice") && index < 2)
    return new Response("slow down", { status: 429, headers: { "Retry-After": "0" } });
  if (path.startsWith("/rate-limited-twice")) return new Response("ok after deferrals");
  if (path.startsWith("/rate-limited"))
    return new Response("slow down", { status: 429, headers: { "Retry-After": "2" } });
  return new Response(`ok ${path}`);
}

beforeAll(async () => {
  qstash = await startTestQStash();
  const counts = new Map<string, number>();
  target = await startHttpTarget((request) => {
    const index = counts.get(request.path) ?? 0;
    counts.set(request.path, index + 1);
    return respond(request.path, index);
  });
  client = new Client({ baseUrl: qstash.url, token: qstash.token });
});

afterAll(async () => {
  await qstash?.cleanup();
  await target?.close();
});

const requestsTo = (path: string) => target.requests.filter((request) => request.path === path);
const dueCount = () => qstash.redis.zcard(`${qstash.keyPrefix}due`);

describe("qstash client api", () => {
  it("batch publishes every item", async () => {
    const results = await client.batchJSON([
      { url: `${target.url}/batch-a`, body: { n: 1 } },
      { url: `${target.url}/batch-b`, body: { n: 2 }, headers: { "x-item": "b" } },
    ]);
    expect(results).toHaveLength(2);
    await waitFor(() => requestsTo("/batch-a").length === 1 && requestsTo("/batch-b").length === 1);
    expect(requestsTo("/batch-b")[0]?.headers.get("x-item")).toBe("b");
    expect(requestsTo("/batch-b")[0]?.body).toBe('{"n":2}');
  });

  it("delay holds the message", async () => {
    const { messageId } = await client.publish({ url: `${target.url}/delayed`, body: "later", delay: 60 });
    const message = await client.messages.get(messageId);
    expect(message.notBefore).toBeGreaterThanOrEqual(message.createdAt + 60_000);
    expect(message.url).toBe(`${target.url}/delayed`);
    const notBefore = Math.floor(Date.now() / 1000) + 120;
    const second = await client.publish({ url: `${target.url}/delayed`, body: "later", notBefore });
    expect((await client.messages.get(second.messageId)).notBefore).toBe(notBefore * 1000);
    expect(requestsTo("/delayed")).toHaveLength(0);
  });

  it("messages get and cancel", async () => {
    const { messageId } = await client.publish({
      url: `${target.url}/cancel-me`,
      body: "x",
      delay: 60,
      headers: { "test-header": "v" },
      label: "cancel-label",
    });
    const message = await client.messages.get(messageId);
    expect(message.header?.["Test-Header"]).toEqual(["v"]);
    expect(message.labels).toEqual(["cancel-label"]);
    expect(await client.messages.cancel(messageId)).toEqual({ cancelled: 1 });
    await expect(client.messages.get(messageId)).rejects.toThrow(/not found/);
  });

  it("bulk cancel by label", async () => {
    const a = await client.publish({ url: `${target.url}/bulk`, body: "a", delay: 60, label: "bulk-x" });
    const b = await client.publish({ url: `${target.url}/bulk`, body: "b", delay: 60, label: "bulk-x" });
    const keep = await client.publish({ url: `${target.url}/bulk`, body: "c", delay: 60, label: "other" });
    expect(await client.messages.cancel({ filter: { label: "bulk-x" } })).toEqual({ cancelled: 2 });
    await expect(client.messages.get(a.messageId)).rejects.toThrow();
    await expect(client.messages.get(b.messageId)).rejects.toThrow();
    expect((await client.messages.get(keep.messageId)).messageId).toBe(keep.messageId);
    expect(await client.messages.cancel([keep.messageId])).toEqual({ cancelled: 1 });
  });

  it("deduplication id and content", async () => {
    const first = await client.publish({
      url: `${target.url}/dedup`,
      body: "1",
      deduplicationId: "dedup-1",
      delay: 60,
    });
    const second = await client.publish({
      url: `${target.url}/dedup`,
      body: "2",
      deduplicationId: "dedup-1",
      delay: 60,
    });
    expect(second).toMatchObject({ messageId: first.messageId, deduplicated: true });
    const third = await client.publish({
      url: `${target.url}/dedup`,
      body: "same",
      contentBasedDeduplication: true,
      delay: 60,
    });
    const fourth = await client.publish({
      url: `${target.url}/dedup`,
      body: "same",
      contentBasedDeduplication: true,
      delay: 60,
    });
    expect(fourth).toMatchObject({ messageId: third.messageId, deduplicated: true });
    const fifth = await client.publish({
      url: `${target.url}/dedup`,
      body: "other",
      contentBasedDeduplication: true,
      delay: 60,
    });
    expect(fifth.deduplicated).toBeFalsy();
  });

  it("retries until success", async () => {
    await client.publish({ url: `${target.url}/fail-once`, body: "x", retries: 2, retryDelay: "10" });
    const requests = await waitFor(() => requestsTo("/fail-once").length === 2 && requestsTo("/fail-once"));
    expect(requests.map((request) => request.headers.get("upstash-retried"))).toEqual(["0", "1"]);
  });

  it("Retry-After sets the next attempt", async () => {
    const { messageId } = await client.publish({
      url: `${target.url}/rate-limited`,
      body: "x",
      retries: 1,
      retryDelay: "10",
    });
    const retry = await waitFor(async () => {
      const { events } = await client.events({ filter: { messageId, state: "RETRY" } });
      return events[0];
    });
    // Retry-After: 2 wins over the 10 ms retry-delay expression.
    expect((retry.nextDeliveryTime ?? 0) - retry.time).toBeGreaterThanOrEqual(2000);
    await client.messages.cancel(messageId);
  });

  it("429 with Retry-After keeps retries", async () => {
    // Two deferrals with retries: 0 still deliver, because a requested delay is not a failed attempt.
    await client.publish({ url: `${target.url}/rate-limited-twice`, body: "x", retries: 0 });
    const requests = await waitFor(
      () => requestsTo("/rate-limited-twice").length === 3 && requestsTo("/rate-limited-twice"),
    );
    expect(requests.map((request) => request.headers.get("upstash-retried"))).toEqual(["0", "0", "0"]);
  });

  it("489 fails without retries", async () => {
    const { messageId } = await client.publish({
      url: `${target.url}/non-retryable`,
      body: "x",
      retries: 3,
      retryDelay: "10",
    });
    const entry = await waitFor(
      async () => (await client.dlq.listMessages({ filter: { messageId } })).messages[0],
    );
    expect(entry.responseStatus).toBe(489);
    expect(requestsTo("/non-retryable")).toHaveLength(1);
  });

  it("callback bodies match QStash", async () => {
    await client.publish({
      url: `${target.url}/with-callback`,
      body: "source-body",
      callback: `${target.url}/callback`,
      failureCallback: `${target.url}/failure-callback`,
    });
    const [callback] = await waitFor(() => requestsTo("/callback").length === 1 && requestsTo("/callback"));
    const body = JSON.parse(callback?.body ?? "{}");
    expect(body.status).toBe(200);
    expect(Buffer.from(body.body, "base64").toString()).toBe("ok /with-callback");
    expect(Buffer.from(body.sourceBody, "base64").toString()).toBe("source-body");
    expect(body.url).toBe(`${target.url}/with-callback`);
    expect(body.retried).toBe(0);

    const { messageId } = await client.publish({
      url: `${target.url}/always-500`,
      body: "doomed",
      retries: 0,
      failureCallback: `${target.url}/failure-callback`,
    });
    const [failure] = await waitFor(
      () => requestsTo("/failure-callback").length === 1 && requestsTo("/failure-callback"),
    );
    const failureBody = JSON.parse(failure?.body ?? "{}");
    expect(failureBody.status).toBe(500);
    expect(failureBody.sourceMessageId).toBe(messageId);
    expect(failureBody.header["Fail-Header"]).toEqual(["x"]);
    expect(failureBody.dlqId).toMatch(/^\d+-\d+$/);
  });

  it("DLQ list, get, retry, delete", async () => {
    const { messageId } = await client.publish({ url: `${target.url}/always-500`, body: "dlq", retries: 0 });
    const entry = await waitFor(
      async () => (await client.dlq.listMessages({ filter: { messageId } })).messages[0],
    );
    expect(entry.body).toBe("dlq");
    expect(entry.responseBody).toBe("broken");
    const before = requestsTo("/always-500").length;
    const retried = await client.dlq.retry(entry.dlqId);
    expect(retried.responses).toHaveLength(1);
    await waitFor(() => requestsTo("/always-500").length === before + 1);
    const again = await waitFor(async () => {
      const { messages } = await client.dlq.listMessages({
        filter: { messageId: retried.responses[0]?.messageId },
      });
      return messages[0];
    });
    expect(await client.dlq.delete(again.dlqId)).toEqual({ deleted: 1 });
    expect((await client.dlq.listMessages({ filter: { messageId: again.messageId } })).messages).toHaveLength(
      0,
    );
  });

  it("events log records states", async () => {
    const { messageId } = await client.publish({ url: `${target.url}/logged`, body: "x" });
    const states = await waitFor(async () => {
      const { events } = await client.events({ filter: { messageId } });
      const found = events.map((event) => event.state);
      return found.includes("DELIVERED") && found;
    });
    expect(states).toContain("CREATED");
  });

  it("keys returns signing keys", async () => {
    const response = await fetch(`${qstash.url}/v2/keys`, {
      headers: { Authorization: `Bearer ${qstash.token}` },
    });
    expect(await response.json()).toEqual({ current: qstash.currentSigningKey, next: qstash.nextSigningKey });
  });

  it("bad input changes nothing", async () => {
    const before = await dueCount();
    const cases: { path: string; init: RequestInit; status: number }[] = [
      {
        path: "/v2/publish/http://127.0.0.1:1/x",
        init: { method: "POST", headers: { Authorization: "Bearer wrong" } },
        status: 401,
      },
      { path: "/v2/publish/http://127.0.0.1:1/x", init: { method: "POST" }, status: 401 },
      { path: "/v2/batch", init: { method: "POST", body: "[{not json" }, status: 400 },
      {
        path: "/v2/batch",
        init: {
          method: "POST",
          body: JSON.stringify([
            { destination: "http://127.0.0.1:1/a", headers: {} },
            { destination: "http://127.0.0.1:1/b", headers: { "Upstash-Delay": "soon" } },
          ]),
        },
        status: 400,
      },
      {
        path: "/v2/publish/http://127.0.0.1:1/x",
        init: { method: "POST", headers: { "Upstash-Delay": "10 parsecs" } },
        status: 400,
      },
      {
        path: "/v2/publish/http://127.0.0.1:1/x",
        init: { method: "POST", headers: { "Upstash-Retry-Delay": "import(1)" } },
        status: 400,
      },
      {
        path: "/v2/publish/http://127.0.0.1:1/x",
        init: { method: "POST", headers: { "Upstash-Retries": "1000000" } },
        status: 412,
      },
      { path: "/v2/no-such-endpoint", init: { method: "GET" }, status: 404 },
    ];
    for (const { path, init, status } of cases) {
      const headers = new Headers(init.headers);
      if (!headers.has("Authorization") && status !== 401)
        headers.set("Authorization", `Bearer ${qstash.token}`);
      const response = await fetch(`${qstash.url}${path}`, { ...init, headers });
      expect(response.status, `${init.method} ${path}`).toBe(status);
      const body = (await response.json()) as { error?: unknown };
      expect(typeof body.error, `${init.method} ${path}`).toBe("string");
    }
    expect(await dueCount()).toBe(before);
  });
});
