/**
 * Trigger options for starting the product's workflows through the Upstash Workflow client. Used by
 * the sweep workflow (inside a step), the admin API and the GitHub webhook route.
 */
import type { TriggerOptions } from "@upstash/workflow";
import { retryOptions } from "../shared/reliability/index.js";
import type { NotifyPayload, ScanPayload, SweepPayload } from "./payloads.js";
import { WORKFLOW_IDS } from "./payloads.js";
import type { PipelineRuntime } from "./runtime.js";

/**
 * Flow-control key of every scan made with one GitHub credential: a digest of the token, so scans of
 * the whole fleet share one parallelism and rate limit per token without the token appearing in QStash.
 */
export async function githubFlowControlKey(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  const hex = [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return `github-${hex.slice(0, 16)}`;
}

export async function scanTrigger(
  runtime: PipelineRuntime,
  payload: ScanPayload,
  workflowRunId?: string,
): Promise<TriggerOptions> {
  const { github, retryPolicies } = runtime.config;
  return {
    url: runtime.workflowUrl(WORKFLOW_IDS.scan),
    body: payload,
    ...(workflowRunId ? { workflowRunId } : {}),
    ...retryOptions(retryPolicies.scan),
    flowControl: {
      key: await githubFlowControlKey(github.token),
      parallelism: github.scanParallelism,
      rate: github.scanRatePerMinute,
      period: "1m",
    },
    label: "scan",
  };
}

export function sweepTrigger(runtime: PipelineRuntime, payload: SweepPayload): TriggerOptions {
  return {
    url: runtime.workflowUrl(WORKFLOW_IDS.sweep),
    body: payload,
    ...retryOptions(runtime.config.retryPolicies.sweep),
    label: "sweep",
  };
}

export function notifyTrigger(runtime: PipelineRuntime, payload: NotifyPayload): TriggerOptions {
  return {
    url: runtime.workflowUrl(WORKFLOW_IDS.notify),
    body: payload,
    ...retryOptions(runtime.config.retryPolicies.notify),
    label: "notify",
  };
}
