/**
 * Builds the workflow logs API view (`GET /v2/workflows/events`) of one run: its completed steps in
 * sequential and parallel groups, then a `next` group for the message still pending or the one
 * that failed.
 */
import { stepSchema } from "../../../shared/qstash/index.js";
import type { CoreContext } from "../context.js";
import type { AttemptError, StoredMessage } from "../store/message.js";
import type { LogEntry, WorkflowRun } from "./run.js";

type StepLog = Record<string, unknown> & { concurrent: number };
type StepLogGroup =
  | { type: "sequential"; steps: StepLog[] }
  | { type: "parallel"; steps: StepLog[] }
  | { type: "next"; steps: Record<string, unknown>[] };

function decodeStep(entry: LogEntry, index: number, run: WorkflowRun): StepLog | undefined {
  const text = Buffer.from(entry.body, "base64").toString("utf8");
  const common = {
    callType: "step",
    messageId: entry.messageId,
    retries: run.retries,
    state: "STEP_SUCCESS",
    createdAt: entry.createdAt,
    headers: {},
  };
  if (index === 0) {
    return { ...common, stepId: 0, stepName: "init", stepType: "Initial", out: text, concurrent: 1 };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const step = stepSchema.safeParse(parsed);
  // Plan steps (stepId 0) only announce parallel branches; their results are logged separately.
  if (!step.success || step.data.stepId === 0) return undefined;
  const { waitTimeout, timeout, ...rest } = step.data;
  return {
    ...common,
    ...rest,
    ...(rest.waitEventId ? { waitTimeout: waitTimeout ?? false, waitTimeoutDuration: timeout } : {}),
  };
}

function groupSteps(steps: StepLog[]): StepLogGroup[] {
  const groups: StepLogGroup[] = [];
  for (const step of steps) {
    const last = groups.at(-1);
    if (step.concurrent > 1 && last?.type === "parallel" && last.steps.length < step.concurrent) {
      last.steps.push(step);
    } else {
      groups.push(
        step.concurrent > 1 ? { type: "parallel", steps: [step] } : { type: "sequential", steps: [step] },
      );
    }
  }
  return groups;
}

function nextStepOf(message: StoredMessage, state: string, errors: AttemptError[]) {
  return {
    messageId: message.messageId,
    state,
    retries: message.maxRetries,
    retryDelay: message.retryDelay,
    errors: errors.length > 0 ? errors : undefined,
  };
}

/** Builds the logs-API record of `run`. */
export async function buildRunLog(context: CoreContext, run: WorkflowRun) {
  const entries = await context.runs.log(run.runId);
  const steps = entries
    .map((entry, index) => decodeStep(entry, index, run))
    .filter((step): step is StepLog => step !== undefined);
  const groups = groupSteps(steps);

  const pending = (await context.messages.getMany(await context.runs.pendingMessageIds(run.runId))).filter(
    (message) => !message.timer && message.workflow?.kind !== "failureCall",
  );
  const dlqEntry = run.dlqId ? await context.dlq.get(run.dlqId) : undefined;
  const next = pending.map((message) =>
    nextStepOf(message, message.retried > 0 ? "STEP_RETRY" : "STEP_PROGRESS", message.errors),
  );
  if (dlqEntry && run.state === "RUN_FAILED") {
    const finalError: AttemptError = {
      time: dlqEntry.failedAt,
      status: dlqEntry.responseStatus,
      error: dlqEntry.error ?? "",
      body: Buffer.from(dlqEntry.responseBody, "base64").toString("utf8"),
      headers: dlqEntry.responseHeader,
    };
    next.push(nextStepOf(dlqEntry.message, "STEP_FAILED", [...dlqEntry.message.errors, finalError]));
  }
  if (next.length > 0) groups.push({ type: "next", steps: next });

  return {
    workflowRunId: run.runId,
    workflowUrl: run.url,
    workflowState: run.state,
    workflowRunCreatedAt: run.createdAt,
    workflowRunCompletedAt: run.completedAt,
    steps: groups,
    workflowRunResponse: run.response,
    invoker: run.invoker && {
      workflowRunId: run.invoker.workflowRunId,
      workflowUrl: run.invoker.workflowUrl,
      workflowRunCreatedAt: run.invoker.workflowRunCreatedAt,
    },
    failureFunction:
      run.failureCallback && dlqEntry
        ? {
            messageId: "",
            url: run.failureCallback.url,
            state: run.failureCallbackState ?? "CALLBACK_INPROGRESS",
            failHeaders: dlqEntry.responseHeader,
            failStatus: dlqEntry.responseStatus,
            failResponse: Buffer.from(dlqEntry.responseBody, "base64").toString("utf8"),
            dlqId: dlqEntry.dlqId,
            responseStatus: dlqEntry.failureCallbackResponse?.status,
            responseHeaders: dlqEntry.failureCallbackResponse?.headers,
            responseBody: dlqEntry.failureCallbackResponse
              ? Buffer.from(dlqEntry.failureCallbackResponse.body, "base64").toString("utf8")
              : undefined,
          }
        : undefined,
    dlqId: run.dlqId,
    label: run.labels[0],
    labels: run.labels.length > 0 ? run.labels : undefined,
  };
}
