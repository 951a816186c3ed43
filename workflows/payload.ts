/**
 * Parsing of a workflow's initial payload without throwing outside a step.
 *
 * The workflow SDK also runs the route function to authorise deliveries that are not steps (the
 * callback of a `context.call`, whose `requestPayload` is the callback body), and an error thrown
 * before the first step fails that delivery. So the payload is parsed up front but only enforced
 * inside the first step, where a bad payload fails the run at once without retries.
 */
import { WorkflowNonRetryableError } from "@upstash/workflow";
import type { z } from "zod";

export function readPayload<T extends z.ZodType>(schema: T, payload: unknown, workflowId: string) {
  const parsed = schema.safeParse(payload);
  return {
    /** The parsed payload, or undefined when it is invalid (or not a trigger payload). */
    value: parsed.success ? (parsed.data as z.output<T>) : undefined,
    /** Returns the parsed payload; call inside the first step. Throws a non-retryable error naming the problem. */
    require(): z.output<T> {
      if (parsed.success) return parsed.data as z.output<T>;
      const problems = parsed.error.issues.map(
        (issue) => `${issue.path.join(".") || "payload"}: ${issue.message}`,
      );
      throw new WorkflowNonRetryableError(`invalid ${workflowId} payload: ${problems.join("; ")}`);
    },
  };
}
