/**
 * The alert sink. Every alert is logged at error level with a stable `alert` field (its code),
 * counted in `ops:counters` as `alerts.{code}`, kept in the Redis list `{prefix}ops:alerts` (newest
 * first, trimmed to `alertsKept`) and, when `ALERT_WEBHOOK_URL` is set, POSTed there signed like the
 * outbound webhooks (`X-Radar-Signature-256`, `X-Radar-Delivery` = alert id, `X-Radar-Timestamp`).
 *
 * Raising an alert never throws because of the webhook: a failed POST is logged and counted as
 * `alerts.webhook-failed`, and the alert stays in the list. It is not retried.
 */
import type { Redis } from "@upstash/redis";
import { z } from "zod";
import type { Logger } from "../../shared/logger.js";
import { postJson } from "../delivery/http.js";
import {
  RADAR_DELIVERY_HEADER,
  RADAR_SIGNATURE_HEADER,
  RADAR_TIMESTAMP_HEADER,
  signRadarBody,
} from "../delivery/webhook.js";
import type { OpsCounters } from "./ops-counters.js";

export const ALERT_CODES = [
  "run-quarantined",
  "stuck-run",
  "stuck-run-restarted",
  "stuck-run-restart-failed",
  "dependency-authentication-failed",
] as const;
export type AlertCode = (typeof ALERT_CODES)[number];

export const AlertSchema = z.object({
  /** Unique per alert; receivers drop an id they have already seen. */
  id: z.string(),
  code: z.enum(ALERT_CODES),
  /** One sentence for people, with the ids involved. */
  message: z.string(),
  workflowRunId: z.string().nullable(),
  workflowId: z.string().nullable(),
  dependency: z.string().nullable(),
  /** ISO time the alert was raised. */
  raisedAt: z.string(),
  details: z.record(z.string(), z.unknown()),
});
export type Alert = z.infer<typeof AlertSchema>;

export type AlertInput = Omit<Alert, "id" | "raisedAt" | "workflowRunId" | "workflowId" | "dependency"> &
  Partial<Pick<Alert, "workflowRunId" | "workflowId" | "dependency">>;

export interface AlertSinkOptions {
  redis: Redis;
  keyPrefix: string;
  counters: OpsCounters;
  logger: Logger;
  alertsKept: number;
  webhook: { url: string; secret: string } | null;
  /** Limit for the webhook POST, in milliseconds. */
  timeoutMs: number;
  now(): Date;
  fetch?: typeof fetch;
}

export function createAlertSink(options: AlertSinkOptions) {
  const key = `${options.keyPrefix}ops:alerts`;

  async function post(alert: Alert): Promise<void> {
    const webhook = options.webhook;
    if (webhook === null) return;
    const rawBody = JSON.stringify(alert);
    try {
      await postJson({
        channel: "webhook",
        url: webhook.url,
        body: rawBody,
        headers: {
          "user-agent": "contribution-radar-alerts",
          [RADAR_SIGNATURE_HEADER]: await signRadarBody(webhook.secret, rawBody),
          [RADAR_DELIVERY_HEADER]: alert.id,
          [RADAR_TIMESTAMP_HEADER]: String(Math.floor(Date.parse(alert.raisedAt) / 1000)),
        },
        timeoutMs: options.timeoutMs,
        fetch: options.fetch ?? fetch,
      });
    } catch (error) {
      options.logger.error("alert webhook delivery failed", { alertId: alert.id, code: alert.code, error });
      await options.counters.add("alerts.webhook-failed");
    }
  }

  return {
    /** Logs, counts, stores and (when configured) POSTs one alert, and returns it. */
    async raise(input: AlertInput): Promise<Alert> {
      const alert: Alert = {
        workflowRunId: null,
        workflowId: null,
        dependency: null,
        ...input,
        id: `alert_${crypto.randomUUID()}`,
        raisedAt: options.now().toISOString(),
      };
      options.logger.error("alert raised", {
        alert: alert.code,
        summary: alert.message,
        alertId: alert.id,
        workflowRunId: alert.workflowRunId,
        workflowId: alert.workflowId,
        dependency: alert.dependency,
        details: alert.details,
      });
      await options.counters.add(`alerts.${alert.code}`);
      await options.redis.lpush(key, JSON.stringify(alert));
      await options.redis.ltrim(key, 0, options.alertsKept - 1);
      await post(alert);
      return alert;
    },

    /** The newest alerts first, at most `count`; optionally only those with `code`. */
    async list(count: number, code?: AlertCode): Promise<Alert[]> {
      const raw = await options.redis.lrange<unknown>(key, 0, options.alertsKept - 1);
      const alerts: Alert[] = [];
      for (const item of raw) {
        const parsed = AlertSchema.safeParse(typeof item === "string" ? JSON.parse(item) : item);
        if (!parsed.success) {
          options.logger.warn("stored alert is malformed, skipped", {
            problem: parsed.error.issues[0]?.message,
          });
          continue;
        }
        if (code !== undefined && parsed.data.code !== code) continue;
        alerts.push(parsed.data);
        if (alerts.length >= count) break;
      }
      return alerts;
    },
  };
}

export type AlertSink = ReturnType<typeof createAlertSink>;
