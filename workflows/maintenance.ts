/**
 * maintenance: started by a QStash schedule (`MAINTENANCE_CRON`, every minute by default). Resumes
 * dead-lettered runs whose dependency recovered, then handles runs that stopped making progress.
 */
import { createWorkflow } from "@upstash/workflow/hono";
import {
  handleStuckRuns,
  type RedriveSummary,
  redriveRecoveredRuns,
  type StuckRun,
} from "../steps/maintenance/index.js";
import type { RuntimeResolver } from "./runtime.js";

export interface MaintenanceSummary {
  redrive: RedriveSummary;
  stuck: StuckRun[];
}

export function createMaintenanceWorkflow(resolve: RuntimeResolver) {
  return createWorkflow<unknown, MaintenanceSummary>(async (context) => {
    const runtime = resolve(context.env);

    const redrive = await context.run("redrive", () =>
      redriveRecoveredRuns(
        runtime,
        runtime.logger.child({ workflowRunId: context.workflowRunId, step: "redrive" }),
      ),
    );
    const stuck = await context.run("stuck-runs", () =>
      handleStuckRuns(
        runtime,
        runtime.logger.child({ workflowRunId: context.workflowRunId, step: "stuck-runs" }),
        context.workflowRunId,
      ),
    );
    return { redrive, stuck };
  });
}
