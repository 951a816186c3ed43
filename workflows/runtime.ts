/**
 * What workflow code needs from its environment, resolved once per Worker `env`.
 * `server/runtime.ts` builds it; workflows only see this interface.
 */

import type { Redis } from "@upstash/redis";
import type { Client as WorkflowClient } from "@upstash/workflow";
import type { AppConfig } from "../shared/config.js";
import type { Logger } from "../shared/logger.js";
import type { DependencyName } from "../shared/reliability/index.js";
import type { Stores } from "../shared/store/index.js";
import type { GitHubClient } from "../steps/github/client.js";

export interface PipelineRuntime {
  config: AppConfig;
  redis: Redis;
  stores: Stores;
  logger: Logger;
  github: GitHubClient;
  workflowClient: WorkflowClient;
  /** Current time; pinned when `CLOCK_FIXED_AT` is set. Read it only inside steps. */
  now(): Date;
  /**
   * Runs a call to an external dependency behind its circuit breaker and maps its failure to the
   * workflow error the runtime should see (retry, retry-after or non-retryable).
   */
  guard<T>(dependency: DependencyName, call: () => Promise<T>, logger?: Logger): Promise<T>;
  /** URL of a workflow of this app, e.g. `https://radar.example.dev/workflows/scan-repository`. */
  workflowUrl(workflowId: string): string;
}

export type RuntimeResolver = (env: Record<string, unknown> | undefined) => PipelineRuntime;
