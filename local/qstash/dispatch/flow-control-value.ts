/**
 * Parser for the `Upstash-Flow-Control-Value` header, e.g. `parallelism=2, rate=10, period=1m`.
 * The message core calls it when it accepts a publish with `Upstash-Flow-Control-Key`.
 */
import type { FlowControlSettings } from "../contracts.js";
import { parseDurationSeconds } from "./duration.js";

/** Flow-control settings as written in the header value, before they are bound to a key. */
export type FlowControlValue = Omit<FlowControlSettings, "key">;

/** Rate window length when the value has no `period` (one second, as in QStash). */
export const DEFAULT_RATE_PERIOD_SECONDS = 1;

/** Raised for a malformed `Upstash-Flow-Control-Value`. The message names the invalid part. */
export class FlowControlValueError extends Error {
  override readonly name = "FlowControlValueError";
}

/**
 * Parses a comma-separated list of `parallelism=N`, `rate=N` and `period=<duration>` (spaces around
 * items and `=` are optional, names are case-insensitive). `period` takes `10s`, `5m`, `1h`, `2d`,
 * combinations such as `1h30m`, or a bare number of seconds, and defaults to one second.
 * At least one of `parallelism` and `rate` is required.
 *
 * @example parseFlowControlValue("parallelism=2, rate=10, period=1m") // {parallelism: 2, rate: 10, periodSeconds: 60}
 * @throws FlowControlValueError naming the invalid item.
 */
export function parseFlowControlValue(value: string): FlowControlValue {
  const seen = new Set<string>();
  let parallelism: number | undefined;
  let rate: number | undefined;
  let periodSeconds = DEFAULT_RATE_PERIOD_SECONDS;

  for (const rawItem of value.split(",")) {
    const item = rawItem.trim();
    if (item === "") continue;

    const separator = item.indexOf("=");
    if (separator < 0) {
      throw new FlowControlValueError(
        `invalid flow-control value "${value}": item "${item}" must have the form name=value`,
      );
    }
    const name = item.slice(0, separator).trim().toLowerCase();
    const text = item.slice(separator + 1).trim();
    if (seen.has(name)) {
      throw new FlowControlValueError(`invalid flow-control value "${value}": "${name}" is given twice`);
    }
    seen.add(name);

    switch (name) {
      case "parallelism":
        parallelism = parsePositiveInteger(value, name, text);
        break;
      case "rate":
        rate = parsePositiveInteger(value, name, text);
        break;
      case "period": {
        const seconds = parseDurationSeconds(text);
        if (seconds === null || seconds <= 0) {
          throw new FlowControlValueError(
            `invalid flow-control value "${value}": period "${text}" must be a positive duration such as 10s, 5m, 1h or 2d`,
          );
        }
        periodSeconds = seconds;
        break;
      }
      default:
        throw new FlowControlValueError(
          `invalid flow-control value "${value}": unknown setting "${name}" (expected parallelism, rate or period)`,
        );
    }
  }

  if (parallelism === undefined && rate === undefined) {
    throw new FlowControlValueError(
      `invalid flow-control value "${value}": set at least one of parallelism and rate`,
    );
  }
  return { parallelism, rate, periodSeconds };
}

function parsePositiveInteger(value: string, name: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new FlowControlValueError(
      `invalid flow-control value "${value}": ${name} "${text}" must be a positive integer`,
    );
  }
  return Number(text);
}
