/**
 * The stored form of one accepted message, validated with zod whenever it is read back from Redis.
 */
import { z } from "zod";

const headerListSchema = z.array(z.tuple([z.string(), z.string()]));
export type HeaderList = z.infer<typeof headerListSchema>;

/** Target of a callback or failure callback: its URL and the publish headers that configure that message. */
export const callbackTargetSchema = z.object({
  url: z.string(),
  /** Publish-style headers (`Upstash-Retries`, `Upstash-Forward-X`...) for the callback message. */
  headers: headerListSchema,
});
export type CallbackTarget = z.infer<typeof callbackTargetSchema>;

export const flowControlSchema = z.object({
  key: z.string(),
  parallelism: z.number().optional(),
  rate: z.number().optional(),
  periodSeconds: z.number(),
});

/** Role of a message inside a workflow run; decides its body, headers and retry settings. */
export const WORKFLOW_MESSAGE_KINDS = ["init", "step", "toCallback", "fromCallback", "failureCall"] as const;
export type WorkflowMessageKind = (typeof WORKFLOW_MESSAGE_KINDS)[number];

export const attemptErrorSchema = z.object({
  time: z.number(),
  status: z.number(),
  error: z.string(),
  body: z.string(),
  headers: z.record(z.string(), z.array(z.string())),
});
export type AttemptError = z.infer<typeof attemptErrorSchema>;

export const MESSAGE_STATES = ["CREATED", "ACTIVE", "RETRY"] as const;

export const storedMessageSchema = z.object({
  messageId: z.string(),
  url: z.string(),
  method: z.string(),
  /** Headers sent to the destination: forwarded headers with the prefix removed, plus Content-Type. */
  headers: headerListSchema,
  /** Headers of the publish request as received, used to show and to re-publish the message. */
  publishHeaders: headerListSchema,
  /** Base64 of the raw body. */
  body: z.string(),
  maxRetries: z.number(),
  retryDelay: z.string().optional(),
  timeoutMs: z.number().optional(),
  /** Epoch ms of the first delivery attempt. */
  notBefore: z.number(),
  createdAt: z.number(),
  /** Number of retries already made; 0 until the first attempt fails. */
  retried: z.number(),
  /** Attempts that got 429 with a delay and rescheduled without using up a retry. */
  deferrals: z.number().optional(),
  state: z.enum(MESSAGE_STATES),
  callback: callbackTargetSchema.optional(),
  failureCallback: callbackTargetSchema.optional(),
  deduplicationId: z.string().optional(),
  queueName: z.string().optional(),
  scheduleId: z.string().optional(),
  topicName: z.string().optional(),
  endpointName: z.string().optional(),
  callerIp: z.string().optional(),
  flowControl: flowControlSchema.optional(),
  labels: z.array(z.string()),
  workflow: z
    .object({
      runId: z.string(),
      kind: z.enum(WORKFLOW_MESSAGE_KINDS),
      /** Index of this message's own entry in the run's step log (init and step messages only). */
      logIndex: z.number().optional(),
      /** Delivered with `Upstash-Workflow-Unknown-Sdk` (runs started through `/v2/trigger`). */
      unknownSdk: z.boolean().optional(),
      /** Fail the run when the first delivery's response lacks the workflow SDK version header. */
      detectTrigger: z.boolean().optional(),
    })
    .optional(),
  /** A timer handled inside the server instead of an HTTP delivery. */
  timer: z.object({ type: z.literal("waitTimeout"), runId: z.string(), eventId: z.string() }).optional(),
  /** Errors of the failed attempts so far, newest last. */
  errors: z.array(attemptErrorSchema),
});
export type StoredMessage = z.infer<typeof storedMessageSchema>;

export function parseStoredMessage(json: string): StoredMessage {
  return storedMessageSchema.parse(JSON.parse(json));
}

/** Returns the stored headers as a `Headers` object. */
export function toHeaders(list: HeaderList): Headers {
  const headers = new Headers();
  for (const [name, value] of list) headers.append(name, value);
  return headers;
}
