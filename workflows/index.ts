/**
 * The product's workflows, wired together. `server/app.ts` serves them with `serveMany` under
 * `/workflows/{id}`; ids are in `WORKFLOW_IDS`.
 */
import { createAnalyzeWorkflow } from "./analyze-issues.js";
import { createMaintenanceWorkflow } from "./maintenance.js";
import { createNotifyWorkflow } from "./notify-subscribers.js";
import { WORKFLOW_IDS } from "./payloads.js";
import type { RuntimeResolver } from "./runtime.js";
import { createScanWorkflow } from "./scan-repository.js";
import { createSweepWorkflow } from "./sweep.js";

export { deadLetterRecorder } from "./failure.js";
export { githubFlowControlKey, notifyTrigger, scanTrigger, sweepTrigger } from "./launch.js";
export * from "./payloads.js";
export type { PipelineRuntime, RuntimeResolver } from "./runtime.js";

export function createWorkflows(resolve: RuntimeResolver) {
  const notify = createNotifyWorkflow(resolve);
  const analyze = createAnalyzeWorkflow(resolve, notify);
  const scan = createScanWorkflow(resolve, analyze);
  const sweep = createSweepWorkflow(resolve);
  const maintenance = createMaintenanceWorkflow(resolve);
  return {
    [WORKFLOW_IDS.scan]: scan,
    [WORKFLOW_IDS.sweep]: sweep,
    [WORKFLOW_IDS.analyze]: analyze,
    [WORKFLOW_IDS.notify]: notify,
    [WORKFLOW_IDS.maintenance]: maintenance,
  };
}
