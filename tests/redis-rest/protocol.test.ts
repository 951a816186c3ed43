import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestRedisRest, type TestRedisRest } from "../helpers/redis-rest.js";

let rest: TestRedisRest;

beforeAll(async () => {
  rest = await startTestRedisRest({ area: "redis-rest-protocol" });
});

afterAll(async () => {
  await rest.close();
});

interface RestResponse {
  status: number;
  body: unknown;
}

/** Sends one request to the bridge with the right token unless `headers` overrides it. */
async function call(path: string, init: RequestInit = {}): Promise<RestResponse> {
  const response = await fetch(`${rest.bridge.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${rest.bridge.token}`, ...(init.headers as Record<string, string>) },
  });
  return { status: response.status, body: await response.json() };
}

describe("redis rest bridge errors", () => {
  it("wrong type raises redis text", async () => {
    const key = `${rest.prefix}wrong-type`;
    await rest.redis.set(key, "text");
    await expect(rest.redis.hget(key, "field")).rejects.toThrow(
      /^WRONGTYPE Operation against a key holding the wrong kind of value, command was: \["hget"/,
    );
    await expect(rest.redis.lpush(key, "x")).rejects.toThrow(/WRONGTYPE/);
  });

  it("wrong type returns status 400", async () => {
    const key = `${rest.prefix}wrong-type-raw`;
    await rest.redis.set(key, "text");
    const response = await call("/", { method: "POST", body: JSON.stringify(["HGET", key, "field"]) });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error: "WRONGTYPE Operation against a key holding the wrong kind of value",
    });
  });

  it("bad token is rejected", async () => {
    const client = new Redis({
      url: rest.bridge.url,
      token: "wrong-token",
      retry: false,
      enableTelemetry: false,
    });
    await expect(client.get(`${rest.prefix}any`)).rejects.toThrow(/^Unauthorized/);

    const raw = await fetch(`${rest.bridge.url}/get/${rest.prefix}any`, {
      headers: { authorization: "Bearer wrong-token" },
    });
    expect(raw.status).toBe(401);
    expect(await raw.json()).toEqual({ error: "Unauthorized" });
  });

  it("missing token is rejected", async () => {
    const raw = await fetch(`${rest.bridge.url}/`, { method: "POST", body: JSON.stringify(["PING"]) });
    expect(raw.status).toBe(401);
    expect(await raw.json()).toEqual({ error: "Unauthorized" });
  });

  it("unknown command returns redis error", async () => {
    const response = await call("/", { method: "POST", body: JSON.stringify(["NOSUCHCOMMAND", "x"]) });
    expect(response.status).toBe(400);
    expect((response.body as { error: string }).error).toMatch(/^ERR unknown command 'NOSUCHCOMMAND'/);
  });

  it("blocking command is rejected", async () => {
    const key = `${rest.prefix}queue`;
    const response = await call("/", { method: "POST", body: JSON.stringify(["BLPOP", key, "0"]) });
    expect(response.status).toBe(400);
    expect((response.body as { error: string }).error).toMatch(/^ERR BLPOP is not supported/);

    const xread = await call("/", {
      method: "POST",
      body: JSON.stringify(["XREAD", "BLOCK", "0", "STREAMS", key, "$"]),
    });
    expect(xread.status).toBe(400);
    expect((xread.body as { error: string }).error).toMatch(/^ERR XREAD is not supported/);
  });

  it("subscribe is rejected", async () => {
    const response = await call(`/subscribe/${rest.prefix}channel`, {
      headers: { accept: "text/event-stream" },
    });
    expect(response.status).toBe(400);
    expect((response.body as { error: string }).error).toMatch(/^ERR SUBSCRIBE is not supported/);
  });

  it("rejected command in pipeline", async () => {
    const response = await call("/pipeline", {
      method: "POST",
      body: JSON.stringify([["PING"], ["SELECT", "1"], ["ECHO", "after"]]),
    });
    expect(response.status).toBe(200);
    const entries = response.body as { result?: unknown; error?: string }[];
    expect(entries[0]).toEqual({ result: "PONG" });
    expect(entries[1]?.error).toMatch(/^ERR SELECT is not supported/);
    expect(entries[2]).toEqual({ result: "after" });
  });

  it("invalid body returns 400", async () => {
    const notJson = await call("/", { method: "POST", body: "SET a b" });
    expect(notJson.status).toBe(400);
    expect((notJson.body as { error: string }).error).toMatch(
      /^ERR failed to parse the request body as JSON/,
    );

    const empty = await call("/", { method: "POST", body: "[]" });
    expect(empty.status).toBe(400);
    expect((empty.body as { error: string }).error).toMatch(/^ERR invalid command body/);

    const objectArgument = await call("/", { method: "POST", body: JSON.stringify(["SET", "k", { a: 1 }]) });
    expect(objectArgument.status).toBe(400);
    expect((objectArgument.body as { error: string }).error).toMatch(/^ERR invalid command body at 2/);

    const flatPipeline = await call("/pipeline", { method: "POST", body: JSON.stringify(["PING"]) });
    expect(flatPipeline.status).toBe(400);
    expect((flatPipeline.body as { error: string }).error).toMatch(/^ERR invalid command body at 0/);
  });
});

describe("redis rest bridge wire format", () => {
  it("base64 encodes results recursively", async () => {
    const key = `${rest.prefix}encoded-hash`;
    await rest.redis.hset(key, { field: "välue" });
    const response = await call("/", {
      method: "POST",
      headers: { "upstash-encoding": "base64" },
      body: JSON.stringify(["HGETALL", key]),
    });
    expect(response.body).toEqual({
      result: [Buffer.from("field").toString("base64"), Buffer.from("välue").toString("base64")],
    });

    // OK is sent as is, every other string reply (PONG here) is encoded.
    const ok = await call("/", {
      method: "POST",
      headers: { "upstash-encoding": "base64" },
      body: JSON.stringify(["SET", `${rest.prefix}encoded-ok`, "x"]),
    });
    expect(ok.body).toEqual({ result: "OK" });
    const pong = await call("/", {
      method: "POST",
      headers: { "upstash-encoding": "base64" },
      body: JSON.stringify(["PING"]),
    });
    expect(pong.body).toEqual({ result: Buffer.from("PONG").toString("base64") });
  });

  it("plain encoding returns text", async () => {
    const key = `${rest.prefix}plain`;
    const set = await call("/", { method: "POST", body: JSON.stringify(["SET", key, "plain ✓"]) });
    expect(set.body).toEqual({ result: "OK" });
    const get = await call("/", { method: "POST", body: JSON.stringify(["GET", key]) });
    expect(get.body).toEqual({ result: "plain ✓" });
    const counter = await call("/", {
      method: "POST",
      body: JSON.stringify(["INCR", `${rest.prefix}plain-n`]),
    });
    expect(counter.body).toEqual({ result: 1 });
  });

  it("binary value survives round trip", async () => {
    const key = `${rest.prefix}binary`;
    const bytes = Buffer.from([0xff, 0x00, 0xfe, 0x80, 0x61, 0x0a]);
    // The path form appends the raw POST body as the last argument, the one way to send non-UTF-8 bytes.
    const set = await call(`/set/${encodeURIComponent(key)}`, { method: "POST", body: bytes });
    expect(set.body).toEqual({ result: "OK" });

    const get = await call("/", {
      method: "POST",
      headers: { "upstash-encoding": "base64" },
      body: JSON.stringify(["GET", key]),
    });
    expect(get.body).toEqual({ result: bytes.toString("base64") });
    expect(await rest.redis.strlen(key)).toBe(bytes.length);
  });

  it("path form runs commands", async () => {
    const key = `${rest.prefix}path form/ünï`;
    const encodedKey = encodeURIComponent(key);

    expect((await call(`/set/${encodedKey}/hello%20world/EX/100`)).body).toEqual({ result: "OK" });
    expect((await call(`/get/${encodedKey}`)).body).toEqual({ result: "hello world" });
    expect(await rest.redis.get(key)).toBe("hello world");
    const ttl = (await call(`/ttl/${encodedKey}`)).body as { result: number };
    expect(ttl.result).toBeGreaterThan(0);

    const posted = await call(`/set/${encodedKey}?EX=50&NX`, { method: "POST", body: "ignored" });
    expect(posted.body).toEqual({ result: null });
    const replaced = await call(`/set/${encodedKey}?EX=50`, { method: "POST", body: '{"json":true}' });
    expect(replaced.body).toEqual({ result: "OK" });
    expect(await rest.redis.get(key)).toEqual({ json: true });
  });

  it("path form accepts query token", async () => {
    const key = `${rest.prefix}query-token`;
    const response = await fetch(`${rest.bridge.url}/set/${key}/v?_token=${rest.bridge.token}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ result: "OK" });
    expect(await rest.redis.get(key)).toBe("v");
  });

  it("empty path is rejected", async () => {
    const response = await call("/");
    expect(response.status).toBe(400);
    expect((response.body as { error: string }).error).toMatch(/^ERR missing command/);
  });

  it("pipeline endpoint requires post", async () => {
    const response = await call("/pipeline");
    expect(response.status).toBe(405);
  });

  it("sync token header is accepted", async () => {
    const key = `${rest.prefix}sync-token`;
    const response = await call("/", {
      method: "POST",
      headers: { "upstash-sync-token": "any-previous-token" },
      body: JSON.stringify(["SET", key, "v"]),
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ result: "OK" });
  });
});
