import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { Client } from "@upstash/qstash";
import { Redis } from "ioredis";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { DEV_CREDENTIALS } from "../../local/qstash/index.js";
import { type HttpTarget, startHttpTarget } from "../helpers/http-target.js";
import {
  deleteKeysWithPrefix,
  startTestQStash,
  TEST_REDIS_URL,
  type TestQStash,
  uniqueKeyPrefix,
} from "../helpers/qstash.js";
import { waitFor } from "../helpers/wait-for.js";

const REPOSITORY_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const LEASE_MS = 1_000;

const redis = new Redis(TEST_REDIS_URL);
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await redis.quit();
});

/** A target whose first request never gets a response, and whose later requests get 200. */
async function startHangingTarget(): Promise<HttpTarget> {
  let releaseFirst: () => void = () => {};
  const firstHeld = new Promise<void>((resolve) => {
    releaseFirst = resolve;
  });
  const target = await startHttpTarget(async (_request, index) => {
    if (index === 0) await firstHeld;
    return new Response("ok");
  });
  cleanups.push(async () => {
    releaseFirst();
    await target.close();
  });
  return target;
}

/** Starts the QStash CLI in a child process, so the test can SIGKILL it like a crash. */
async function startQStashProcess(keyPrefix: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "local/qstash/cli.ts",
      "--port",
      "0",
      "--redis-url",
      TEST_REDIS_URL,
      "--key-prefix",
      keyPrefix,
      "--lease-ms",
      String(LEASE_MS),
      "--log-level",
      "error",
    ],
    { cwd: REPOSITORY_ROOT, stdio: ["ignore", "pipe", "inherit"] },
  );
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await once(child, "exit");
    }
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  const url = await waitFor(() => /^QSTASH_URL=(\S+)$/m.exec(output)?.[1], {
    description: "the QStash child process to print its URL",
  });
  return { url, child };
}

describe("lease renewal", () => {
  it("crashed server's message is redelivered", async () => {
    const keyPrefix = uniqueKeyPrefix("qstash-lease");
    cleanups.push(async () => {
      await deleteKeysWithPrefix(redis, keyPrefix);
    });
    const target = await startHangingTarget();
    const crashing = await startQStashProcess(keyPrefix);

    const client = new Client({ baseUrl: crashing.url, token: DEV_CREDENTIALS.token });
    const { messageId } = await client.publish({ url: `${target.url}/slow`, body: "x", retries: 0 });
    await target.waitForRequests(1);

    // The request is still open, yet the lease stays short because the heartbeat renews it.
    const leaseTtl = await redis.pttl(`${keyPrefix}lease:${messageId}`);
    expect(leaseTtl).toBeGreaterThan(0);
    expect(leaseTtl).toBeLessThanOrEqual(LEASE_MS);

    crashing.child.kill("SIGKILL");
    await once(crashing.child, "exit");

    const second = await startTestQStash({ keyPrefix, leaseMs: LEASE_MS });
    cleanups.push(() => second.close());
    const requests = await target.waitForRequests(2);
    expect(requests[1]?.headers.get("upstash-message-id")).toBe(messageId);
    await waitFor(async () => (await redis.zcard(`${keyPrefix}due`)) === 0, {
      description: "the redelivered message to finish",
    });
    expect(await redis.zcard(`${keyPrefix}dlq`)).toBe(0);
  });

  it("gate slot outlives lease while delivering", async () => {
    let releaseFirst: () => void = () => {};
    const firstHeld = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    const target = await startHttpTarget(async (_request, index) => {
      if (index === 0) await firstHeld;
      return new Response("ok");
    });
    cleanups.push(async () => {
      releaseFirst();
      await target.close();
    });
    const qstash: TestQStash = await startTestQStash({ leaseMs: 300 }, "qstash-lease");
    cleanups.push(() => qstash.cleanup());
    const client = new Client({ baseUrl: qstash.url, token: qstash.token });
    const flowControl = { key: "one-at-a-time", parallelism: 1 };

    await client.publish({ url: `${target.url}/first`, body: "1", retries: 0, flowControl });
    await target.waitForRequests(1);
    await client.publish({ url: `${target.url}/second`, body: "2", retries: 0, flowControl });

    // Several leases pass while the first delivery is open; its renewed slot keeps the second out.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(target.requests.map((request) => request.path)).toEqual(["/first"]);

    releaseFirst();
    const requests = await target.waitForRequests(2);
    expect(requests.map((request) => request.path)).toEqual(["/first", "/second"]);
  });
});
