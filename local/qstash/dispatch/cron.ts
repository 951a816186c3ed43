/**
 * Cron expressions as QStash takes them in `Upstash-Cron`: five fields (minute, hour, day of month,
 * month, day of week), optionally prefixed by `CRON_TZ=<IANA zone>`. Without the prefix the
 * expression runs in UTC. Matching is done by croner in its 5-part mode.
 */
import { Cron } from "croner";

/** Raised for an invalid cron expression or time zone; the message names the problem. */
export class CronExpressionError extends Error {
  override readonly name = "CronExpressionError";
}

export interface ParsedCron {
  /** The expression as stored and returned by the API: trimmed, otherwise as given. */
  expression: string;
  /** IANA time zone from the `CRON_TZ=` prefix, or `UTC`. */
  timeZone: string;
  /** First fire time strictly after `afterMs` (epoch ms), or null when the expression never fires again. */
  nextRunAfter(afterMs: number): number | null;
}

const TIME_ZONE_PREFIX = /^CRON_TZ=(\S+)\s+(.*)$/;

/**
 * Parses and validates a QStash cron expression.
 *
 * @example parseCron("CRON_TZ=Europe/Berlin 0 9 * * 1-5").nextRunAfter(Date.now())
 * @throws CronExpressionError for a wrong field count, a field croner rejects, or an unknown zone.
 */
export function parseCron(input: string): ParsedCron {
  const expression = input.trim();
  let timeZone = "UTC";
  let pattern = expression;

  const prefixed = TIME_ZONE_PREFIX.exec(expression);
  if (prefixed !== null) {
    timeZone = prefixed[1] ?? "";
    pattern = (prefixed[2] ?? "").trim();
    if (!isKnownTimeZone(timeZone)) {
      throw new CronExpressionError(
        `invalid cron "${expression}": unknown time zone "${timeZone}" in CRON_TZ`,
      );
    }
  } else if (expression.startsWith("CRON_TZ=")) {
    throw new CronExpressionError(
      `invalid cron "${expression}": CRON_TZ=<zone> must be followed by five fields`,
    );
  }

  const fieldCount = pattern === "" ? 0 : pattern.split(/\s+/).length;
  if (fieldCount !== 5) {
    throw new CronExpressionError(
      `invalid cron "${expression}": expected 5 fields (minute hour day-of-month month day-of-week), got ${fieldCount}`,
    );
  }

  let cron: Cron;
  try {
    // Without a callback croner starts no timer; the object is only used to compute run times.
    cron = new Cron(pattern, { mode: "5-part", timezone: timeZone });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CronExpressionError(`invalid cron "${expression}": ${reason}`);
  }

  return {
    expression,
    timeZone,
    nextRunAfter(afterMs) {
      const next = cron.nextRun(new Date(afterMs));
      return next === null ? null : next.getTime();
    },
  };
}

function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}
