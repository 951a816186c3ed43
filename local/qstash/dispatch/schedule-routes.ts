/** Routes for schedules: `/v2/schedules*`. */

import { randomUUID } from "node:crypto";
import type { Hono } from "hono";
import { errorResponse, rawPathRemainder } from "./http.js";
import { parseScheduleRequest, SCHEDULE_ID_PATTERN } from "./schedule-definition.js";
import { type ScheduleStore, toScheduleResponse } from "./schedule-store.js";

const CREATE_PREFIX = "/v2/schedules/";

/** Generates a schedule id in QStash's form: `scd_` followed by 32 random hex characters. */
function newScheduleId(): string {
  return `scd_${randomUUID().replaceAll("-", "")}`;
}

export function registerScheduleRoutes(app: Hono, { schedules }: { schedules: ScheduleStore }) {
  app.get("/v2/schedules", async (c) => c.json((await schedules.list()).map(toScheduleResponse)));

  app.get("/v2/schedules/:id", async (c) => {
    const id = c.req.param("id");
    const schedule = await schedules.get(id);
    return schedule === null
      ? errorResponse(c, 404, `schedule ${id} not found`)
      : c.json(toScheduleResponse(schedule));
  });

  app.delete("/v2/schedules/:id", async (c) => {
    const id = c.req.param("id");
    if (!(await schedules.delete(id))) return errorResponse(c, 404, `schedule ${id} not found`);
    return c.body(null, 200);
  });

  // The SDK sends PATCH; the HTTP API reference documents POST. Both are served.
  for (const action of ["pause", "resume"] as const) {
    app.on(["PATCH", "POST"], `/v2/schedules/:id/${action}`, async (c) => {
      const id = c.req.param("id");
      if (!(await schedules.setPaused(id, action === "pause"))) {
        return errorResponse(c, 404, `schedule ${id} not found`);
      }
      return c.body(null, 200);
    });
  }

  app.post(`${CREATE_PREFIX}*`, async (c) => {
    const destination = rawPathRemainder(c.req.url, CREATE_PREFIX);
    if (destination === "") {
      return errorResponse(c, 400, "missing destination: use /v2/schedules/{url or URL group name}");
    }
    const requestedId = c.req.header("upstash-schedule-id");
    if (requestedId !== undefined && !SCHEDULE_ID_PATTERN.test(requestedId)) {
      return errorResponse(
        c,
        400,
        `invalid Upstash-Schedule-Id "${requestedId}": use 1-256 letters, digits, "-", "_" or "."`,
      );
    }

    const body = new Uint8Array(await c.req.arrayBuffer());
    const parsed = parseScheduleRequest(destination, c.req.raw.headers, body);
    if (!parsed.ok) return errorResponse(c, 400, parsed.message);

    const scheduleId = requestedId ?? newScheduleId();
    await schedules.upsert(scheduleId, parsed.definition);
    return c.json({ scheduleId });
  });
}
