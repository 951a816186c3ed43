/**
 * The QStash schedules that drive the pipeline: the sweep (due repository scans), the digest pass, and
 * maintenance (re-drive of dead-lettered runs and stuck-run handling).
 * Each has a fixed schedule id, so syncing creates it once and updates it in place when the cron
 * changes. Running the sync twice changes nothing.
 */
import { Client as QStashClient } from "@upstash/qstash";
import { retryOptions } from "../shared/reliability/index.js";
import { WORKFLOW_IDS } from "../workflows/payloads.js";
import type { PipelineRuntime } from "../workflows/runtime.js";

export const SWEEP_SCHEDULE_ID = "radar-sweep";
export const DIGEST_SCHEDULE_ID = "radar-digest";
export const MAINTENANCE_SCHEDULE_ID = "radar-maintenance";

export interface SyncedSchedule {
  scheduleId: string;
  cron: string;
  destination: string;
}

export async function syncSchedules(runtime: PipelineRuntime): Promise<SyncedSchedule[]> {
  const { config } = runtime;
  const client = new QStashClient({ baseUrl: config.qstash.url, token: config.qstash.token });
  const wanted = [
    {
      scheduleId: SWEEP_SCHEDULE_ID,
      cron: config.schedule.sweepCron,
      destination: runtime.workflowUrl(WORKFLOW_IDS.sweep),
      body: { all: false },
      policy: config.retryPolicies.sweep,
    },
    {
      scheduleId: DIGEST_SCHEDULE_ID,
      cron: config.schedule.digestCron,
      destination: runtime.workflowUrl(WORKFLOW_IDS.notify),
      body: { mode: "digest", ignoreDigestHour: false },
      policy: config.retryPolicies.notify,
    },
    {
      scheduleId: MAINTENANCE_SCHEDULE_ID,
      cron: config.maintenance.cron,
      destination: runtime.workflowUrl(WORKFLOW_IDS.maintenance),
      body: {},
      policy: config.retryPolicies.sweep,
    },
  ];

  const synced: SyncedSchedule[] = [];
  for (const schedule of wanted) {
    const { retries } = retryOptions(schedule.policy);
    await client.schedules.create({
      scheduleId: schedule.scheduleId,
      destination: schedule.destination,
      cron: schedule.cron,
      body: JSON.stringify(schedule.body),
      headers: { "Content-Type": "application/json" },
      retries,
    });
    synced.push({ scheduleId: schedule.scheduleId, cron: schedule.cron, destination: schedule.destination });
  }
  runtime.logger.info("schedules synced", { schedules: synced.map((schedule) => schedule.scheduleId) });
  return synced;
}
