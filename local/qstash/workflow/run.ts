/**
 * The stored form of a workflow run and of its step-log entries.
 */
import { z } from "zod";
import { callbackTargetSchema, flowControlSchema } from "../store/message.js";

export const RUN_STATES = ["RUN_STARTED", "RUN_SUCCESS", "RUN_FAILED", "RUN_CANCELED"] as const;
export type RunState = (typeof RUN_STATES)[number];

export const invokerSchema = z.object({
  workflowRunId: z.string(),
  workflowUrl: z.string(),
  workflowRunCreatedAt: z.number(),
  /** Publish-style headers for the step message that returns the result to the invoker. */
  headers: z.record(z.string(), z.array(z.string())),
  /** The invoker's Invoke step, echoed back with `out` set. */
  step: z.record(z.string(), z.unknown()),
});
export type Invoker = z.infer<typeof invokerSchema>;

export const workflowRunSchema = z.object({
  runId: z.string(),
  url: z.string(),
  state: z.enum(RUN_STATES),
  createdAt: z.number(),
  completedAt: z.number().optional(),
  /** Base64 of the payload that started the run. */
  initialBody: z.string(),
  initMessageId: z.string(),
  /** Run-level settings taken from the trigger message; step messages inherit them. */
  retries: z.number(),
  retryDelay: z.string().optional(),
  timeoutMs: z.number().optional(),
  flowControl: flowControlSchema.optional(),
  /** Forwarded headers of the trigger message, except `Upstash-Workflow-*` ones. */
  forwardHeaders: z.array(z.tuple([z.string(), z.string()])),
  failureCallback: callbackTargetSchema.optional(),
  labels: z.array(z.string()),
  invoker: invokerSchema.optional(),
  /** Body the endpoint returned when the run finished. */
  response: z.string().optional(),
  dlqId: z.string().optional(),
  failureCallbackState: z.string().optional(),
  callerIp: z.string().optional(),
});
export type WorkflowRun = z.infer<typeof workflowRunSchema>;

/** One step-log entry. `body` is base64; `createdAt` is epoch ms. */
export const logEntrySchema = z.object({
  messageId: z.string(),
  body: z.string(),
  callType: z.literal("step"),
  createdAt: z.number(),
});
export type LogEntry = z.infer<typeof logEntrySchema>;

export function parseRun(json: string): WorkflowRun {
  return workflowRunSchema.parse(JSON.parse(json));
}

export function parseLogEntry(json: string): LogEntry {
  return logEntrySchema.parse(JSON.parse(json));
}
