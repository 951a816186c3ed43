/**
 * analyze-issues: analyses a batch of candidate issues, stores analyses and ranked opportunities, then
 * hands the new opportunities to notify-subscribers.
 *
 * The heuristic analyser runs inside one `analyse` step. The model analyser's HTTP requests go through
 * `context.call`, one call step per request, so the Worker does not wait on the model. Those calls run
 * outside `context.run` because they replay from QStash's step log on every delivery. Only the
 * `store` step writes.
 */
import type { InvokableWorkflow } from "@upstash/workflow";
import { createWorkflow } from "@upstash/workflow/hono";
import { retryOptions } from "../shared/reliability/index.js";
import { createHeuristicAnalyser } from "../steps/analysis/index.js";
import {
  type AnalyserOutputs,
  analyseBatchWithModel,
  loadAnalysisBatch,
  storeAnalyses,
} from "../steps/analyze-issues/index.js";
import type { NotifySummary } from "./notify-subscribers.js";
import { readPayload } from "./payload.js";
import {
  type AnalyzePayload,
  AnalyzePayloadSchema,
  type AnalyzeResult,
  type NotifyPayload,
  WORKFLOW_IDS,
} from "./payloads.js";
import type { RuntimeResolver } from "./runtime.js";

export function createAnalyzeWorkflow(
  resolve: RuntimeResolver,
  notifyWorkflow: InvokableWorkflow<NotifyPayload, NotifySummary>,
) {
  return createWorkflow<AnalyzePayload, AnalyzeResult>(async (context) => {
    const runtime = resolve(context.env);
    const payload = readPayload(AnalyzePayloadSchema, context.requestPayload, WORKFLOW_IDS.analyze);
    const logger = runtime.logger.child({ workflowRunId: context.workflowRunId, workflow: "analyze-issues" });

    const batch = await context.run("load", () =>
      loadAnalysisBatch(runtime.stores, payload.require().issueIds),
    );
    if (batch.issues.length === 0) return { opportunityIds: [], analysed: 0 };

    let stored: AnalyzeResult;
    const model = runtime.config.analysis.model;
    if (runtime.config.analysis.analyser === "heuristic" || model === null) {
      stored = await context.run("analyse", async () => {
        const analyser = createHeuristicAnalyser();
        const repositories = new Map(
          batch.repositories.map((repository) => [repository.nameWithOwner, repository]),
        );
        const outputs: AnalyserOutputs = [];
        for (const issue of batch.issues) {
          const repository = repositories.get(issue.repository);
          if (repository) outputs.push([issue.id, await analyser.analyse(issue, repository)]);
        }
        return storeAnalyses(runtime.stores, batch, outputs, runtime.now(), logger);
      });
    } else {
      const outputs = await analyseBatchWithModel(context, model, batch);
      stored = await context.run("store", () =>
        storeAnalyses(runtime.stores, batch, outputs, runtime.now(), logger),
      );
    }

    if (stored.opportunityIds.length > 0) {
      await context.invoke("notify", {
        workflow: notifyWorkflow,
        body: { mode: "alerts", opportunityIds: stored.opportunityIds },
        ...retryOptions(runtime.config.retryPolicies.notify),
      });
    }
    return stored;
  });
}
