/**
 * sweep: started by a QStash schedule. Picks the watched repositories whose scan is due and starts
 * scan-repository runs for them in batches, under the GitHub credential's flow-control key.
 */
import { createWorkflow } from "@upstash/workflow/hono";
import { scanTrigger } from "./launch.js";
import { readPayload } from "./payload.js";
import { type SweepPayload, SweepPayloadSchema, WORKFLOW_IDS } from "./payloads.js";
import type { RuntimeResolver } from "./runtime.js";

export interface SweepSummary {
  repositories: number;
  scans: string[];
}

function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let index = 0; index < items.length; index += size) chunks.push(items.slice(index, index + size));
  return chunks;
}

export function createSweepWorkflow(resolve: RuntimeResolver) {
  return createWorkflow<SweepPayload | undefined, SweepSummary>(async (context) => {
    const runtime = resolve(context.env);
    const payload = readPayload(SweepPayloadSchema, context.requestPayload ?? {}, WORKFLOW_IDS.sweep);

    const batches = await context.run("pick-due", async () => {
      const { repositories } = runtime.stores;
      const nowMs = runtime.now().getTime();
      const request = payload.require();
      let names: string[];
      if (request.repositories !== undefined) {
        const watched = new Set(await repositories.listWatched());
        names = request.repositories.filter((name) => watched.has(name));
      } else if (request.all) {
        names = await repositories.listWatched();
      } else {
        names = await repositories.due(nowMs, runtime.config.schedule.sweepMaxRepositories);
      }
      // Rescheduled before the scans start: a scan that fails goes to the dead-letter queue and is
      // re-driven from there, rather than being started again by every sweep.
      await repositories.scheduleNext(names, nowMs + runtime.config.schedule.scanIntervalMinutes * 60_000);
      return chunk(names, runtime.config.github.repositoriesPerRequest);
    });
    if (batches.length === 0) return { repositories: 0, scans: [] };

    const scans = await context.run("start-scans", async () => {
      // Run ids derive from the sweep's run id, so a retried step starts no second copy of a scan.
      const triggers = await Promise.all(
        batches.map((repositories, index) =>
          scanTrigger(runtime, { repositories, reason: "sweep" }, `scan-${context.workflowRunId}-${index}`),
        ),
      );
      const started = await runtime.workflowClient.trigger(triggers);
      runtime.logger.info("sweep started scans", {
        workflowRunId: context.workflowRunId,
        scans: started.length,
      });
      return started.map((run) => run.workflowRunId);
    });
    return { repositories: batches.flat().length, scans };
  });
}
