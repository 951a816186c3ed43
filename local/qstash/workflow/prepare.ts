/**
 * Turns an accepted workflow message into its stored form. A trigger creates the run and a step is
 * appended to the run's step log. Every message of a run inherits the run-level settings that the
 * SDK sends only on the trigger: retries, retry delay, timeout, flow control and forwarded headers.
 */
import { FEATURE, HEADER, WORKFLOW_HEADER_PREFIX } from "../../../shared/qstash/index.js";
import type { CoreContext } from "../context.js";
import { badRequest, notFound } from "../errors.js";
import type { PublishRequest, WorkflowPublishInfo } from "../publish/parse-headers.js";
import type { HeaderList, StoredMessage } from "../store/message.js";
import { type Invoker, invokerSchema, type WorkflowRun } from "./run.js";

/** Merges header lists; a name in `overrides` replaces the same name (any case) in `base`. */
export function mergeHeaders(base: HeaderList, overrides: HeaderList): HeaderList {
  const overridden = new Set(overrides.map(([name]) => name.toLowerCase()));
  return [...base.filter(([name]) => !overridden.has(name.toLowerCase())), ...overrides];
}

function applyRunSettings(message: StoredMessage, request: PublishRequest, run: WorkflowRun): void {
  message.maxRetries = request.retries ?? run.retries;
  message.retryDelay = request.retryDelay ?? run.retryDelay;
  message.timeoutMs = request.timeoutMs ?? run.timeoutMs;
  message.flowControl = request.flowControl ?? run.flowControl;
  message.headers = mergeHeaders(run.forwardHeaders, message.headers);
  if (message.labels.length === 0) message.labels = run.labels;
}

function parseInvokeBody(body: Uint8Array): { payload: string; invoker: Invoker } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body).toString("utf8"));
  } catch {
    throw badRequest("invalid invoke body: expected JSON with body, headers, workflowRunId and step");
  }
  const result = invokerSchema
    .extend({
      body: invokerSchema.shape.workflowUrl.optional(),
      workflowRunCreatedAt: invokerSchema.shape.workflowRunCreatedAt,
    })
    .safeParse(parsed);
  if (!result.success)
    throw badRequest(`invalid invoke body: ${result.error.issues[0]?.message ?? "unknown field"}`);
  const { body: payload, ...invoker } = result.data;
  return { payload: payload ?? "", invoker };
}

async function prepareInit(
  context: CoreContext,
  message: StoredMessage,
  request: PublishRequest,
  info: WorkflowPublishInfo,
  body: Uint8Array,
): Promise<{ deduplicated: boolean }> {
  let payload = Buffer.from(body);
  let invoker: Invoker | undefined;
  if (info.invoke) {
    const parsed = parseInvokeBody(body);
    payload = Buffer.from(parsed.payload, "utf8");
    invoker = parsed.invoker;
  }

  const now = context.now();
  const run: WorkflowRun = {
    runId: info.runId,
    url: info.url ?? message.url,
    state: "RUN_STARTED",
    createdAt: now,
    initialBody: payload.toString("base64"),
    initMessageId: message.messageId,
    retries: message.maxRetries,
    retryDelay: request.retryDelay,
    timeoutMs: request.timeoutMs,
    flowControl: request.flowControl,
    forwardHeaders: message.headers.filter(
      ([name]) =>
        !name.toLowerCase().startsWith(WORKFLOW_HEADER_PREFIX.toLowerCase()) && name !== HEADER.contentType,
    ),
    failureCallback: request.failureCallback,
    labels: request.labels,
    invoker,
    callerIp: message.callerIp,
  };
  if (info.triggerBySdk) {
    // The SDK re-triggers a run started through /v2/trigger: keep its creation time, take the new settings.
    const existing = await context.runs.get(info.runId);
    if (existing) run.createdAt = existing.createdAt;
  }
  const entry = {
    messageId: message.messageId,
    body: run.initialBody,
    callType: "step" as const,
    createdAt: now,
  };
  message.body = run.initialBody;
  message.workflow = {
    runId: run.runId,
    kind: "init",
    logIndex: 0,
    detectTrigger: info.unknownSdk || info.features.has(FEATURE.detectTrigger),
    unknownSdk: info.unknownSdk || undefined,
  };
  // The init message record is stored before the run. A server may stop after creating the run but
  // before the publish makes the message due. The retried trigger then finds the record and requeues
  // it, because otherwise the run would stay started with nothing to deliver.
  await context.messages.save(message);
  const created = await context.runs.create(run, entry, { replace: info.triggerBySdk });
  if (!created) {
    await context.messages.discard(message.messageId);
    await requeueStrandedInit(context, info.runId);
    return { deduplicated: true };
  }
  return { deduplicated: false };
}

/** Requeues the init message of an existing run whose trigger stopped halfway (see `prepareInit`). */
async function requeueStrandedInit(context: CoreContext, runId: string): Promise<void> {
  const run = await context.runs.get(runId);
  if (run?.state !== "RUN_STARTED") return;
  const initMessage = await context.messages.get(run.initMessageId);
  if (initMessage && (await context.messages.requeueStranded(initMessage))) {
    context.logger.warn(
      { workflowRunId: runId, messageId: initMessage.messageId },
      "init message of a half-finished trigger requeued",
    );
  }
}

async function requireStartedRun(context: CoreContext, runId: string): Promise<WorkflowRun> {
  const run = await context.runs.get(runId);
  if (!run) throw notFound(`workflow run ${runId} not found`);
  if (run.state !== "RUN_STARTED")
    throw badRequest(`workflow run ${runId} has already finished or been cancelled`);
  return run;
}

/**
 * Completes `message` for a workflow publish. Returns `deduplicated: true` when a trigger names a
 * run that already exists; then nothing may be stored.
 */
export async function prepareWorkflowMessage(
  context: CoreContext,
  message: StoredMessage,
  request: PublishRequest,
  body: Uint8Array,
): Promise<{ deduplicated: boolean }> {
  const info = request.workflow;
  if (!info) return { deduplicated: false };
  if (info.init) return await prepareInit(context, message, request, info, body);

  const kind = info.callType ?? "step";
  switch (kind) {
    case "step": {
      const run = await requireStartedRun(context, info.runId);
      const entry = {
        messageId: message.messageId,
        body: message.body,
        callType: "step" as const,
        createdAt: context.now(),
      };
      const logIndex = await context.runs.append(info.runId, entry);
      applyRunSettings(message, request, run);
      message.workflow = { runId: info.runId, kind, logIndex };
      return { deduplicated: false };
    }
    case "fromCallback": {
      const run = await requireStartedRun(context, info.runId);
      applyRunSettings(message, request, run);
      message.workflow = { runId: info.runId, kind };
      return { deduplicated: false };
    }
    case "toCallback": {
      await requireStartedRun(context, info.runId);
      message.workflow = { runId: info.runId, kind };
      return { deduplicated: false };
    }
    case "failureCall": {
      message.workflow = { runId: info.runId, kind };
      return { deduplicated: false };
    }
  }
}
