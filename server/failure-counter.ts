/**
 * Counts failed dependency calls by failure class in the `failures.*` stats fields, so an operator (and
 * `npm run chaos`) can see how many retries each class cost. Wraps `runExternal` from outside instead
 * of changing it: the call is classified a second time here with the same pure `classifyFailure`.
 */
import {
  classifyFailure,
  type DependencyName,
  type RunExternalOptions,
  runExternal,
} from "../shared/reliability/index.js";
import type { Stores } from "../shared/store/index.js";

// Errors the workflow SDK uses for control flow, which `runExternal` passes through unclassified.
const WORKFLOW_CONTROL_NAMES = new Set([
  "WorkflowAbort",
  "WorkflowAuthError",
  "WorkflowCancelAbort",
  "WorkflowNonRetryableError",
  "WorkflowRetryAfterError",
  "PoisonInputError",
]);

/**
 * Calls `runExternal` and adds 1 to `failures.<kind>` for a failed call, or to `failures.breaker-open`
 * when the breaker deferred the call without making it. A failed counter update is logged and never
 * changes the outcome of the call.
 */
export async function runCountingFailures<T>(
  stats: Stores["stats"],
  dependency: DependencyName,
  call: () => Promise<T>,
  options: RunExternalOptions,
): Promise<T> {
  let called = false;
  let counted: Promise<void> | undefined;
  const count = (field: `failures.${string}`): Promise<void> =>
    stats.add({ [field]: 1 }).catch((error: unknown) => {
      options.logger?.error("failure counter update failed", { dependency, field, error });
    });

  const counting = async (): Promise<T> => {
    called = true;
    try {
      return await call();
    } catch (error) {
      const isControl = error instanceof Error && WORKFLOW_CONTROL_NAMES.has(error.name);
      if (!isControl) {
        const { kind } = classifyFailure(error, { dependency, now: options.now });
        counted = count(`failures.${kind}`);
      }
      throw error;
    }
  };

  try {
    return await runExternal(dependency, counting, options);
  } catch (error) {
    if (!called) counted = count("failures.breaker-open");
    await counted;
    throw error;
  }
}
