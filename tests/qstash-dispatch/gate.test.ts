import { Hono } from "hono";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AcceptPublish, DispatchFeatures, GateSubject } from "../../local/qstash/contracts.js";
import { createDispatchFeatures } from "../../local/qstash/dispatch/index.js";
import { createTestContexts, type TestContexts } from "./dispatch-context.js";

const LEASE_MS = 60_000;

const rejectPublish: AcceptPublish = async () => {
  throw new Error("this test publishes nothing");
};

let setup: TestContexts;
/** Two feature instances on one prefix with separate connections: two server processes. */
let servers: DispatchFeatures[];
let app: Hono;

beforeEach(() => {
  setup = createTestContexts("qstash-dispatch-gate", 2);
  servers = setup.contexts.map((context) => createDispatchFeatures(context));
  app = new Hono();
  const [first] = servers;
  first?.registerRoutes(app, { context: setup.contexts[0]!, acceptPublish: rejectPublish });
});

afterEach(async () => {
  await setup.cleanup();
});

function server(index: number): DispatchFeatures {
  const features = servers[index % servers.length];
  if (features === undefined) throw new Error(`no server ${index}`);
  return features;
}

async function acceptAll(subjects: GateSubject[]): Promise<void> {
  for (const [index, subject] of subjects.entries()) await server(index).onMessageAccepted(subject);
}

async function granted(index: number, subject: GateSubject, leaseMs = LEASE_MS): Promise<boolean> {
  return (await server(index).gate.acquire(subject, leaseMs)).granted;
}

async function api(method: string, path: string, body?: unknown): Promise<Response> {
  return await app.request(path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe("dispatch gate", () => {
  it("queue parallelism holds across servers", async () => {
    expect((await api("POST", "/v2/queues", { queueName: "jobs", parallelism: 2 })).status).toBe(200);
    const subjects = ["m1", "m2", "m3", "m4", "m5"].map((messageId) => ({ messageId, queueName: "jobs" }));
    await acceptAll(subjects);

    const decisions = [];
    for (const [index, subject] of subjects.entries()) decisions.push(await granted(index, subject));
    expect(decisions).toEqual([true, true, false, false, false]);

    await server(1).gate.release(subjects[0]!);
    expect(await granted(0, subjects[2]!)).toBe(true);
    expect(await granted(1, subjects[3]!)).toBe(false);

    const queue = (await (await api("GET", "/v2/queues/jobs")).json()) as Record<string, unknown>;
    expect(queue["parallelism"]).toBe(2);
    expect(queue["lag"]).toBe(3);
  });

  it("queue keeps FIFO order", async () => {
    const subjects = ["first", "second", "third"].map((messageId) => ({ messageId, queueName: "fifo" }));
    await acceptAll(subjects);
    const [first, second, third] = subjects as [GateSubject, GateSubject, GateSubject];

    expect(await granted(0, first)).toBe(true);
    expect(await granted(1, third)).toBe(false);
    expect(await granted(0, second)).toBe(false);

    await server(0).gate.release(first);
    await server(0).onMessageFinished(first, "delivered");
    setup.clock.advance(250);
    expect(await granted(1, third)).toBe(false);
    expect(await granted(0, second)).toBe(true);
  });

  it("expired lease frees its slot", async () => {
    const subjects = ["held", "next"].map((messageId) => ({ messageId, queueName: "leases" }));
    await acceptAll(subjects);
    const [held, next] = subjects as [GateSubject, GateSubject];

    expect(await granted(0, held, 1_000)).toBe(true);
    expect(await granted(1, next)).toBe(false);

    setup.clock.advance(1_000);
    expect(await granted(1, next)).toBe(true);
  });

  it("repeated acquire renews lease", async () => {
    const subjects = ["held", "next"].map((messageId) => ({ messageId, queueName: "renew" }));
    await acceptAll(subjects);
    const [held, next] = subjects as [GateSubject, GateSubject];

    expect(await granted(0, held, 1_000)).toBe(true);
    setup.clock.advance(900);
    expect(await granted(1, held, 1_000)).toBe(true);
    setup.clock.advance(900);
    expect(await granted(1, next)).toBe(false);
  });

  it("rate limit denies until next window", async () => {
    const flowControl = { key: "rated", rate: 2, periodSeconds: 10 };
    const subjects = ["r1", "r2", "r3"].map((messageId) => ({ messageId, flowControl }));
    await acceptAll(subjects);
    const start = setup.clock.now();

    expect(await granted(0, subjects[0]!)).toBe(true);
    expect(await granted(1, subjects[1]!)).toBe(true);
    const denied = await server(0).gate.acquire(subjects[2]!, LEASE_MS);
    expect(denied).toEqual({ granted: false, retryAt: start + 10_000 });

    setup.clock.set(start + 9_999);
    expect(await granted(0, subjects[2]!)).toBe(false);
    setup.clock.set(start + 10_000);
    expect(await granted(1, subjects[2]!)).toBe(true);

    const info = (await (await api("GET", "/v2/flowControl/rated")).json()) as Record<string, unknown>;
    expect(info["rateMax"]).toBe(2);
    expect(info["rateCount"]).toBe(1);
    expect(info["ratePeriod"]).toBe(10);
    expect(info["ratePeriodStart"]).toBe(Math.floor((start + 10_000) / 1000));
  });

  it("flow-control parallelism holds across servers", async () => {
    const flowControl = { key: "parallel", parallelism: 1, periodSeconds: 1 };
    const subjects = ["p1", "p2"].map((messageId) => ({ messageId, flowControl }));
    await acceptAll(subjects);

    expect(await granted(0, subjects[0]!)).toBe(true);
    expect(await granted(1, subjects[1]!)).toBe(false);

    const info = (await (await api("GET", "/v2/flowControl/parallel")).json()) as Record<string, unknown>;
    expect(info["parallelismMax"]).toBe(1);
    expect(info["parallelismCount"]).toBe(1);
    expect(info["waitListSize"]).toBe(1);
  });

  it("paused key denies until resumed", async () => {
    const flowControl = { key: "pausable", parallelism: 5, periodSeconds: 1 };
    const subject = { messageId: "paused-message", flowControl };
    await acceptAll([subject]);

    expect((await api("POST", "/v2/flowControl/pausable/pause")).status).toBe(200);
    expect(await granted(0, subject)).toBe(false);
    expect((await api("POST", "/v2/flowControl/pausable/resume")).status).toBe(200);
    expect(await granted(1, subject)).toBe(true);
  });

  it("paused queue denies until resumed", async () => {
    const subject = { messageId: "queued", queueName: "pausable-queue" };
    await acceptAll([subject]);

    expect((await api("POST", "/v2/queues/pausable-queue/pause")).status).toBe(200);
    expect(await granted(0, subject)).toBe(false);
    expect((await api("POST", "/v2/queues/pausable-queue/resume")).status).toBe(200);
    expect(await granted(1, subject)).toBe(true);
  });

  it("pinned parallelism ignores message settings", async () => {
    const flowControl = { key: "pinned", parallelism: 5, periodSeconds: 1 };
    await acceptAll([{ messageId: "before-pin", flowControl }]);
    expect((await api("POST", "/v2/flowControl/pinned/pin?parallelism=1")).status).toBe(200);

    const subjects = ["a", "b"].map((messageId) => ({ messageId, flowControl }));
    await acceptAll(subjects);
    expect(await granted(0, subjects[0]!)).toBe(true);
    expect(await granted(1, subjects[1]!)).toBe(false);

    let info = (await (await api("GET", "/v2/flowControl/pinned")).json()) as Record<string, unknown>;
    expect(info["parallelismMax"]).toBe(1);
    expect(info["isPinnedParallelism"]).toBe(true);
    expect(info["isPinnedRate"]).toBe(false);

    expect((await api("POST", "/v2/flowControl/pinned/unpin?parallelism=true")).status).toBe(200);
    await acceptAll([{ messageId: "after-unpin", flowControl }]);
    info = (await (await api("GET", "/v2/flowControl/pinned")).json()) as Record<string, unknown>;
    expect(info["parallelismMax"]).toBe(5);
    expect(info["isPinnedParallelism"]).toBe(false);
  });

  it("reset rate starts a new window", async () => {
    const flowControl = { key: "reset", rate: 1, periodSeconds: 60 };
    const subjects = ["x", "y"].map((messageId) => ({ messageId, flowControl }));
    await acceptAll(subjects);

    expect(await granted(0, subjects[0]!)).toBe(true);
    expect(await granted(1, subjects[1]!)).toBe(false);
    expect((await api("POST", "/v2/flowControl/reset/resetRate")).status).toBe(200);
    expect(await granted(1, subjects[1]!)).toBe(true);
  });

  it("unknown key returns 404", async () => {
    const response = await api("GET", "/v2/flowControl/missing");
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: "flow control key missing not found" });
    expect((await api("POST", "/v2/flowControl/missing/resume")).status).toBe(404);
  });

  it("global parallelism counts leases", async () => {
    await granted(0, { messageId: "plain-1" });
    await granted(1, { messageId: "plain-2" });
    const info = (await (await api("GET", "/v2/globalParallelism")).json()) as Record<string, unknown>;
    expect(info).toEqual({ parallelismMax: 0, parallelismCount: 2 });
  });
});
