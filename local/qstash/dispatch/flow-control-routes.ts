/** Routes for flow-control keys: `/v2/flowControl*` and `/v2/globalParallelism`. */
import type { Context, Hono } from "hono";
import type { FlowControlStore, PinSettings } from "./flow-control-store.js";
import { errorResponse } from "./http.js";

export interface FlowControlRouteDependencies {
  flowControls: FlowControlStore;
  /** Reported as `parallelismMax` by `/v2/globalParallelism`; 0 means unlimited. */
  globalParallelismMax: number;
}

type QueryNumber = { ok: true; value: number | undefined } | { ok: false; message: string };

function readQueryInteger(c: Context, name: string, minimum: number): QueryNumber {
  const text = c.req.query(name);
  if (text === undefined || text === "") return { ok: true, value: undefined };
  if (!/^\d+$/.test(text) || Number(text) < minimum) {
    return { ok: false, message: `invalid ${name} "${text}": expected an integer of at least ${minimum}` };
  }
  return { ok: true, value: Number(text) };
}

type QueryFlag = { ok: true; value: boolean } | { ok: false; message: string };

function readQueryFlag(c: Context, name: string): QueryFlag {
  const text = c.req.query(name);
  if (text === undefined || text === "" || text === "false") return { ok: true, value: false };
  if (text === "true") return { ok: true, value: true };
  return { ok: false, message: `invalid ${name} "${text}": expected true or false` };
}

export function registerFlowControlRoutes(
  app: Hono,
  { flowControls, globalParallelismMax }: FlowControlRouteDependencies,
) {
  const notFound = (c: Context, key: string) => errorResponse(c, 404, `flow control key ${key} not found`);

  app.get("/v2/globalParallelism", async (c) =>
    c.json(await flowControls.globalParallelism(globalParallelismMax)),
  );

  app.get("/v2/flowControl", async (c) => c.json(await flowControls.list()));

  app.get("/v2/flowControl/:key", async (c) => {
    const key = c.req.param("key");
    const info = await flowControls.get(key);
    return info === null ? notFound(c, key) : c.json(info);
  });

  // Pausing or pinning a key that has seen no message yet creates it, so limits can be set up front.
  app.post("/v2/flowControl/:key/pause", async (c) => {
    await flowControls.setPaused(c.req.param("key"), true);
    return c.body(null, 200);
  });

  app.post("/v2/flowControl/:key/resume", async (c) => {
    const key = c.req.param("key");
    if (!(await flowControls.exists(key))) return notFound(c, key);
    await flowControls.setPaused(key, false);
    return c.body(null, 200);
  });

  app.post("/v2/flowControl/:key/resetRate", async (c) => {
    const key = c.req.param("key");
    if (!(await flowControls.exists(key))) return notFound(c, key);
    await flowControls.resetRate(key);
    return c.body(null, 200);
  });

  app.post("/v2/flowControl/:key/pin", async (c) => {
    const parallelism = readQueryInteger(c, "parallelism", 1);
    const rate = readQueryInteger(c, "rate", 1);
    const period = readQueryInteger(c, "period", 1);
    for (const field of [parallelism, rate, period]) {
      if (!field.ok) return errorResponse(c, 400, field.message);
    }
    const settings: PinSettings = {
      parallelism: parallelism.ok ? parallelism.value : undefined,
      rate: rate.ok ? rate.value : undefined,
      period: period.ok ? period.value : undefined,
    };
    if (settings.parallelism === undefined && settings.rate === undefined && settings.period === undefined) {
      return errorResponse(
        c,
        400,
        "nothing to pin: set at least one of parallelism, rate and period (seconds)",
      );
    }
    await flowControls.pin(c.req.param("key"), settings);
    return c.body(null, 200);
  });

  app.post("/v2/flowControl/:key/unpin", async (c) => {
    const key = c.req.param("key");
    const parallelism = readQueryFlag(c, "parallelism");
    const rate = readQueryFlag(c, "rate");
    if (!parallelism.ok) return errorResponse(c, 400, parallelism.message);
    if (!rate.ok) return errorResponse(c, 400, rate.message);
    if (!(await flowControls.exists(key))) return notFound(c, key);
    await flowControls.unpin(key, { parallelism: parallelism.value, rate: rate.value });
    return c.body(null, 200);
  });
}
