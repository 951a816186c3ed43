/**
 * Email through the Resend API (`POST {baseUrl}/emails`, documented at resend.com/docs/api-reference/emails).
 * The delivery id goes in the `Idempotency-Key` header, so when a retried step sends the same email
 * again within 24 hours, Resend returns the first email's id instead of sending a second one.
 */
import { z } from "zod";
import type { Channel } from "../../shared/domain/index.js";
import { DeliveryError } from "./errors.js";
import { BODY_SNIPPET_CHARS, postJson, targetHostOf } from "./http.js";
import type { NotificationPayload } from "./payload.js";
import { renderEmail } from "./render.js";

export interface ResendOptions {
  /** API root without a trailing slash, `https://api.resend.com` in production. */
  baseUrl: string;
  /** Resend API key (`re_...`), sent as a bearer token. */
  apiKey: string;
  /** Sender, `Name <address>` on a domain verified in Resend. */
  from: string;
}

/** The success body of `POST /emails`. */
const ResendSendResponseSchema = z.object({ id: z.string().min(1) });

export interface EmailSendOptions {
  fetch: typeof fetch;
  timeoutMs: number;
  resend: ResendOptions;
}

/** Sends one email and returns Resend's status and email id. Throws `DeliveryError` on failure. */
export async function sendEmail(
  channel: Extract<Channel, { type: "email" }>,
  payload: NotificationPayload,
  options: EmailSendOptions,
): Promise<{ status: number; messageId: string }> {
  const rendered = renderEmail(payload);
  const url = `${options.resend.baseUrl.replace(/\/+$/, "")}/emails`;

  const response = await postJson({
    channel: "email",
    url,
    body: JSON.stringify({
      from: options.resend.from,
      to: [channel.to],
      subject: rendered.subject,
      html: rendered.html,
      text: rendered.text,
    }),
    headers: {
      authorization: `Bearer ${options.resend.apiKey}`,
      "idempotency-key": payload.id,
    },
    timeoutMs: options.timeoutMs,
    fetch: options.fetch,
  });

  const parsed = ResendSendResponseSchema.safeParse(parseJson(response.bodyText));
  if (!parsed.success) {
    throw new DeliveryError({
      channel: "email",
      targetHost: targetHostOf(url),
      reason: "invalid-response",
      status: response.status,
      bodySnippet: response.bodyText.slice(0, BODY_SNIPPET_CHARS),
    });
  }
  return { status: response.status, messageId: parsed.data.id };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
