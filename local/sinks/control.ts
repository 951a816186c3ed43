/**
 * Read and control API of the sink server, under `/_sink`, for tests and the CLI:
 * - `GET /_sink/deliveries?channel=&target=`: `{"deliveries": [...]}` in arrival order;
 * - `GET /_sink/attempts?channel=&target=`: `{"attempts": [...]}`, including faulted, rejected and
 *   replayed requests;
 * - `DELETE /_sink/deliveries`: deletes all attempts and Resend idempotency keys;
 * - `GET|POST|DELETE /_sink/faults`: reads, sets (JSON `SinkFaults`) or clears fault injection.
 * The control API is never faulted and records nothing.
 */
import type { Context, Hono } from "hono";
import type { Logger } from "pino";
import { describeIssues, type FaultInjector } from "./faults.js";
import type { SinkRecorder } from "./recorder.js";
import { type SinkFilter, sinkFaultsSchema, sinkFilterSchema } from "./types.js";

export interface ControlDependencies {
  recorder: SinkRecorder;
  faults: FaultInjector;
  logger: Logger;
  /** Deletes per-channel state, such as Resend idempotency keys. */
  resetChannels(): void;
}

export function mountControlRoutes(app: Hono, dependencies: ControlDependencies): void {
  const { recorder, faults, logger } = dependencies;

  app.get("/_sink/deliveries", (c) => {
    const filter = parseFilter(c);
    if (filter instanceof Response) return filter;
    return c.json({ deliveries: recorder.deliveries(filter) });
  });

  app.get("/_sink/attempts", (c) => {
    const filter = parseFilter(c);
    if (filter instanceof Response) return filter;
    return c.json({ attempts: recorder.attempts(filter) });
  });

  app.delete("/_sink/deliveries", async (c) => {
    await recorder.clear();
    dependencies.resetChannels();
    logger.info("sink records cleared");
    return c.json({ cleared: true });
  });

  app.get("/_sink/faults", (c) => c.json({ faults: faults.current() }));

  app.post("/_sink/faults", async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: "Invalid fault settings: the body is not valid JSON" }, 400);
    }
    const parsed = sinkFaultsSchema.safeParse(body);
    if (!parsed.success)
      return c.json({ error: `Invalid fault settings: ${describeIssues(parsed.error)}` }, 400);
    const resolved = faults.set(parsed.data);
    logger.info({ faults: resolved }, "sink faults set");
    return c.json({ faults: resolved });
  });

  app.delete("/_sink/faults", (c) => {
    faults.set(null);
    logger.info("sink faults cleared");
    return c.json({ faults: null });
  });
}

function parseFilter(c: Context): SinkFilter | Response {
  const parsed = sinkFilterSchema.safeParse({
    channel: c.req.query("channel") || undefined,
    target: c.req.query("target") || undefined,
  });
  if (!parsed.success) return c.json({ error: `Invalid filter: ${describeIssues(parsed.error)}` }, 400);
  return parsed.data;
}
