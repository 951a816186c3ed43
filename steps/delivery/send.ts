import type { Channel, ChannelType } from "../../shared/domain/index.js";
import { type ResendOptions, sendEmail } from "./email.js";
import { type NotificationPayload, NotificationPayloadSchema } from "./payload.js";
import { sendSlack } from "./slack.js";
import { sendWebhook } from "./webhook.js";

export interface SendNotificationOptions {
  /** HTTP client, the global `fetch` by default. Tests and Workers service bindings may pass their own. */
  fetch?: typeof fetch;
  /** Limit for one HTTP exchange, body read included, in milliseconds. */
  timeoutMs: number;
  /** Needed for email channels only. */
  resend: ResendOptions;
  /** Clock for the webhook timestamp, the current time by default. */
  now?: () => Date;
}

export interface DeliveryResult {
  channel: ChannelType;
  /** The 2xx HTTP status of the target's response. */
  status: number;
  /** Provider's id for the message (Resend's email id), or null where the channel has none. */
  messageId: string | null;
}

/**
 * Delivers one notification to one channel, with a single attempt.
 *
 * Throws `DeliveryError` with the raw facts (status, `Retry-After`, timeout, body snippet) when the target
 * fails, and never retries: the calling step fails and QStash retries it under the step's policy.
 * Throws a plain `Error` before any request when `payload` or `timeoutMs` is invalid, which is a bug in
 * the caller rather than a delivery failure.
 */
export async function sendNotification(
  channel: Channel,
  payload: NotificationPayload,
  options: SendNotificationOptions,
): Promise<DeliveryResult> {
  if (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0) {
    throw new Error(`timeoutMs must be a positive number of milliseconds, got ${options.timeoutMs}`);
  }
  const parsed = NotificationPayloadSchema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `invalid notification payload at ${issue?.path.join(".") || "(root)"}: ${issue?.message}`,
    );
  }

  const fetchImpl = options.fetch ?? fetch;
  const now = options.now?.() ?? new Date();
  switch (channel.type) {
    case "webhook": {
      const result = await sendWebhook(channel, parsed.data, {
        fetch: fetchImpl,
        timeoutMs: options.timeoutMs,
        now,
      });
      return { channel: "webhook", status: result.status, messageId: null };
    }
    case "email": {
      const result = await sendEmail(channel, parsed.data, {
        fetch: fetchImpl,
        timeoutMs: options.timeoutMs,
        resend: options.resend,
      });
      return { channel: "email", status: result.status, messageId: result.messageId };
    }
    case "slack": {
      const result = await sendSlack(channel, parsed.data, {
        fetch: fetchImpl,
        timeoutMs: options.timeoutMs,
      });
      return { channel: "slack", status: result.status, messageId: null };
    }
    default: {
      const unhandled: never = channel;
      throw new Error(`unsupported channel ${JSON.stringify(unhandled)}`);
    }
  }
}
