/**
 * `context.waitForEvent` / `waitForWebhook` waiters and notifications.
 *
 * A waiter is removed atomically by the first event that resolves it (a notify, a webhook call or the
 * timeout timer), so exactly one of them publishes the resulting step. Events sent to one run before
 * it waits (`/v2/notify/{runId}/{eventId}` and webhook calls) are kept and consumed by the next wait.
 */
import { z } from "zod";
import { HEADER, headersFromMultiMap } from "../../../shared/qstash/index.js";
import type { CoreContext } from "../context.js";
import { parseSecondsOrDurationMs } from "../durations.js";
import { badRequest, notFound } from "../errors.js";
import { newMessageId } from "../ids.js";
import type { StoredMessage } from "../store/message.js";

/** Body of `POST /v2/wait/{eventId}` as the workflow SDK sends it. */
export const waitRequestSchema = z.object({
  url: z.string(),
  timeout: z.union([z.string(), z.number()]).optional(),
  timeoutUrl: z.string().optional(),
  timeoutHeaders: z.record(z.string(), z.array(z.string())).default({}),
  step: z.record(z.string(), z.unknown()),
});
export type WaitRequest = z.infer<typeof waitRequestSchema>;

const waiterSchema = waitRequestSchema.extend({
  runId: z.string(),
  eventId: z.string(),
  /** Epoch ms at which the wait times out. */
  deadline: z.number(),
  timeoutMessageId: z.string(),
});
type Waiter = z.infer<typeof waiterSchema>;

/** QStash's default `waitForEvent` timeout: 7 days. */
const DEFAULT_WAIT_TIMEOUT_MS = 7 * 86_400_000;

function parseTimeoutMs(timeout: string | number | undefined): number {
  if (timeout === undefined) return DEFAULT_WAIT_TIMEOUT_MS;
  const ms = typeof timeout === "number" ? timeout * 1000 : parseSecondsOrDurationMs(timeout);
  if (ms === undefined || ms < 0)
    throw badRequest(`invalid wait timeout "${timeout}": expected seconds or a duration such as 10s or 7d`);
  return ms;
}

/** Publishes the step that resumes a waiting run, with the event data or as a timeout. */
async function publishWaitStep(
  context: CoreContext,
  waiter: WaitRequest & { eventId: string },
  eventData: Buffer | undefined,
): Promise<string> {
  const headers = headersFromMultiMap(waiter.timeoutHeaders);
  headers.set(HEADER.contentType, "application/json");
  const step = {
    ...waiter.step,
    waitEventId: waiter.eventId,
    timeout: waiter.timeout,
    waitTimeout: eventData === undefined,
    ...(eventData === undefined ? {} : { out: eventData.toString("base64") }),
  };
  const target = eventData === undefined ? (waiter.timeoutUrl ?? waiter.url) : waiter.url;
  const result = await context.acceptPublish(target, headers, Buffer.from(JSON.stringify(step), "utf8"));
  return result.messageId;
}

// KEYS: pending events, waiter, event waiters, run waits. ARGV: waiter JSON, run id, event id.
// Takes an event stored before the wait, or registers the waiter; one step so no event is missed.
const REGISTER_WAIT_SCRIPT = `
local stored = redis.call('LPOP', KEYS[1])
if stored then return stored end
redis.call('SET', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[2])
redis.call('SADD', KEYS[4], ARGV[3])
return false
`;

// KEYS: waiter, pending events, event waiters, run waits. ARGV: event data (base64), run id, event id,
// '1' to store the event when no waiter exists. Returns the waiter JSON that was removed, if any.
const TAKE_WAITER_SCRIPT = `
local waiter = redis.call('GET', KEYS[1])
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[3], ARGV[2])
redis.call('SREM', KEYS[4], ARGV[3])
if waiter then return waiter end
if ARGV[4] == '1' then redis.call('RPUSH', KEYS[2], ARGV[1]) end
return false
`;

/** Registers a wait of `runId` for `eventId`, or resolves it at once with an event stored earlier. */
export async function registerWait(
  context: CoreContext,
  runId: string,
  eventId: string,
  request: WaitRequest,
): Promise<void> {
  const run = await context.runs.get(runId);
  if (!run) throw notFound(`workflow run ${runId} not found`);
  if (run.state !== "RUN_STARTED")
    throw badRequest(`workflow run ${runId} has already finished or been cancelled`);

  const now = context.now();
  const deadline = now + parseTimeoutMs(request.timeout);
  const timer: StoredMessage = {
    messageId: newMessageId(),
    url: request.timeoutUrl ?? request.url,
    method: "POST",
    headers: [],
    publishHeaders: [],
    body: "",
    maxRetries: 0,
    notBefore: deadline,
    createdAt: now,
    retried: 0,
    state: "CREATED",
    labels: [],
    timer: { type: "waitTimeout", runId, eventId },
    errors: [],
  };
  const waiter: Waiter = { ...request, runId, eventId, deadline, timeoutMessageId: timer.messageId };
  const keys = [
    context.keys.pendingEvents(runId, eventId),
    context.keys.waiter(runId, eventId),
    context.keys.eventWaiters(eventId),
    context.keys.runWaits(runId),
  ];
  const stored = await context.redis.eval(
    REGISTER_WAIT_SCRIPT,
    keys.length,
    ...keys,
    JSON.stringify(waiter),
    runId,
    eventId,
  );
  if (typeof stored === "string") {
    await publishWaitStep(context, { ...request, eventId }, Buffer.from(stored, "base64"));
    return;
  }
  // A notify that takes the waiter before this insert leaves a timer that finds no waiter and does nothing.
  await context.messages.insert(timer, deadline);
}

async function takeWaiter(
  context: CoreContext,
  runId: string,
  eventId: string,
  eventToStore?: Buffer,
): Promise<Waiter | undefined> {
  const keys = [
    context.keys.waiter(runId, eventId),
    context.keys.pendingEvents(runId, eventId),
    context.keys.eventWaiters(eventId),
    context.keys.runWaits(runId),
  ];
  const json = await context.redis.eval(
    TAKE_WAITER_SCRIPT,
    keys.length,
    ...keys,
    eventToStore?.toString("base64") ?? "",
    runId,
    eventId,
    eventToStore ? "1" : "0",
  );
  return typeof json === "string" ? waiterSchema.parse(JSON.parse(json)) : undefined;
}

function describeWaiter(waiter: Waiter) {
  return {
    url: waiter.url,
    deadline: Math.floor(waiter.deadline / 1000),
    headers: waiter.timeoutHeaders,
    timeoutUrl: waiter.timeoutUrl,
    timeoutBody: undefined,
    timeoutHeaders: waiter.timeoutHeaders,
  };
}

/**
 * Delivers event data to the waiters of `eventId`: every waiting run, or only `runId` when given.
 * With a run id and no waiter yet, the event is stored for that run's next wait.
 */
export async function notifyEvent(context: CoreContext, eventId: string, data: Buffer, runId?: string) {
  const runIds = runId ? [runId] : await context.redis.smembers(context.keys.eventWaiters(eventId));
  const responses = [];
  for (const id of runIds) {
    // With a run id, an event that no waiter takes yet is stored by the same script that finds no waiter.
    const waiter = await takeWaiter(context, id, eventId, runId ? data : undefined);
    if (!waiter) continue;
    const timer = await context.messages.get(waiter.timeoutMessageId);
    if (timer) await context.messages.cancel(timer);
    const messageId = await publishWaitStep(context, waiter, data);
    const run = await context.runs.get(id);
    responses.push({
      waiter: describeWaiter(waiter),
      messageId,
      deduplicated: false,
      error: "",
      workflowRunId: id,
      workflowCreatedAt: run?.createdAt,
    });
  }
  context.logger.info({ eventId, workflowRunId: runId, notified: responses.length }, "event notified");
  return responses;
}

/** Called by the scheduler when a wait's timer is due; publishes the timeout step if still waiting. */
export async function fireWaitTimeout(context: CoreContext, runId: string, eventId: string): Promise<void> {
  const waiter = await takeWaiter(context, runId, eventId);
  if (!waiter) return;
  context.logger.info({ workflowRunId: runId, eventId }, "wait timed out");
  try {
    await publishWaitStep(context, waiter, undefined);
  } catch (error) {
    context.logger.warn({ workflowRunId: runId, eventId, err: error }, "wait timeout step not published");
  }
}

/** Current waiters of `eventId`, in the shape of the `getWaiters` API. */
export async function listWaiters(context: CoreContext, eventId: string) {
  const runIds = await context.redis.smembers(context.keys.eventWaiters(eventId));
  const values =
    runIds.length === 0 ? [] : await context.redis.mget(runIds.map((id) => context.keys.waiter(id, eventId)));
  return values
    .filter((value): value is string => value !== null)
    .map((value) => describeWaiter(waiterSchema.parse(JSON.parse(value))));
}

/** Removes every waiter of a run that ended, with their timers. */
export async function clearRunWaiters(context: CoreContext, runId: string): Promise<void> {
  const eventIds = await context.redis.smembers(context.keys.runWaits(runId));
  for (const eventId of eventIds) {
    const waiter = await takeWaiter(context, runId, eventId);
    const timer = waiter ? await context.messages.get(waiter.timeoutMessageId) : undefined;
    if (timer) await context.messages.cancel(timer);
  }
}
