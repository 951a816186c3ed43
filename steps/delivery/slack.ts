import type { Channel } from "../../shared/domain/index.js";
import { postJson } from "./http.js";
import type { NotificationPayload } from "./payload.js";
import { renderSlackMessage } from "./render.js";

export interface SlackSendOptions {
  fetch: typeof fetch;
  timeoutMs: number;
}

/**
 * POSTs one message to a Slack incoming webhook (`{ text, blocks }`) and returns the 2xx status.
 * Slack responds 200 with the text `ok`, and a 4xx with an error code in the body (`invalid_payload`,
 * `channel_not_found`, `no_service`...), which ends up in `DeliveryError.bodySnippet`.
 *
 * NOTE: incoming webhooks have no idempotency key, so a step that times out after Slack accepted the
 * message posts it again on retry. Only the webhook and email channels are deduplicated end to end.
 */
export async function sendSlack(
  channel: Extract<Channel, { type: "slack" }>,
  payload: NotificationPayload,
  options: SlackSendOptions,
): Promise<{ status: number }> {
  const message = renderSlackMessage(payload);
  const response = await postJson({
    channel: "slack",
    url: channel.webhookUrl,
    body: JSON.stringify(message),
    headers: {},
    timeoutMs: options.timeoutMs,
    fetch: options.fetch,
  });
  return { status: response.status };
}
