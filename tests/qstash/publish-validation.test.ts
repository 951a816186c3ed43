import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestQStash, type TestQStash } from "../helpers/qstash.js";

let qstash: TestQStash;

beforeAll(async () => {
  qstash = await startTestQStash({}, "qstash-validation");
});

afterAll(async () => {
  await qstash?.cleanup();
});

async function publish(path: string, headers: Record<string, string>): Promise<Response> {
  return await fetch(`${qstash.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${qstash.token}`, ...headers },
    body: "x",
  });
}

/** Counts every key under the server's prefix, so a rejected request can be shown to store nothing. */
async function countKeys(): Promise<number> {
  let count = 0;
  let cursor = "0";
  do {
    const [next, keys] = await qstash.redis.scan(cursor, "MATCH", `${qstash.keyPrefix}*`, "COUNT", 500);
    cursor = next;
    count += keys.length;
  } while (cursor !== "0");
  return count;
}

describe("publish validation", () => {
  it("rejects Not-Before beyond maximum delay", async () => {
    const keysBefore = await countKeys();
    const response = await publish("/v2/publish/http://127.0.0.1:9/hook", {
      "Upstash-Not-Before": "99999999999999",
    });
    expect(response.status).toBe(412);
    const body = (await response.json()) as { error?: string };
    expect(body.error).toContain("Upstash-Not-Before");
    expect(await countKeys()).toBe(keysBefore);
  });

  it("accepts Not-Before within maximum delay", async () => {
    const inOneHour = Math.floor(Date.now() / 1000) + 3600;
    const response = await publish("/v2/publish/http://127.0.0.1:9/hook", {
      "Upstash-Not-Before": String(inOneHour),
    });
    expect(response.status).toBe(200);
    const { messageId } = (await response.json()) as { messageId: string };
    expect(await qstash.redis.zscore(`${qstash.keyPrefix}due`, messageId)).toBe(String(inOneHour * 1000));
  });

  it("rejects unknown Upstash-Method", async () => {
    const keysBefore = await countKeys();
    for (const path of [
      "/v2/publish/http://127.0.0.1:9/hook",
      "/v2/enqueue/checks/http://127.0.0.1:9/hook",
    ]) {
      const response = await publish(path, { "Upstash-Method": "FOO" });
      expect(response.status, path).toBe(400);
      const body = (await response.json()) as { error?: string };
      expect(body.error, path).toContain("Upstash-Method");
    }
    expect(await countKeys()).toBe(keysBefore);
  });

  it("rejects non-http destination URL", async () => {
    const keysBefore = await countKeys();
    for (const path of ["/v2/publish/ftp://127.0.0.1/file", "/v2/enqueue/checks/ftp://127.0.0.1/file"]) {
      const response = await publish(path, {});
      expect(response.status, path).toBe(400);
      const body = (await response.json()) as { error?: string };
      expect(body.error, path).toContain("ftp://127.0.0.1/file");
    }
    expect(await countKeys()).toBe(keysBefore);
  });
});

describe("server start", () => {
  let blocker: Server;
  let busyPort = 0;

  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", () => resolve()));
    const address = blocker.address();
    if (address === null || typeof address === "string") throw new Error("blocker has no TCP port");
    busyPort = address.port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  });

  it("busy port fails with clear error", async () => {
    await expect(startTestQStash({ port: busyPort }, "qstash-validation")).rejects.toThrow(
      `Failed to listen on 127.0.0.1:${busyPort}`,
    );
  });
});
