/**
 * The sweep and digest schedules: syncing creates them once in the local QStash server and updates
 * them in place, so start-up can run it every time.
 */
import { Client as QStashClient } from "@upstash/qstash";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getRuntime } from "../../server/runtime.js";
import { DIGEST_SCHEDULE_ID, SWEEP_SCHEDULE_ID, syncSchedules } from "../../server/schedules.js";
import { startTestStack, type TestStack } from "../helpers/stack.js";

describe("schedule sync", () => {
  let stack: TestStack;
  let qstash: QStashClient;

  beforeAll(async () => {
    stack = await startTestStack("schedules", {}, { appEnv: { SWEEP_CRON: "*/10 * * * *" } });
    qstash = new QStashClient({ baseUrl: stack.appEnv.QSTASH_URL!, token: stack.appEnv.QSTASH_TOKEN! });
  });

  afterAll(async () => {
    await stack?.cleanup();
  });

  it("sync creates sweep and digest", async () => {
    const synced = await syncSchedules(getRuntime(stack.appEnv));
    const schedules = await qstash.schedules.list();
    expect(schedules.map((schedule) => schedule.scheduleId).sort()).toEqual(
      synced.map((schedule) => schedule.scheduleId).sort(),
    );
    expect(synced.map((schedule) => schedule.scheduleId)).toEqual(
      expect.arrayContaining([SWEEP_SCHEDULE_ID, DIGEST_SCHEDULE_ID]),
    );

    const sweep = await qstash.schedules.get(SWEEP_SCHEDULE_ID);
    expect(sweep.cron).toBe("*/10 * * * *");
    expect(sweep.destination).toBe(`${stack.appEnv.APP_BASE_URL}/workflows/sweep`);
    const digest = await qstash.schedules.get(DIGEST_SCHEDULE_ID);
    expect(digest.destination).toBe(`${stack.appEnv.APP_BASE_URL}/workflows/notify-subscribers`);
    expect(JSON.parse(digest.body ?? "{}")).toEqual({ mode: "digest", ignoreDigestHour: false });
  });

  it("second sync changes nothing", async () => {
    const before = await qstash.schedules.get(SWEEP_SCHEDULE_ID);
    const countBefore = (await qstash.schedules.list()).length;
    await syncSchedules(getRuntime(stack.appEnv));
    expect(await qstash.schedules.list()).toHaveLength(countBefore);
    const after = await qstash.schedules.get(SWEEP_SCHEDULE_ID);
    expect(after.cron).toBe(before.cron);
    expect(after.createdAt).toBe(before.createdAt);
  });

  it("admin endpoint syncs", async () => {
    const response = await fetch(`${stack.appEnv.APP_BASE_URL}/admin/schedules/sync`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.appEnv.ADMIN_TOKEN}` },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { schedules: { scheduleId: string }[] };
    expect(body.schedules.map((schedule) => schedule.scheduleId)).toEqual(
      expect.arrayContaining([SWEEP_SCHEDULE_ID, DIGEST_SCHEDULE_ID]),
    );
  });
});
