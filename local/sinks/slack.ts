/**
 * Stand-in for Slack incoming webhooks at `POST /slack/:team/:channel`.
 *
 * Slack takes a JSON body (or a form field `payload` that contains the JSON) with `text`, and
 * optionally Block Kit `blocks` and legacy `attachments`. It responds 200 with the text `ok`. Errors
 * are plain-text codes with status 400. This stand-in sends `invalid_payload` for a body that is not
 * a JSON object and `no_text` when there is nothing to show. It sends `invalid_blocks` for blocks that
 * are not Block Kit objects and `too_many_attachments` above 100 attachments.
 * NOTE: only the top-level shape of blocks (an object with a string `type`, at most 50) is checked,
 * not each block type's own fields.
 */
import { z } from "zod";
import { type ChannelEndpoint, type ChannelRequest, type ChannelResult, textResponse } from "./endpoint.js";

const MAX_BLOCKS = 50;
const MAX_ATTACHMENTS = 100;

const blocksSchema = z.array(z.looseObject({ type: z.string().min(1) })).max(MAX_BLOCKS);

const messageSchema = z.looseObject({
  text: z.string().optional(),
  blocks: z.unknown().optional(),
  attachments: z.array(z.unknown()).optional(),
});

export function createSlackEndpoint(): ChannelEndpoint {
  return {
    channel: "slack",
    targetOf: slackTarget,
    handle: handleSlackMessage,
    faultResponse: (status) => {
      let error = "invalid_payload";
      if (status === 429) error = "rate_limited";
      else if (status >= 500) error = "internal_error";
      return { ...textResponse(status, error), error };
    },
  };
}

function slackTarget(request: ChannelRequest): string {
  return `${request.params["team"] ?? ""}/${request.params["channel"] ?? ""}`;
}

function reject(request: ChannelRequest, error: string): ChannelResult {
  return { outcome: "rejected", target: slackTarget(request), error, response: textResponse(400, error) };
}

function handleSlackMessage(request: ChannelRequest): ChannelResult {
  const payload = parsePayload(request);
  const message = messageSchema.safeParse(payload);
  if (!message.success) return reject(request, "invalid_payload");

  const { text, blocks, attachments } = message.data;
  if (blocks !== undefined && !blocksSchema.safeParse(blocks).success)
    return reject(request, "invalid_blocks");
  if (attachments !== undefined && attachments.length > MAX_ATTACHMENTS) {
    return reject(request, "too_many_attachments");
  }

  const hasBlocks = Array.isArray(blocks) && blocks.length > 0;
  const hasAttachments = attachments !== undefined && attachments.length > 0;
  if ((text === undefined || text.trim() === "") && !hasBlocks && !hasAttachments) {
    return reject(request, "no_text");
  }

  return { outcome: "delivered", target: slackTarget(request), response: textResponse(200, "ok") };
}

/** Returns the JSON message of the request, or undefined when it has none. */
function parsePayload(request: ChannelRequest): unknown {
  const contentType = request.headers["content-type"] ?? "";
  let json = request.body;
  if (contentType.startsWith("application/x-www-form-urlencoded")) {
    json = new URLSearchParams(request.body).get("payload") ?? "";
  }
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}
