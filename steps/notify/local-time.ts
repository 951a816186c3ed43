/**
 * Local calendar day and hour of an instant in an IANA time zone, computed with `Intl.DateTimeFormat`
 * so that DST changes and offsets that are not whole hours (Asia/Kolkata +05:30, Pacific/Chatham
 * +12:45/+13:45) follow the runtime's time zone database.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timezone);
  if (formatter === undefined) {
    // Throws RangeError for an unknown zone, which SubscriberSchema already rejects.
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(timezone, formatter);
  }
  return formatter;
}

function localParts(now: Date, timezone: string): { day: string; hour: number } {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timezone).formatToParts(now)) parts[part.type] = part.value;
  return {
    day: `${parts["year"]}-${parts["month"]}-${parts["day"]}`,
    hour: Number(parts["hour"]),
  };
}

/** Returns the calendar day (`YYYY-MM-DD`) that `now` falls on in `timezone`. */
export function localDay(now: Date, timezone: string): string {
  return localParts(now, timezone).day;
}

/** Returns the hour (0-23) that `now` falls in on the wall clock of `timezone`. */
export function localHour(now: Date, timezone: string): number {
  return localParts(now, timezone).hour;
}
