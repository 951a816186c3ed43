/**
 * Stand-in for the Resend API's `POST /emails`, mounted at `/resend/emails`, so product code can set
 * its Resend base URL to `<sink url>/resend`.
 *
 * Shapes follow Resend's API reference (resend.com/docs/api-reference): a success is 200 with
 * `{"id": "<uuid>"}`, and an error is `{"statusCode", "message", "name"}`. Requests need
 * `Authorization: Bearer <key>`: a missing key is 401 `missing_api_key`, and a key that is not the
 * configured one (or, with none configured, does not start with `re_`) is 403 `invalid_api_key`.
 * A missing `from`, `to` or `subject` is 422 `missing_required_field`, and other invalid fields are
 * 400 `validation_error`.
 *
 * `Idempotency-Key` (1 to 256 characters, else 400 `invalid_idempotency_key`) makes a repeated
 * request with the same body return the first email's id without sending again. The same key with a
 * different body is 409 `invalid_idempotent_request`.
 * NOTE: keys are kept in memory for the server's lifetime, where Resend keeps them for 24 hours, and
 * bodies are compared byte for byte, where Resend may compare the parsed payload.
 */
import { createHash, randomUUID } from "node:crypto";
import { z } from "zod";
import { type ChannelEndpoint, type ChannelRequest, type ChannelResult, jsonResponse } from "./endpoint.js";

const MAX_RECIPIENTS = 50;
const MAX_IDEMPOTENCY_KEY_LENGTH = 256;

/** `address@domain` or `Display Name <address@domain>`; group 1 is the bare address. */
const MAILBOX_PATTERN = /^\s*(?:[^<>]*<\s*([^<>\s]+)\s*>|([^<>\s]+))\s*$/;

function bareAddress(mailbox: string): string | undefined {
  const match = MAILBOX_PATTERN.exec(mailbox);
  const address = match?.[1] ?? match?.[2];
  return address !== undefined && z.email().safeParse(address).success ? address : undefined;
}

const mailboxSchema = z.string().refine((value) => bareAddress(value) !== undefined, {
  message: "must be an email address, optionally as `Name <address>`",
});

const recipientsSchema = z.union([
  mailboxSchema,
  z.array(mailboxSchema).min(1).max(MAX_RECIPIENTS, `at most ${MAX_RECIPIENTS} recipients`),
]);

const sendEmailSchema = z.looseObject({
  from: mailboxSchema,
  to: recipientsSchema,
  subject: z.string(),
  cc: recipientsSchema.optional(),
  bcc: recipientsSchema.optional(),
  reply_to: recipientsSchema.optional(),
  html: z.string().optional(),
  text: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  tags: z.array(z.object({ name: z.string().regex(/^[A-Za-z0-9_-]{1,256}$/), value: z.string() })).optional(),
  scheduled_at: z.string().optional(),
});

const REQUIRED_FIELDS = ["from", "to", "subject"] as const;

interface ResendErrorName {
  name: string;
  statusCode: number;
}

function resendError(error: ResendErrorName, message: string, target = ""): ChannelResult {
  return {
    outcome: "rejected",
    target,
    error: error.name,
    response: jsonResponse(error.statusCode, { statusCode: error.statusCode, message, name: error.name }),
  };
}

export interface ResendEndpointOptions {
  /** The only API key accepted. Default: any key that starts with `re_`. */
  apiKey?: string;
}

export function createResendEndpoint(options: ResendEndpointOptions = {}): ChannelEndpoint {
  const idempotency = new Map<string, { bodyHash: string; emailId: string; target: string }>();

  const handle = (request: ChannelRequest): ChannelResult => {
    const authorization = request.headers["authorization"];
    const key = authorization === undefined ? undefined : /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
    if (key === undefined) {
      return resendError(
        { name: "missing_api_key", statusCode: 401 },
        "Missing API key in the authorization header. Include the header Authorization: Bearer YOUR_API_KEY.",
      );
    }
    const keyAccepted = options.apiKey === undefined ? key.startsWith("re_") : key === options.apiKey;
    if (!keyAccepted) {
      return resendError({ name: "invalid_api_key", statusCode: 403 }, "API key is invalid");
    }

    const idempotencyKey = request.headers["idempotency-key"];
    if (
      idempotencyKey !== undefined &&
      (idempotencyKey.length < 1 || idempotencyKey.length > MAX_IDEMPOTENCY_KEY_LENGTH)
    ) {
      return resendError(
        { name: "invalid_idempotency_key", statusCode: 400 },
        `The key must be between 1-${MAX_IDEMPOTENCY_KEY_LENGTH} chars.`,
      );
    }

    const validated = validateEmail(request);
    if (!validated.ok) return validated.result;
    const target = validated.target;

    if (idempotencyKey !== undefined) {
      const bodyHash = createHash("sha256").update(request.body).digest("hex");
      const earlier = idempotency.get(idempotencyKey);
      if (earlier !== undefined && earlier.bodyHash !== bodyHash) {
        return resendError(
          { name: "invalid_idempotent_request", statusCode: 409 },
          "Same idempotency key used with a different request payload.",
          target,
        );
      }
      if (earlier !== undefined) {
        return {
          outcome: "replayed",
          target: earlier.target,
          emailId: earlier.emailId,
          response: jsonResponse(200, { id: earlier.emailId }),
        };
      }
      const emailId = randomUUID();
      idempotency.set(idempotencyKey, { bodyHash, emailId, target });
      return { outcome: "delivered", target, emailId, response: jsonResponse(200, { id: emailId }) };
    }

    const emailId = randomUUID();
    return { outcome: "delivered", target, emailId, response: jsonResponse(200, { id: emailId }) };
  };

  return {
    channel: "email",
    targetOf: (request) => recipientsTarget(parseJson(request.body)),
    handle,
    faultResponse: (status) => {
      let name = "validation_error";
      let message = "Injected fault.";
      if (status === 429) {
        name = "rate_limit_exceeded";
        message = "Too many requests. Please limit the number of requests per second.";
      } else if (status >= 500) {
        name = "application_error";
      }
      return { ...jsonResponse(status, { statusCode: status, message, name }), error: name };
    },
    reset: () => idempotency.clear(),
  };
}

type Validation = { ok: true; target: string } | { ok: false; result: ChannelResult };

function validateEmail(request: ChannelRequest): Validation {
  const body = parseJson(request.body);
  if (body === undefined || typeof body !== "object" || body === null || Array.isArray(body)) {
    const result = resendError(
      { name: "validation_error", statusCode: 400 },
      "Invalid request body: expected a JSON object.",
    );
    return { ok: false, result };
  }

  const target = recipientsTarget(body);
  for (const field of REQUIRED_FIELDS) {
    if (!(field in body)) {
      const result = resendError(
        { name: "missing_required_field", statusCode: 422 },
        `Missing \`${field}\` field.`,
        target,
      );
      return { ok: false, result };
    }
  }

  const parsed = sendEmailSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join(".") || "body";
    const result = resendError(
      { name: "validation_error", statusCode: 400 },
      `Invalid \`${field}\` field: ${issue?.message ?? "invalid value"}.`,
      target,
    );
    return { ok: false, result };
  }

  // NOTE: Resend also accepts `react` (Node SDK only) and `template` bodies; this stand-in needs html or text.
  if (parsed.data.html === undefined && parsed.data.text === undefined) {
    const result = resendError(
      { name: "missing_required_field", statusCode: 422 },
      "Missing `html` or `text` field.",
      target,
    );
    return { ok: false, result };
  }
  return { ok: true, target };
}

/** Joins the bare `to` addresses of a parsed body with commas, or returns "" when there are none. */
function recipientsTarget(body: unknown): string {
  if (typeof body !== "object" || body === null || !("to" in body)) return "";
  const to = body.to;
  const mailboxes = typeof to === "string" ? [to] : Array.isArray(to) ? to : [];
  return mailboxes
    .filter((mailbox): mailbox is string => typeof mailbox === "string")
    .map((mailbox) => bareAddress(mailbox) ?? mailbox)
    .join(",");
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
