/**
 * notify-subscribers: sends immediate alerts for newly ranked opportunities, or the daily digests.
 *
 * Steps: `plan` (who gets what, from the ledger), then one `deliver:{deliveryId}` step per message, run
 * as parallel steps, so a failing channel retries alone without holding up the others, and a delivered
 * message is never sent again by a retry.
 */
import { WorkflowRetryAfterError } from "@upstash/workflow";
import { createWorkflow } from "@upstash/workflow/hono";
import type { DependencyName } from "../shared/reliability/index.js";
import {
  type DeliveryOutcome,
  deliverPlanned,
  type PlannedDelivery,
  planNotificationRun,
} from "../steps/notify-subscribers/index.js";
import { readPayload } from "./payload.js";
import { type NotifyPayload, NotifyPayloadSchema, WORKFLOW_IDS } from "./payloads.js";
import type { PipelineRuntime, RuntimeResolver } from "./runtime.js";

/** Seconds an in-progress delivery record blocks other attempts: longer than one send with its timeout. */
const DELIVERY_LEASE_SECONDS = 120;
/** Seconds a completed delivery record is kept: longer than QStash's longest redelivery window. */
const DELIVERY_DONE_TTL_SECONDS = 30 * 24 * 60 * 60;

export interface NotifySummary {
  planned: number;
  sent: number;
  duplicates: number;
  skipped: number;
}

/**
 * Body of one `deliver:{deliveryId}` step: sends the planned message at most once per (subscriber,
 * issue, channel). Throws `WorkflowRetryAfterError` while another attempt holds the delivery.
 */
export async function runDeliveryStep(
  runtime: PipelineRuntime,
  workflowRunId: string,
  delivery: PlannedDelivery,
): Promise<DeliveryOutcome> {
  const logger = runtime.logger.child({ workflowRunId, step: `deliver:${delivery.deliveryId}` });
  const result = await deliverPlanned(
    {
      redis: runtime.redis,
      stores: runtime.stores,
      keyPrefix: runtime.config.redis.keyPrefix,
      logger,
      resend: {
        baseUrl: runtime.config.delivery.resendBaseUrl,
        apiKey: runtime.config.delivery.resendApiKey ?? "",
        from: runtime.config.delivery.emailFrom,
      },
      timeoutMs: runtime.config.delivery.timeoutMs,
      leaseSeconds: DELIVERY_LEASE_SECONDS,
      doneTtlSeconds: DELIVERY_DONE_TTL_SECONDS,
      guard: (dependency, call) => runtime.guard(dependency as DependencyName, call, logger),
    },
    delivery,
    `${workflowRunId}:${delivery.deliveryId}`,
    runtime.now(),
  );
  if (result.status === "busy") {
    throw new WorkflowRetryAfterError(
      `delivery ${delivery.deliveryId} is in progress in another attempt`,
      result.retryAfterSeconds,
    );
  }
  return result;
}

export function createNotifyWorkflow(resolve: RuntimeResolver) {
  return createWorkflow<NotifyPayload, NotifySummary>(async (context) => {
    const runtime = resolve(context.env);
    const payload = readPayload(NotifyPayloadSchema, context.requestPayload, WORKFLOW_IDS.notify);

    const deliveries = await context.run("plan", () => {
      const request = payload.require();
      return planNotificationRun(
        runtime.stores,
        request.mode === "alerts"
          ? request
          : {
              mode: "digest",
              subscriberIds: request.subscriberIds,
              ignoreDigestHour: request.ignoreDigestHour,
            },
        runtime.now(),
      );
    });

    // Parallel steps: each delivery is its own QStash message, so a failing target retries alone while
    // the other channels and subscribers are served.
    const outcomes = await Promise.all(
      deliveries.map((delivery) =>
        context.run(`deliver:${delivery.deliveryId}`, () =>
          runDeliveryStep(runtime, context.workflowRunId, delivery),
        ),
      ),
    );
    const summary: NotifySummary = { planned: deliveries.length, sent: 0, duplicates: 0, skipped: 0 };
    for (const outcome of outcomes) {
      if (outcome.status === "sent") summary.sent += 1;
      else if (outcome.status === "duplicate") summary.duplicates += 1;
      else summary.skipped += 1;
    }
    return summary;
  });
}
