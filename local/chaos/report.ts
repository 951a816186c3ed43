/**
 * The chaos report, computed from the state the run left behind: workflow run logs and the DLQ of the
 * QStash server, the sink server's recorded deliveries, and the product's `failures.*` counters.
 */
import type { Client as QStashClient } from "@upstash/qstash";
import type { Client as WorkflowClient, WorkflowRunLog } from "@upstash/workflow";
import type { Stats } from "../../shared/store/index.js";
import type { DeadRunStore } from "../../steps/maintenance/index.js";
import type { SinkAttempt } from "../sinks/index.js";
import type { DisruptionRecord } from "./disruptions.js";

export interface RunCounts {
  started: number;
  completed: number;
  /** Runs that failed after their retries and left a message in the DLQ. */
  deadLettered: number;
  /**
   * Dead-lettered runs that the maintenance pass resumed and whose resumed run completed, from the
   * product's dead-run records. Null until `countRedrives` has read them.
   */
  recoveredByRedrive: number | null;
  /** Runs in the product's quarantine (failed again after a re-drive). Null until read. */
  quarantined: number | null;
  canceled: number;
  /** Started runs that are neither completed, dead-lettered nor canceled after the pipeline settled. */
  lost: number;
}

export interface ChaosReport {
  seed: number;
  profile: string;
  scansRequested: number;
  repositoriesScanned: number;
  runs: RunCounts;
  /** Run counts per workflow id (the last path segment of the workflow URL). */
  runsByWorkflow: Record<string, { started: number; completed: number; deadLettered: number; lost: number }>;
  lostRunIds: string[];
  dlqMessages: number;
  sideEffects: {
    /** Deliveries accepted by the sinks. */
    delivered: number;
    /** Distinct delivery ids among them. */
    distinct: number;
    /** Delivery ids accepted more than once; must be 0. */
    duplicated: number;
    duplicateIds: string[];
    /** Resend requests that repeated an `Idempotency-Key` and were served without a second email. */
    resendReplays: number;
    /** Requests the sinks failed on purpose. */
    faulted: number;
  };
  retries: {
    /** Failed dependency calls per failure class, from the product's `failures.*` counters. */
    byClass: Record<string, number>;
    /** Deliveries from QStash with `Upstash-Retried` above 0, as seen by the app processes. */
    qstashRedeliveries: number;
    /** QStash deliveries to the app, retries included. */
    qstashDeliveries: number;
    /** Analyses that fell back to the heuristic after the model failed. */
    analysisFallbacks: number;
  };
  faultsInjected: { github: Record<string, number>; model: Record<string, number> };
  disruptions: DisruptionRecord[];
  settled: boolean;
  wallTimeMs: number;
}

/** Returns every workflow run created at or after `sinceMs`, all states. */
export async function listRuns(client: WorkflowClient, sinceMs: number): Promise<WorkflowRunLog[]> {
  const runs: WorkflowRunLog[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.logs({
      filter: { fromDate: sinceMs },
      count: 100,
      ...(cursor ? { cursor } : {}),
    });
    runs.push(...page.runs);
    cursor = page.cursor || undefined;
  } while (cursor);
  return runs;
}

export async function countDlqMessages(client: QStashClient): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await client.dlq.listMessages({ count: 100, ...(cursor ? { cursor } : {}) });
    count += page.messages.length;
    cursor = page.cursor || undefined;
  } while (cursor);
  return count;
}

function workflowIdOf(url: string): string {
  return url.split("/").filter(Boolean).pop() ?? url;
}

export function countRuns(runs: WorkflowRunLog[]): {
  counts: RunCounts;
  byWorkflow: ChaosReport["runsByWorkflow"];
  lostRunIds: string[];
} {
  const counts: RunCounts = {
    started: runs.length,
    completed: 0,
    deadLettered: 0,
    recoveredByRedrive: null,
    quarantined: null,
    canceled: 0,
    lost: 0,
  };
  const byWorkflow: ChaosReport["runsByWorkflow"] = {};
  const lostRunIds: string[] = [];
  for (const run of runs) {
    const id = workflowIdOf(run.workflowUrl);
    const entry = byWorkflow[id] ?? { started: 0, completed: 0, deadLettered: 0, lost: 0 };
    byWorkflow[id] = entry;
    entry.started += 1;
    switch (run.workflowState) {
      case "RUN_SUCCESS":
        counts.completed += 1;
        entry.completed += 1;
        break;
      case "RUN_FAILED":
        counts.deadLettered += 1;
        entry.deadLettered += 1;
        break;
      case "RUN_CANCELED":
        counts.canceled += 1;
        break;
      case "RUN_STARTED":
        counts.lost += 1;
        entry.lost += 1;
        lostRunIds.push(run.workflowRunId);
        break;
    }
  }
  return { counts, byWorkflow, lostRunIds };
}

const DEAD_RUN_PAGE_SIZE = 200;

/**
 * Counts the dead-lettered runs recovered by a re-drive (their record names the resumed run, and
 * that run completed) and the quarantined runs. `runs` are the workflow runs of this chaos run.
 */
export async function countRedrives(
  deadRuns: DeadRunStore,
  runs: WorkflowRunLog[],
): Promise<{ recoveredByRedrive: number; quarantined: number }> {
  const stateOf = new Map(runs.map((run) => [run.workflowRunId, run.workflowState]));
  let recoveredByRedrive = 0;
  for (let offset = 0; ; offset += DEAD_RUN_PAGE_SIZE) {
    const ids = await deadRuns.listDeadRunIds(offset, DEAD_RUN_PAGE_SIZE);
    for (const id of ids) {
      const record = await deadRuns.get(id);
      if (record?.redrivenAs && stateOf.get(record.redrivenAs) === "RUN_SUCCESS") recoveredByRedrive += 1;
    }
    if (ids.length < DEAD_RUN_PAGE_SIZE) break;
  }
  const quarantined = (await deadRuns.listQuarantined(Number.MAX_SAFE_INTEGER)).length;
  return { recoveredByRedrive, quarantined };
}

/**
 * Returns the key that identifies one notification across retries: `X-Radar-Delivery` for webhooks,
 * `Idempotency-Key` for Resend, and the target plus the message text for Slack, whose incoming
 * webhooks carry no id.
 */
export function deliveryKeyOf(attempt: SinkAttempt): string {
  if (attempt.channel === "webhook") return `webhook:${attempt.headers["x-radar-delivery"] ?? attempt.body}`;
  if (attempt.channel === "email") return `email:${attempt.headers["idempotency-key"] ?? attempt.body}`;
  return `slack:${attempt.target}:${attempt.body}`;
}

export function countSideEffects(attempts: SinkAttempt[]): ChaosReport["sideEffects"] {
  const perKey = new Map<string, number>();
  let delivered = 0;
  let resendReplays = 0;
  let faulted = 0;
  for (const attempt of attempts) {
    if (attempt.outcome === "replayed") resendReplays += 1;
    if (attempt.outcome === "faulted") faulted += 1;
    if (attempt.outcome !== "delivered") continue;
    delivered += 1;
    const key = deliveryKeyOf(attempt);
    perKey.set(key, (perKey.get(key) ?? 0) + 1);
  }
  const duplicateIds = [...perKey].filter(([, count]) => count > 1).map(([key]) => key.slice(0, 120));
  return {
    delivered,
    distinct: perKey.size,
    duplicated: duplicateIds.length,
    duplicateIds,
    resendReplays,
    faulted,
  };
}

export function failuresByClass(before: Stats, after: Stats): Record<string, number> {
  const byClass: Record<string, number> = {};
  for (const [field, value] of Object.entries(after)) {
    if (!field.startsWith("failures.")) continue;
    const previous = before[field as keyof Stats] ?? 0;
    byClass[field.slice("failures.".length)] = (value ?? 0) - previous;
  }
  return byClass;
}

export function formatChaosReport(report: ChaosReport): string {
  const optional = (value: number | null) => (value === null ? "n/a" : String(value));
  const classes = Object.entries(report.retries.byClass)
    .map(([kind, count]) => `${kind} ${count}`)
    .join(", ");
  const lines = [
    "",
    `Chaos run: profile ${report.profile}, seed ${report.seed}, ${report.scansRequested} scans requested`,
    `  repositories scanned          ${report.repositoriesScanned} of ${report.scansRequested}`,
    `  runs started                  ${report.runs.started}`,
    `  runs completed                ${report.runs.completed}`,
    `  runs dead-lettered            ${report.runs.deadLettered} (DLQ messages: ${report.dlqMessages})`,
    `  recovered by re-drive         ${optional(report.runs.recoveredByRedrive)}`,
    `  quarantined                   ${optional(report.runs.quarantined)}`,
    `  canceled                      ${report.runs.canceled}`,
    `  runs lost (must be 0)         ${report.runs.lost}`,
    `  side effects delivered        ${report.sideEffects.delivered} (${report.sideEffects.distinct} distinct, ${report.sideEffects.resendReplays} Resend replays, ${report.sideEffects.faulted} faulted attempts)`,
    `  delivered more than once      ${report.sideEffects.duplicated} (must be 0)`,
    `  failures per class            ${classes || "none"}`,
    `  QStash redeliveries           ${report.retries.qstashRedeliveries} of ${report.retries.qstashDeliveries} deliveries`,
    `  analysis fallbacks            ${report.retries.analysisFallbacks}`,
    `  GitHub faults injected        ${JSON.stringify(report.faultsInjected.github)}`,
    `  model outcomes                ${JSON.stringify(report.faultsInjected.model)}`,
    `  disruptions                   ${report.disruptions.map((record) => `${record.kind}@${record.atMs}ms`).join(", ") || "none"}`,
    `  settled                       ${report.settled ? "yes" : "no (timed out)"}`,
    `  wall time                     ${(report.wallTimeMs / 1000).toFixed(1)} s`,
  ];
  for (const [workflow, counts] of Object.entries(report.runsByWorkflow)) {
    lines.push(
      `    ${workflow.padEnd(28)}${counts.started} started, ${counts.completed} completed, ${counts.deadLettered} dead-lettered, ${counts.lost} lost`,
    );
  }
  if (report.lostRunIds.length > 0) lines.push(`  lost run ids: ${report.lostRunIds.join(", ")}`);
  if (report.sideEffects.duplicateIds.length > 0) {
    lines.push(`  duplicated deliveries: ${report.sideEffects.duplicateIds.join(" | ")}`);
  }
  return lines.join("\n");
}
