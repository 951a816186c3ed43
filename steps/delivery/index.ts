export { type ResendOptions, sendEmail } from "./email.js";
export {
  DeliveryError,
  type DeliveryErrorFacts,
  type DeliveryFailureReason,
  isDeliveryError,
  parseRetryAfter,
} from "./errors.js";
export { type NotificationPayload, NotificationPayloadSchema } from "./payload.js";
export {
  escapeHtml,
  escapeSlack,
  type RenderedEmail,
  type RenderedSlackMessage,
  renderEmail,
  renderHtml,
  renderSlackMessage,
  renderSubject,
  renderText,
  type SlackBlock,
} from "./render.js";
export { type DeliveryResult, type SendNotificationOptions, sendNotification } from "./send.js";
export { sendSlack } from "./slack.js";
export {
  buildWebhookBody,
  RADAR_DELIVERY_HEADER,
  RADAR_SIGNATURE_HEADER,
  RADAR_TIMESTAMP_HEADER,
  type RadarWebhookBody,
  RadarWebhookBodySchema,
  sendWebhook,
  signRadarBody,
  verifyRadarSignature,
} from "./webhook.js";
