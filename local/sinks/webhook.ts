/**
 * Stand-in for a subscriber's webhook receiver at `POST /webhooks/:name`. It accepts any body and
 * records the raw text and headers, so a test can check the `X-Radar-Signature-256` HMAC over the
 * exact bytes that arrived. It responds 200 with `{"ok":true}`.
 */
import { type ChannelEndpoint, type ChannelRequest, jsonResponse, textResponse } from "./endpoint.js";

export function createWebhookEndpoint(): ChannelEndpoint {
  return {
    channel: "webhook",
    targetOf: webhookName,
    handle: (request) => ({
      outcome: "delivered",
      target: webhookName(request),
      response: jsonResponse(200, { ok: true }),
    }),
    faultResponse: (status) => ({
      ...textResponse(status, `injected fault: status ${status}`),
      error: "injected_fault",
    }),
  };
}

function webhookName(request: ChannelRequest): string {
  return request.params["name"] ?? "";
}
