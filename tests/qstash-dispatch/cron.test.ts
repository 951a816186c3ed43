import { describe, expect, it } from "vitest";
import { CronExpressionError, parseCron } from "../../local/qstash/dispatch/index.js";

// Monday 2025-01-06 08:30:00 UTC.
const MONDAY_0830_UTC = Date.UTC(2025, 0, 6, 8, 30, 0);

describe("parseCron", () => {
  it("every minute fires next minute", () => {
    const cron = parseCron("* * * * *");
    expect(cron.timeZone).toBe("UTC");
    expect(cron.nextRunAfter(MONDAY_0830_UTC)).toBe(Date.UTC(2025, 0, 6, 8, 31, 0));
    expect(cron.nextRunAfter(MONDAY_0830_UTC + 1)).toBe(Date.UTC(2025, 0, 6, 8, 31, 0));
  });

  it("CRON_TZ shifts fire times", () => {
    // 09:00 in Berlin is 08:00 UTC in winter; Monday's has passed, so Tuesday's is next.
    const berlin = parseCron("CRON_TZ=Europe/Berlin 0 9 * * 1-5");
    expect(berlin.timeZone).toBe("Europe/Berlin");
    expect(berlin.nextRunAfter(MONDAY_0830_UTC)).toBe(Date.UTC(2025, 0, 7, 8, 0, 0));

    const newYork = parseCron("CRON_TZ=America/New_York 0 9 * * *");
    expect(newYork.nextRunAfter(MONDAY_0830_UTC)).toBe(Date.UTC(2025, 0, 6, 14, 0, 0));
  });

  it("expression is trimmed", () => {
    expect(parseCron("  */10 * * * *  ").expression).toBe("*/10 * * * *");
  });

  it.each([
    ["* * * *", /expected 5 fields/],
    ["* * * * * *", /expected 5 fields/],
    ["61 * * * *", /minute/],
    ["a b c d e", /illegal characters/],
    ["CRON_TZ=Mars/Olympus * * * * *", /unknown time zone "Mars\/Olympus"/],
    ["CRON_TZ=Europe/Berlin", /must be followed by five fields/],
  ])("cron %j is rejected", (expression, message) => {
    expect(() => parseCron(expression)).toThrow(CronExpressionError);
    expect(() => parseCron(expression)).toThrow(message);
  });
});
