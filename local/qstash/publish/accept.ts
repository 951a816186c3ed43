/**
 * The publish pipeline shared by `/v2/publish`, `/v2/batch`, `/v2/enqueue`, schedules and every
 * message the server creates itself (callbacks, failure callbacks, wait and invoke results).
 */
import { createHash } from "node:crypto";
import { DEFAULT_RETRIES, HEADER } from "../../../shared/qstash/index.js";
import type { CoreContext } from "../context.js";
import type { AcceptPublish, GateSubject, PublishExtras, PublishResult } from "../contracts.js";
import { badRequest, notFound } from "../errors.js";
import { newMessageId } from "../ids.js";
import type { StoredMessage } from "../store/message.js";
import { prepareWorkflowMessage } from "../workflow/prepare.js";
import { checkUrl, parsePublishHeaders } from "./parse-headers.js";

/** Returns the queue, flow-control and schedule facts the dispatch gate needs about a message. */
export function gateSubjectOf(message: StoredMessage): GateSubject {
  return {
    messageId: message.messageId,
    queueName: message.queueName,
    flowControl: message.flowControl,
    scheduleId: message.scheduleId,
  };
}

function contentHash(destination: string, headers: Headers, body: Uint8Array): string {
  const hash = createHash("sha256").update(destination).update("\n");
  const sorted = [...headers.entries()].sort(([a], [b]) => a.localeCompare(b));
  for (const [name, value] of sorted) hash.update(`${name}:${value}\n`);
  return hash.update(body).digest("base64url");
}

/**
 * Tells whether `destination` is a URL (any scheme, so `checkUrl` rejects `ftp://…` with 400) rather
 * than a URL group name, which cannot contain `:` or `/`.
 */
function isUrl(destination: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(destination);
}

// KEYS: deduplication key. ARGV: message id. Deletes the key only while it still names that message.
const RELEASE_DEDUPLICATION_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

async function releaseDeduplicationId(
  context: CoreContext,
  deduplicationId: string,
  messageId: string,
): Promise<void> {
  try {
    await context.redis.eval(RELEASE_DEDUPLICATION_SCRIPT, 1, context.keys.dedup(deduplicationId), messageId);
  } catch (error) {
    // NOTE: with Redis unreachable the id stays taken for the deduplication window (10 minutes).
    context.logger.warn(
      { messageId, deduplicationId, err: error },
      "releasing the deduplication id of a failed publish failed",
    );
  }
}

async function acceptOne(
  context: CoreContext,
  destination: string,
  headers: Headers,
  body: Uint8Array,
  extras: PublishExtras,
): Promise<PublishResult> {
  const url = checkUrl(destination, "destination");
  const now = context.now();
  const request = parsePublishHeaders(headers, now, context.settings.limits);
  const messageId = newMessageId();

  const deduplicationId =
    request.deduplicationId ??
    (request.contentBasedDeduplication ? contentHash(url, headers, body) : undefined);
  if (deduplicationId !== undefined) {
    const key = context.keys.dedup(deduplicationId);
    const claimed = await context.redis.set(
      key,
      messageId,
      "PX",
      context.settings.deduplicationWindowMs,
      "NX",
    );
    if (claimed === null) {
      const existing = (await context.redis.get(key)) ?? messageId;
      context.logger.info({ messageId: existing, deduplicationId }, "publish deduplicated");
      return { messageId: existing, deduplicated: true };
    }
  }

  const message: StoredMessage = {
    messageId,
    url,
    method: request.method,
    headers: request.deliveryHeaders,
    // The API token never needs to be kept; internal publishes may copy it from SDK client headers.
    publishHeaders: [...headers.entries()].filter(([name]) => name.toLowerCase() !== "authorization"),
    body: Buffer.from(body).toString("base64"),
    maxRetries: request.retries ?? DEFAULT_RETRIES,
    retryDelay: request.retryDelay,
    timeoutMs: request.timeoutMs,
    notBefore: request.notBefore,
    createdAt: now,
    retried: 0,
    state: request.notBefore > now ? "CREATED" : "ACTIVE",
    callback: request.callback,
    failureCallback: request.failureCallback,
    deduplicationId,
    queueName: extras.queueName,
    scheduleId: extras.scheduleId,
    topicName: extras.topicName,
    endpointName: extras.endpointName,
    flowControl: request.flowControl,
    labels: request.labels,
    errors: [],
  };

  if (headers.has(HEADER.redactFields)) {
    // NOTE: redaction only changes what the hosted API displays; this server shows fields unredacted.
    context.logger.warn(
      { messageId, redactFields: headers.get(HEADER.redactFields) },
      "Upstash-Redact-Fields is not applied",
    );
  }

  try {
    const { deduplicated } = await prepareWorkflowMessage(context, message, request, body);
    if (deduplicated) {
      context.logger.info(
        { messageId, workflowRunId: request.workflow?.runId },
        "workflow trigger deduplicated",
      );
      return { messageId, deduplicated: true };
    }
    await context.messages.insert(message, message.notBefore);
  } catch (error) {
    // Free the deduplication id of a message that was never stored, so the publisher's retry is
    // accepted instead of returning the id of a message that does not exist.
    if (deduplicationId !== undefined) await releaseDeduplicationId(context, deduplicationId, messageId);
    throw error;
  }
  await context.events.record(message, "CREATED");
  if (message.queueName || message.flowControl)
    await context.dispatch.onMessageAccepted(gateSubjectOf(message));
  context.logger.debug(
    {
      messageId,
      url,
      workflowRunId: message.workflow?.runId,
      kind: message.workflow?.kind,
      notBefore: message.notBefore,
    },
    "message accepted",
  );
  return { messageId };
}

/**
 * Publishes to a URL or a URL group. A group fans out to one message per endpoint, each result
 * carrying its endpoint `url`.
 */
export async function publishToDestination(
  context: CoreContext,
  destination: string,
  headers: Headers,
  body: Uint8Array,
  extras: PublishExtras = {},
): Promise<PublishResult[]> {
  if (isUrl(destination)) return [await acceptOne(context, destination, headers, body, extras)];
  if (destination.length === 0) throw badRequest("missing destination: publish to a URL or a URL group name");
  const endpoints = await context.dispatch.resolveUrlGroup(destination);
  if (endpoints === null) throw notFound(`url group ${destination} not found`);
  const results: PublishResult[] = [];
  for (const endpoint of endpoints) {
    const result = await acceptOne(context, endpoint.url, headers, body, {
      ...extras,
      topicName: destination,
      endpointName: endpoint.name,
    });
    results.push({ ...result, url: endpoint.url });
  }
  return results;
}

/**
 * Builds the `AcceptPublish` function of the dispatch contract. For a URL group it fans out and
 * returns the first endpoint's result.
 */
export function createAcceptPublish(context: CoreContext): AcceptPublish {
  return async (destination, headers, body, extras) => {
    const results = await publishToDestination(context, destination, headers, body, extras);
    const first = results[0];
    // NOTE: an empty URL group accepts nothing. The hosted QStash response for that case is not known.
    if (!first) throw badRequest(`url group ${destination} has no endpoints`);
    return first;
  };
}
