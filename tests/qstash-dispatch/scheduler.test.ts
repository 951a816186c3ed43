import { Hono } from "hono";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AcceptPublish, PublishExtras } from "../../local/qstash/contracts.js";
import {
  createDispatchFeatures,
  createScheduler,
  createScheduleStore,
  type Scheduler,
} from "../../local/qstash/dispatch/index.js";
import { createTestContexts, type TestContexts } from "./dispatch-context.js";

interface RecordedPublish {
  destination: string;
  headers: Headers;
  body: string;
  extras: PublishExtras | undefined;
}

let setup: TestContexts;
let app: Hono;
let published: RecordedPublish[];
let schedulers: Scheduler[];

// Records what a fire hands to the publish path; the real publish path is covered end to end.
const recordPublish: AcceptPublish = async (destination, headers, body, extras) => {
  published.push({ destination, headers, body: Buffer.from(body).toString("utf8"), extras });
  return { messageId: `msg_${published.length}` };
};

beforeEach(() => {
  setup = createTestContexts("qstash-dispatch-scheduler", 2);
  published = [];
  const features = createDispatchFeatures(setup.contexts[0]!);
  app = new Hono();
  features.registerRoutes(app, { context: setup.contexts[0]!, acceptPublish: recordPublish });
  schedulers = setup.contexts.map((context) =>
    createScheduler({
      context,
      store: createScheduleStore(context),
      acceptPublish: recordPublish,
      resolveUrlGroup: features.resolveUrlGroup,
    }),
  );
});

afterEach(async () => {
  await setup.cleanup();
});

async function createSchedule(
  destination: string,
  headers: Record<string, string>,
  body = "",
): Promise<string> {
  const response = await app.request(`/v2/schedules/${destination}`, { method: "POST", headers, body });
  expect(response.status).toBe(200);
  const { scheduleId } = (await response.json()) as { scheduleId: string };
  return scheduleId;
}

async function getSchedule(scheduleId: string): Promise<Record<string, unknown>> {
  const response = await app.request(`/v2/schedules/${scheduleId}`);
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

async function fireEverywhere(): Promise<number[]> {
  return await Promise.all(schedulers.map((scheduler) => scheduler.fireDueSchedules()));
}

describe("schedule scheduler", () => {
  it("two schedulers fire once", async () => {
    const scheduleId = await createSchedule(
      "https://example.com/hook?x=1",
      { "upstash-cron": "* * * * *", "content-type": "text/plain", "upstash-forward-trace": "t1" },
      "tick",
    );
    expect(await fireEverywhere()).toEqual([0, 0]);

    setup.clock.set(Date.UTC(2025, 0, 6, 8, 31, 0));
    const fired = await fireEverywhere();
    expect(fired[0]! + fired[1]!).toBe(1);
    expect(published).toHaveLength(1);
    expect(published[0]?.destination).toBe("https://example.com/hook?x=1");
    expect(published[0]?.body).toBe("tick");
    expect(published[0]?.headers.get("upstash-forward-trace")).toBe("t1");
    expect(published[0]?.headers.get("upstash-cron")).toBeNull();
    expect(published[0]?.extras).toEqual({ scheduleId, queueName: undefined });

    const schedule = await getSchedule(scheduleId);
    expect(schedule["lastScheduleTime"]).toBe(Date.UTC(2025, 0, 6, 8, 31, 0));
    expect(schedule["nextScheduleTime"]).toBe(Date.UTC(2025, 0, 6, 8, 32, 0));
    expect(schedule["lastScheduleStates"]).toEqual({ msg_1: "IN_PROGRESS" });
  });

  it("missed ticks fire once", async () => {
    const scheduleId = await createSchedule("https://example.com/hook", { "upstash-cron": "* * * * *" });

    setup.clock.set(Date.UTC(2025, 0, 6, 9, 0, 30));
    await fireEverywhere();
    await fireEverywhere();
    expect(published).toHaveLength(1);

    const schedule = await getSchedule(scheduleId);
    expect(schedule["nextScheduleTime"]).toBe(Date.UTC(2025, 0, 6, 9, 1, 0));
  });

  it("paused schedule does not fire", async () => {
    const scheduleId = await createSchedule("https://example.com/hook", { "upstash-cron": "* * * * *" });
    const pause = await app.request(`/v2/schedules/${scheduleId}/pause`, { method: "PATCH" });
    expect(pause.status).toBe(200);

    setup.clock.advance(5 * 60_000);
    await fireEverywhere();
    expect(published).toHaveLength(0);
    expect((await getSchedule(scheduleId))["isPaused"]).toBe(true);

    const resume = await app.request(`/v2/schedules/${scheduleId}/resume`, { method: "POST" });
    expect(resume.status).toBe(200);
    setup.clock.advance(60_000);
    await fireEverywhere();
    expect(published).toHaveLength(1);
  });

  it("finished message updates schedule state", async () => {
    const features = createDispatchFeatures(setup.contexts[1]!);
    const scheduleId = await createSchedule("https://example.com/hook", { "upstash-cron": "* * * * *" });
    setup.clock.advance(60_000);
    await fireEverywhere();

    await features.onMessageFinished({ messageId: "msg_1", scheduleId }, "delivered");
    expect((await getSchedule(scheduleId))["lastScheduleStates"]).toEqual({ msg_1: "SUCCESS" });
  });

  it("queue schedule publishes with queue", async () => {
    const scheduleId = await createSchedule("https://example.com/hook", {
      "upstash-cron": "* * * * *",
      "upstash-queue-name": "nightly",
    });
    setup.clock.advance(60_000);
    await fireEverywhere();
    expect(published[0]?.extras).toEqual({ scheduleId, queueName: "nightly" });
    expect(published[0]?.headers.get("upstash-queue-name")).toBeNull();
  });

  it("bad cron changes nothing", async () => {
    const response = await app.request("/v2/schedules/https://example.com/hook", {
      method: "POST",
      headers: { "upstash-cron": "*/5 * * *", "upstash-schedule-id": "kept-out" },
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string };
    expect(body.error).toMatch(/expected 5 fields/);

    expect((await app.request("/v2/schedules/kept-out")).status).toBe(404);
    expect(await (await app.request("/v2/schedules")).json()).toEqual([]);
  });
});
