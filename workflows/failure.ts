/**
 * The failure function every workflow of this app registers: it stores a dead-run record (see
 * `steps/maintenance/record-failure.ts`) so the maintenance workflow can re-drive or quarantine it.
 */
import type { WorkflowServeOptions } from "@upstash/workflow";
import { recordFailedRun } from "../steps/maintenance/index.js";
import type { RuntimeResolver } from "./runtime.js";

type FailureFunction<TPayload> = NonNullable<WorkflowServeOptions<TPayload>["failureFunction"]>;

export function deadLetterRecorder<TPayload>(resolve: RuntimeResolver): FailureFunction<TPayload> {
  return async ({ context, failStatus, failResponse, failHeaders, failStack }) => {
    const runtime = resolve(context.env);
    await recordFailedRun(runtime, {
      workflowRunId: context.workflowRunId,
      workflowUrl: context.url,
      labels: context.labels,
      failStatus,
      failResponse,
      failHeaders,
      failStack,
    });
  };
}
