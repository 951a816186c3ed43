/**
 * scan-repository: fetches one batch of repositories (or single issues of one repository, for
 * webhooks), stores what changed, and hands candidates that need analysis to analyze-issues in
 * batches. analyze-issues in turn hands new opportunities to notify-subscribers.
 */
import type { InvokableWorkflow } from "@upstash/workflow";
import { createWorkflow } from "@upstash/workflow/hono";
import { retryOptions } from "../shared/reliability/index.js";
import { type ScanStepResult, scanRepositories } from "../steps/scan-repository/index.js";
import { readPayload } from "./payload.js";
import {
  type AnalyzePayload,
  type AnalyzeResult,
  type ScanPayload,
  ScanPayloadSchema,
  WORKFLOW_IDS,
} from "./payloads.js";
import type { RuntimeResolver } from "./runtime.js";

export interface ScanSummary {
  scan: ScanStepResult;
  analysisRuns: number;
  failedAnalysisRuns: number;
  opportunities: number;
}

export function createScanWorkflow(
  resolve: RuntimeResolver,
  analyzeWorkflow: InvokableWorkflow<AnalyzePayload, AnalyzeResult>,
) {
  return createWorkflow<ScanPayload, ScanSummary>(async (context) => {
    const runtime = resolve(context.env);
    const payload = readPayload(ScanPayloadSchema, context.requestPayload, WORKFLOW_IDS.scan);

    const scan = await context.run("fetch-and-store", () => {
      const request = payload.require();
      const logger = runtime.logger.child({
        workflowRunId: context.workflowRunId,
        step: "fetch-and-store",
        reason: request.reason,
        repositories: request.repositories.length,
      });
      return scanRepositories(runtime, request, logger);
    });

    const summary: ScanSummary = { scan, analysisRuns: 0, failedAnalysisRuns: 0, opportunities: 0 };
    const batchSize = runtime.config.analysis.batchSize;
    for (let start = 0; start < scan.toAnalyse.length; start += batchSize) {
      const issueIds = scan.toAnalyse.slice(start, start + batchSize);
      const result = await context.invoke(`analyze:${start / batchSize}`, {
        workflow: analyzeWorkflow,
        body: { issueIds },
        ...retryOptions(runtime.config.retryPolicies.analyze),
      });
      summary.analysisRuns += 1;
      // A failed analysis run sits in the dead-letter queue and notifies by itself once re-driven.
      if (result.isFailed || result.isCanceled) summary.failedAnalysisRuns += 1;
      else summary.opportunities += result.body.opportunityIds.length;
    }

    // Last, so a run that dies before this point reads the same issues again when it is retried.
    if (Object.keys(scan.nextCursors).length > 0) {
      await context.run("advance-cursors", () =>
        runtime.stores.repositories.setIssueCursors(scan.nextCursors),
      );
    }
    return summary;
  });
}
