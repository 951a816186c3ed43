import { describe, expect, it } from "vitest";
import { localDay, localHour } from "../../steps/notify/index.js";

describe("local time", () => {
  const cases: Array<{ zone: string; instant: string; day: string; hour: number }> = [
    // Los Angeles springs forward on 2025-03-09 at 02:00 PST (10:00Z) straight to 03:00 PDT.
    { zone: "America/Los_Angeles", instant: "2025-03-09T09:59:00Z", day: "2025-03-09", hour: 1 },
    { zone: "America/Los_Angeles", instant: "2025-03-09T10:00:00Z", day: "2025-03-09", hour: 3 },
    { zone: "America/Los_Angeles", instant: "2025-03-09T07:59:00Z", day: "2025-03-08", hour: 23 },
    // Kolkata is UTC+05:30 all year.
    { zone: "Asia/Kolkata", instant: "2025-03-01T18:29:00Z", day: "2025-03-01", hour: 23 },
    { zone: "Asia/Kolkata", instant: "2025-03-01T18:30:00Z", day: "2025-03-02", hour: 0 },
    // Chatham is UTC+13:45 in its summer (until 2025-04-06) and UTC+12:45 in winter.
    { zone: "Pacific/Chatham", instant: "2025-03-01T10:14:00Z", day: "2025-03-01", hour: 23 },
    { zone: "Pacific/Chatham", instant: "2025-03-01T10:15:00Z", day: "2025-03-02", hour: 0 },
    { zone: "Pacific/Chatham", instant: "2025-06-01T11:15:00Z", day: "2025-06-02", hour: 0 },
    { zone: "UTC", instant: "2025-12-31T23:59:59Z", day: "2025-12-31", hour: 23 },
  ];

  for (const { zone, instant, day, hour } of cases) {
    it(`${zone} at ${instant}`, () => {
      expect(localDay(new Date(instant), zone)).toBe(day);
      expect(localHour(new Date(instant), zone)).toBe(hour);
    });
  }
});
