/**
 * Starts workflows on behalf of the admin API and the GitHub webhook route, through the Upstash
 * Workflow client.
 */

import { notifyTrigger, scanTrigger, sweepTrigger } from "../workflows/launch.js";
import type { PipelineRuntime } from "../workflows/runtime.js";
import type { AdminLauncher } from "./routes/admin.js";
import type { GitHubWebhookEnqueue } from "./routes/index.js";

export function createLauncher(runtime: PipelineRuntime): AdminLauncher & GitHubWebhookEnqueue {
  const { workflowClient } = runtime;
  return {
    async scan(input) {
      return workflowClient.trigger(await scanTrigger(runtime, input));
    },
    async sweep(input) {
      return workflowClient.trigger(sweepTrigger(runtime, input));
    },
    async digest(input) {
      return workflowClient.trigger(notifyTrigger(runtime, { mode: "digest", ...input }));
    },
    async run(workflowRunId) {
      const { runs } = await workflowClient.logs({ filter: { workflowRunId } });
      return runs[0] ?? null;
    },
    // Webhook scans take their run id from the delivery id, so a redelivered webhook whose first
    // enqueue did reach QStash starts no second run while the first is active.
    async scanIssue(input) {
      await workflowClient.trigger(
        await scanTrigger(
          runtime,
          {
            repositories: [input.repository],
            issueNumbers: [input.number],
            reason: `webhook:issues.${input.action}`,
          },
          `webhook-${input.deliveryId}`,
        ),
      );
    },
    async scanRepository(input) {
      await workflowClient.trigger(
        await scanTrigger(
          runtime,
          { repositories: [input.repository], reason: `webhook:${input.reason}` },
          `webhook-${input.deliveryId}-${input.repository.replace("/", "-")}`,
        ),
      );
    },
  };
}
