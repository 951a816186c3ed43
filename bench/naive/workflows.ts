/**
 * The naive design the cost benchmark compares the product against: one workflow run per issue.
 *
 * - `naive-list`: one run per repository. Its `list` step reads the repository and its open issue
 *   numbers in one GraphQL request, and its `start` step triggers one `naive-issue` run per number.
 * - `naive-issue`: fetches its one issue with the product's single-issue scan (one `Issue` request),
 *   analyses it with the configured analyser, stores the analysis and opportunity, and sends the alerts,
 *   all in the one run.
 *
 * The step bodies are the product's own (`scanRepositories`, the analysers, `storeAnalyses`,
 * `planNotificationRun`, `deliverPlanned`), so only the orchestration and the fetch granularity differ.
 */
import { WorkflowNonRetryableError } from "@upstash/workflow";
import { createWorkflow } from "@upstash/workflow/hono";
import { z } from "zod";
import { createHeuristicAnalyser } from "../../steps/analysis/index.js";
import {
  type AnalyserOutputs,
  analyseBatchWithModel,
  loadAnalysisBatch,
  storeAnalyses,
} from "../../steps/analyze-issues/index.js";
import { planNotificationRun } from "../../steps/notify-subscribers/index.js";
import { scanRepositories } from "../../steps/scan-repository/index.js";
import { runDeliveryStep } from "../../workflows/notify-subscribers.js";
import type { RuntimeResolver } from "../../workflows/runtime.js";
import { listRepositoryIssues } from "./list-issues.js";

export const NAIVE_WORKFLOW_IDS = { list: "naive-list", issue: "naive-issue" } as const;

export const NaiveListPayloadSchema = z.object({ repository: z.string().regex(/^[^/\s]+\/[^/\s]+$/) });
export const NaiveIssuePayloadSchema = z.object({
  repository: z.string().regex(/^[^/\s]+\/[^/\s]+$/),
  number: z.number().int().positive(),
});
export type NaiveListPayload = z.infer<typeof NaiveListPayloadSchema>;
export type NaiveIssuePayload = z.infer<typeof NaiveIssuePayloadSchema>;

/**
 * Parses a trigger payload inside the first step. Parsing outside a step would also reject the
 * callback deliveries of `context.call`, whose request payload is the callback body.
 */
function requirePayload<T extends z.ZodType>(schema: T, payload: unknown, workflowId: string): z.output<T> {
  const parsed = schema.safeParse(payload);
  if (parsed.success) return parsed.data;
  throw new WorkflowNonRetryableError(`invalid ${workflowId} payload: ${parsed.error.message}`);
}

export function createNaiveListWorkflow(resolve: RuntimeResolver, issueWorkflowUrl: () => string) {
  return createWorkflow<NaiveListPayload, number>(async (context) => {
    const runtime = resolve(context.env);
    const logger = runtime.logger.child({ workflowRunId: context.workflowRunId, workflow: "naive-list" });
    const listed = await context.run("list", () => {
      const { repository } = requirePayload(NaiveListPayloadSchema, context.requestPayload, "naive-list");
      return listRepositoryIssues(runtime, repository, logger);
    });
    if (listed.numbers.length === 0) return 0;
    // NOTE: a retried `start` step triggers the issue runs again. Only the cost grows, because the
    // per-issue runs skip stored analyses and deduplicate deliveries.
    await context.run("start", async () => {
      await runtime.workflowClient.trigger(
        listed.numbers.map((number) => ({
          url: issueWorkflowUrl(),
          body: { repository: listed.repository, number },
        })),
      );
    });
    return listed.numbers.length;
  });
}

export function createNaiveIssueWorkflow(resolve: RuntimeResolver) {
  return createWorkflow<NaiveIssuePayload, number>(async (context) => {
    const runtime = resolve(context.env);
    const { stores } = runtime;
    const logger = runtime.logger.child({ workflowRunId: context.workflowRunId, workflow: "naive-issue" });

    const scan = await context.run("fetch-and-store", () => {
      const { repository, number } = requirePayload(
        NaiveIssuePayloadSchema,
        context.requestPayload,
        "naive-issue",
      );
      return scanRepositories(runtime, { repositories: [repository], issueNumbers: [number] }, logger);
    });
    if (scan.toAnalyse.length === 0) return 0;
    const batch = await context.run("load", () => loadAnalysisBatch(stores, scan.toAnalyse));
    if (batch.issues.length === 0) return 0;

    const repositories = new Map(batch.repositories.map((entry) => [entry.nameWithOwner, entry]));
    const model = runtime.config.analysis.model;
    let opportunityIds: string[];
    if (runtime.config.analysis.analyser === "heuristic" || model === null) {
      const stored = await context.run("analyse", async () => {
        const analyser = createHeuristicAnalyser();
        const outputs: AnalyserOutputs = [];
        for (const issue of batch.issues) {
          const issueRepository = repositories.get(issue.repository);
          if (issueRepository) outputs.push([issue.id, await analyser.analyse(issue, issueRepository)]);
        }
        return storeAnalyses(stores, batch, outputs, runtime.now(), logger);
      });
      opportunityIds = stored.opportunityIds;
    } else {
      const outputs = await analyseBatchWithModel(context, model, batch);
      const stored = await context.run("store", () =>
        storeAnalyses(stores, batch, outputs, runtime.now(), logger),
      );
      opportunityIds = stored.opportunityIds;
    }
    if (opportunityIds.length === 0) return 0;

    const deliveries = await context.run("plan", () =>
      planNotificationRun(stores, { mode: "alerts", opportunityIds }, runtime.now()),
    );
    for (const delivery of deliveries) {
      await context.run(`deliver:${delivery.deliveryId}`, () =>
        runDeliveryStep(runtime, context.workflowRunId, delivery),
      );
    }
    return deliveries.length;
  });
}
