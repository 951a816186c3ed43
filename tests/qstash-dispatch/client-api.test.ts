/**
 * Queues, flow control, schedules and URL groups through the real local QStash server, driven by the
 * unmodified `@upstash/qstash` Client.
 */
import { Client, QstashError } from "@upstash/qstash";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDispatchFeatures } from "../../local/qstash/dispatch/index.js";
import { type HttpTarget, startHttpTarget } from "../helpers/http-target.js";
import { startTestQStash, type TestQStash } from "../helpers/qstash.js";
import { waitFor } from "../helpers/wait-for.js";

let qstash: TestQStash;
let target: HttpTarget;
let client: Client;

beforeAll(async () => {
  qstash = await startTestQStash(
    { dispatch: (context) => createDispatchFeatures(context) },
    "qstash-dispatch-api",
  );
  target = await startHttpTarget();
  client = new Client({ baseUrl: qstash.url, token: qstash.token });
});

afterAll(async () => {
  await qstash?.cleanup();
  await target?.close();
});

/** Runs `call` and returns the QstashError it throws. */
async function rejection(call: () => Promise<unknown>): Promise<QstashError> {
  try {
    await call();
  } catch (error) {
    if (error instanceof QstashError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

async function requestsTo(path: string, count: number) {
  return await waitFor(
    () => {
      const matching = target.requests.filter((request) => request.path === path);
      return matching.length >= count && matching;
    },
    { description: `${count} requests to ${path}` },
  );
}

describe("queues through the client", () => {
  it("queue upsert, get, list, delete", async () => {
    const queue = client.queue({ queueName: "api-queue" });
    await queue.upsert({ parallelism: 3 });

    const details = await queue.get();
    expect(details.name).toBe("api-queue");
    expect(details.parallelism).toBe(3);
    expect(details.paused).toBe(false);
    expect(details.lag).toBe(0);
    expect(details.createdAt).toBeGreaterThan(0);

    expect((await client.queue().list()).map((q) => q.name)).toContain("api-queue");
    await queue.delete();
    expect((await client.queue().list()).map((q) => q.name)).not.toContain("api-queue");
    expect((await rejection(() => queue.get())).status).toBe(404);
  });

  it("queue pause and resume", async () => {
    const queue = client.queue({ queueName: "pause-queue" });
    await queue.upsert({ parallelism: 1 });
    await queue.pause();
    expect((await queue.get()).paused).toBe(true);
    await queue.resume();
    expect((await queue.get()).paused).toBe(false);
    await queue.upsert({ paused: true });
    expect((await queue.get()).paused).toBe(true);
  });

  it("enqueue delivers in order", async () => {
    const queue = client.queue({ queueName: "ordered" });
    const ids: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      const { messageId } = await queue.enqueueJSON({
        url: `${target.url}/ordered?i=${index}`,
        body: { index },
      });
      ids.push(messageId);
    }
    const delivered = await requestsTo("/ordered", 5);
    expect(delivered.map((request) => request.headers.get("upstash-message-id"))).toEqual(ids);
    expect(delivered.map((request) => new URL(request.url).searchParams.get("i"))).toEqual([
      "0",
      "1",
      "2",
      "3",
      "4",
    ]);

    const details = await queue.get();
    expect(details.parallelism).toBe(1);
  });

  it("paused queue holds messages", async () => {
    const queue = client.queue({ queueName: "held" });
    await queue.upsert({ parallelism: 1, paused: true });
    await queue.enqueue({ url: `${target.url}/held`, body: "wait" });
    await waitFor(async () => (await queue.get()).lag === 1, { description: "lag of 1" });
    expect(target.requests.filter((request) => request.path === "/held")).toHaveLength(0);

    await queue.resume();
    const [delivered] = await requestsTo("/held", 1);
    expect(delivered?.body).toBe("wait");
  });

  it("enqueue with bad queue name fails", async () => {
    const error = await rejection(() =>
      client.queue({ queueName: "bad name" }).enqueue({ url: target.url, body: "x" }),
    );
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/invalid queue name/);
  });
});

describe("flow control through the client", () => {
  it("flow-control info after publish", async () => {
    await client.publish({
      url: `${target.url}/fc-info`,
      body: "hello",
      flowControl: { key: "fc-info", parallelism: 5, rate: 10, period: "1m" },
    });
    const info = await client.flowControl.get("fc-info");
    expect(info.flowControlKey).toBe("fc-info");
    expect(info.parallelismMax).toBe(5);
    expect(info.rateMax).toBe(10);
    expect(info.ratePeriod).toBe(60);
    expect(typeof info.waitListSize).toBe("number");
    expect(typeof info.parallelismCount).toBe("number");
    await requestsTo("/fc-info", 1);
  });

  it("flow-control pause, pin, unpin, reset", async () => {
    await client.publish({
      url: `${target.url}/fc-admin`,
      body: "hello",
      flowControl: { key: "fc-admin", parallelism: 5, rate: 10, period: "1m" },
    });

    await client.flowControl.pause("fc-admin");
    expect((await client.flowControl.get("fc-admin")).isPaused).toBe(true);
    await client.flowControl.resume("fc-admin");
    expect((await client.flowControl.get("fc-admin")).isPaused).toBe(false);

    await client.flowControl.pin("fc-admin", { parallelism: 3, rate: 20, period: 120 });
    const pinned = await client.flowControl.get("fc-admin");
    expect(pinned.isPinnedParallelism).toBe(true);
    expect(pinned.isPinnedRate).toBe(true);
    expect(pinned.parallelismMax).toBe(3);
    expect(pinned.rateMax).toBe(20);
    expect(pinned.ratePeriod).toBe(120);

    await client.flowControl.unpin("fc-admin", { parallelism: true });
    const partial = await client.flowControl.get("fc-admin");
    expect(partial.isPinnedParallelism).toBe(false);
    expect(partial.isPinnedRate).toBe(true);

    await client.flowControl.resetRate("fc-admin");
    expect((await client.flowControl.get("fc-admin")).rateCount).toBe(0);

    const listResponse = await fetch(`${qstash.url}/v2/flowControl`, {
      headers: { authorization: `Bearer ${qstash.token}` },
    });
    const listed = (await listResponse.json()) as { flowControlKey: string }[];
    expect(listed.map((info) => info.flowControlKey)).toContain("fc-admin");
  });

  it("unknown flow-control key is 404", async () => {
    expect((await rejection(() => client.flowControl.get("never-used"))).status).toBe(404);
  });

  it("global parallelism is reported", async () => {
    const info = await client.flowControl.getGlobalParallelism();
    expect(info.parallelismMax).toBe(0);
    expect(info.parallelismCount).toBeGreaterThanOrEqual(0);
  });
});

describe("schedules through the client", () => {
  it("schedule create, get, list, delete", async () => {
    const { scheduleId } = await client.schedules.create({
      destination: `${target.url}/scheduled`,
      body: JSON.stringify({ hello: "world" }),
      headers: { "test-header": "test-value" },
      method: "PUT",
      callback: "https://example.com/callback",
      failureCallback: "https://example.com/failure",
      delay: 10,
      retries: 5,
      queueName: "schedule-queue",
      cron: "*/10 * * * * ",
      label: "nightly",
    });
    expect(scheduleId).toMatch(/^scd_/);

    const schedule = await client.schedules.get(scheduleId);
    expect(schedule).toMatchObject({
      scheduleId,
      cron: "*/10 * * * *",
      destination: `${target.url}/scheduled`,
      method: "PUT",
      header: { "Content-Type": ["application/json"], "Test-Header": ["test-value"] },
      body: '{"hello":"world"}',
      retries: 5,
      delay: 10,
      callback: "https://example.com/callback",
      failureCallback: "https://example.com/failure",
      queueName: "schedule-queue",
      isPaused: false,
      labels: ["nightly"],
    });
    expect(schedule.nextScheduleTime).toBeGreaterThan(Date.now() - 1_000);

    expect((await client.schedules.list()).map((s) => s.scheduleId)).toContain(scheduleId);
    await client.schedules.delete(scheduleId);
    expect((await rejection(() => client.schedules.get(scheduleId))).status).toBe(404);
  });

  it("schedule pause and resume", async () => {
    const { scheduleId } = await client.schedules.create({ destination: target.url, cron: "1 1 1 1 1" });
    await client.schedules.pause({ schedule: scheduleId });
    expect((await client.schedules.get(scheduleId)).isPaused).toBe(true);
    await client.schedules.resume({ schedule: scheduleId });
    expect((await client.schedules.get(scheduleId)).isPaused).toBe(false);
  });

  it("schedule id upserts", async () => {
    await client.schedules.create({
      scheduleId: "fixed-id",
      destination: "https://initial.example.com",
      cron: "*/5 * * * *",
      body: "payload",
    });
    await client.schedules.create({
      scheduleId: "fixed-id",
      destination: "https://updated.example.com",
      cron: "0 * * * *",
    });
    const matching = (await client.schedules.list()).filter((s) => s.scheduleId === "fixed-id");
    expect(matching).toHaveLength(1);
    expect(matching[0]?.destination).toBe("https://updated.example.com");
    expect(matching[0]?.cron).toBe("0 * * * *");
    expect(matching[0]?.body).toBeUndefined();
  });

  it("schedule with CRON_TZ is stored", async () => {
    const cron = "CRON_TZ=America/New_York 0 9 * * *";
    const { scheduleId } = await client.schedules.create({ destination: target.url, cron });
    const schedule = await client.schedules.get(scheduleId);
    expect(schedule.cron).toBe(cron);
    expect(new Date(schedule.nextScheduleTime ?? 0).getUTCHours() % 24).toBeOneOf([13, 14]);
  });

  it("bad cron is rejected", async () => {
    const before = (await client.schedules.list()).length;
    const error = await rejection(() =>
      client.schedules.create({ destination: target.url, cron: "99 * * * *" }),
    );
    expect(error.status).toBe(400);
    expect(JSON.parse(error.message)).toEqual({
      error: expect.stringMatching(/invalid cron "99 \* \* \* \*"/),
    });
    expect(await client.schedules.list()).toHaveLength(before);
  });
});

describe("URL groups through the client", () => {
  it("URL group endpoints lifecycle", async () => {
    await client.urlGroups.addEndpoints({
      name: "group-a",
      endpoints: [{ name: "first", url: `${target.url}/a1` }, { url: `${target.url}/a2` }],
    });
    let group = await client.urlGroups.get("group-a");
    expect(group.name).toBe("group-a");
    expect(group.endpoints).toEqual([
      { name: "first", url: `${target.url}/a1` },
      { url: `${target.url}/a2` },
    ]);
    expect((await client.urlGroups.list()).map((g) => g.name)).toContain("group-a");

    await client.urlGroups.removeEndpoints({ name: "group-a", endpoints: [{ name: "first" }] });
    group = await client.urlGroups.get("group-a");
    expect(group.endpoints).toEqual([{ url: `${target.url}/a2` }]);

    await client.urlGroups.delete("group-a");
    expect((await rejection(() => client.urlGroups.get("group-a"))).status).toBe(404);
  });

  it("publish fans out to group", async () => {
    await client.urlGroups.addEndpoints({
      name: "fanout",
      endpoints: [{ url: `${target.url}/fan-1` }, { url: `${target.url}/fan-2` }],
    });
    const results = await client.publish({ urlGroup: "fanout", body: "to all" });
    expect(results).toHaveLength(2);
    const [one] = await requestsTo("/fan-1", 1);
    const [two] = await requestsTo("/fan-2", 1);
    expect(one?.body).toBe("to all");
    expect(two?.body).toBe("to all");
  });

  it("enqueue fans out to group", async () => {
    await client.urlGroups.addEndpoints({
      name: "queued-fanout",
      endpoints: [{ url: `${target.url}/qfan` }],
    });
    const results = await client
      .queue({ queueName: "fanout-queue" })
      .enqueue({ urlGroup: "queued-fanout", body: "q" });
    expect(results).toEqual([expect.objectContaining({ url: `${target.url}/qfan` })]);
    await requestsTo("/qfan", 1);
  });

  it("bad endpoint URL is rejected", async () => {
    const error = await rejection(() =>
      client.urlGroups.addEndpoints({ name: "broken", endpoints: [{ url: "not a url" }] }),
    );
    expect(error.status).toBe(400);
    expect((await rejection(() => client.urlGroups.get("broken"))).status).toBe(404);
  });
});
