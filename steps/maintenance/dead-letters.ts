/**
 * Operator actions on dead-lettered workflow runs: QStash's workflow DLQ merged with our dead-run
 * records (dependency, re-drive chain, quarantine), plus resume, restart and delete that keep those
 * records in step. The admin routes in `server/routes/dead-letters.ts` call these.
 */
import type { Client as WorkflowClient } from "@upstash/workflow";
import { readFailureTag } from "../../shared/reliability/index.js";
import type { PipelineRuntime } from "../../workflows/runtime.js";
import type { DeadRun, DeadRunState } from "./dead-run-store.js";
import { opsOf } from "./ops.js";
import { raiseQuarantineAlert, workflowIdOf } from "./record-failure.js";

type DlqListFilter = NonNullable<NonNullable<Parameters<WorkflowClient["dlq"]["list"]>[0]>["filter"]>;
type DlqMessage = Awaited<ReturnType<WorkflowClient["dlq"]["list"]>>["messages"][number];

/** `unrecorded`: in the DLQ without a record, because the failure function did not run or failed. */
export type DeadLetterState = DeadRunState | "unrecorded";

/** One dead-lettered run as the admin API returns it. */
export interface DeadLetter {
  dlqId: string;
  workflowRunId: string;
  workflowId: string;
  workflowUrl: string;
  labels: string[];
  /** Epoch ms QStash created the message that failed (the failed step's delivery, not the DLQ entry). */
  createdAt: number;
  /**
   * Epoch ms the message entered the DLQ, read from the `dlqId` prefix (QStash DLQ ids are
   * `<epoch ms>-<n>`), or null when the id has no such prefix. `fromDate`/`toDate` filter on this time.
   */
  enteredDlqAt: number | null;
  responseStatus: number;
  /** Error message of the failed step, from our record or else from the DLQ entry's response body. */
  error: string | null;
  dependency: string | null;
  kind: string | null;
  stepName: string | null;
  failureFunctionState: string | null;
  state: DeadLetterState;
  quarantined: boolean;
  redriveCount: number;
  redriveOf: string | null;
}

export interface DeadLetterFilter {
  /** Workflow id, e.g. `scan-repository`. */
  workflow?: string;
  dependency?: string;
  state?: DeadLetterState;
  /** Epoch ms bounds on when the run entered the DLQ. */
  fromDate?: number;
  toDate?: number;
}

export interface DeadLetterPage {
  deadLetters: DeadLetter[];
  /** Pass back as `cursor` for the next page; absent on the last page. */
  cursor?: string;
}

/** DLQ pages read per list call at most while filtering by dependency or state. */
const MAX_PAGES_PER_LIST = 10;

/** Reads the epoch ms prefix of a QStash DLQ id such as `1796421786223-653022`. */
export function enteredDlqAtOf(dlqId: string): number | null {
  const match = /^(\d{12,})-/.exec(dlqId);
  return match?.[1] ? Number(match[1]) : null;
}

function errorOf(message: DlqMessage): string | null {
  const body = message.responseBody;
  if (typeof body !== "string" || body === "") return null;
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    return typeof parsed.message === "string" ? parsed.message : body;
  } catch {
    return body;
  }
}

export function createDeadLetterActions(runtime: PipelineRuntime) {
  const client = runtime.workflowClient;
  const ops = opsOf(runtime);
  const now = () => runtime.now().getTime();

  async function merge(message: DlqMessage): Promise<DeadLetter> {
    const record: DeadRun | null = await ops.deadRuns.get(message.workflowRunId);
    const quarantined = await ops.deadRuns.isQuarantined(message.workflowRunId);
    const error = record?.failResponse ?? errorOf(message);
    const tag = record ? null : readFailureTag(error);
    return {
      dlqId: message.dlqId,
      workflowRunId: message.workflowRunId,
      workflowId: workflowIdOf(message.workflowUrl),
      workflowUrl: message.workflowUrl,
      labels: message.labels ?? (message.label ? [message.label] : []),
      createdAt: message.createdAt,
      enteredDlqAt: enteredDlqAtOf(message.dlqId),
      responseStatus: message.responseStatus,
      error,
      dependency: record?.dependency ?? tag?.dependency ?? null,
      kind: record?.kind ?? tag?.kind ?? null,
      stepName: record?.stepName ?? null,
      failureFunctionState: message.failureCallbackInfo?.state ?? null,
      state: record?.state ?? "unrecorded",
      quarantined,
      redriveCount: record?.redriveCount ?? 0,
      redriveOf: record?.redriveOf ?? null,
    };
  }

  function qstashFilter(filter: DeadLetterFilter): DlqListFilter {
    return {
      ...(filter.workflow ? { workflowUrl: runtime.workflowUrl(filter.workflow) } : {}),
      ...(filter.fromDate !== undefined ? { fromDate: filter.fromDate } : {}),
      ...(filter.toDate !== undefined ? { toDate: filter.toDate } : {}),
    };
  }

  function matches(letter: DeadLetter, filter: DeadLetterFilter): boolean {
    if (filter.dependency !== undefined && letter.dependency !== filter.dependency) return false;
    if (filter.state !== undefined && letter.state !== filter.state) return false;
    return true;
  }

  async function find(dlqId: string): Promise<DeadLetter | null> {
    // QStash's `GET /v2/dlq` accepts `dlqIds`; the workflow client (1.3.3) passes filter fields through
    // as query parameters but does not type this one.
    const filter = { dlqIds: dlqId } as unknown as DlqListFilter;
    const { messages } = await client.dlq.list({ filter, count: 1 });
    const message = messages.find((item) => item.dlqId === dlqId);
    return message ? merge(message) : null;
  }

  /**
   * Starts a new run from a dead letter and links it to the dead run's record, so the new run is
   * quarantined if it dies too. A quarantined run may still be resumed this way: an operator's
   * explicit action overrides quarantine.
   */
  async function redrive(
    letter: DeadLetter,
    action: "resume" | "restart",
  ): Promise<{ workflowRunId: string }> {
    const result =
      action === "resume" ? await client.dlq.resume(letter.dlqId) : await client.dlq.restart(letter.dlqId);
    const started = result.workflowRuns[0];
    if (!started) throw new Error(`QStash started no run for DLQ entry ${letter.dlqId} (${action})`);
    const link = await ops.deadRuns.linkRedrive(letter.workflowRunId, started.workflowRunId, now());
    await ops.counters.add(`dlq.${action}`);
    runtime.logger.info("dead letter re-driven", {
      action,
      dlqId: letter.dlqId,
      workflowRunId: letter.workflowRunId,
      newWorkflowRunId: started.workflowRunId,
    });
    if (link.newlyQuarantined) {
      const record = await ops.deadRuns.get(started.workflowRunId);
      if (record) await raiseQuarantineAlert(runtime, record);
    }
    return { workflowRunId: started.workflowRunId };
  }

  return {
    find,

    /**
     * Dead letters matching `filter`, in QStash's DLQ order. `page.count` is the QStash page size:
     * with a `dependency` or `state` filter, up to `MAX_PAGES_PER_LIST` pages are read until at least
     * `count` match, so a page may hold fewer or more than `count`.
     */
    async list(filter: DeadLetterFilter, page: { count: number; cursor?: string }): Promise<DeadLetterPage> {
      const deadLetters: DeadLetter[] = [];
      let cursor = page.cursor;
      for (let pages = 0; pages < MAX_PAGES_PER_LIST; pages += 1) {
        const result = await client.dlq.list({
          filter: qstashFilter(filter),
          count: page.count,
          ...(cursor ? { cursor } : {}),
        });
        for (const message of result.messages) {
          const letter = await merge(message);
          if (matches(letter, filter)) deadLetters.push(letter);
        }
        cursor = result.cursor || undefined;
        if (!cursor || deadLetters.length >= page.count) break;
      }
      return { deadLetters, ...(cursor ? { cursor } : {}) };
    },

    resume: (letter: DeadLetter) => redrive(letter, "resume"),
    restart: (letter: DeadLetter) => redrive(letter, "restart"),

    async delete(letter: DeadLetter): Promise<void> {
      await client.dlq.delete(letter.dlqId);
      await ops.deadRuns.markDeleted(letter.workflowRunId, now());
      await ops.counters.add("dlq.delete");
      runtime.logger.info("dead letter deleted", {
        dlqId: letter.dlqId,
        workflowRunId: letter.workflowRunId,
      });
    },
  };
}

export type DeadLetterActions = ReturnType<typeof createDeadLetterActions>;
