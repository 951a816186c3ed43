/**
 * Durations in QStash's header syntax: `<n>s`, `<n>m`, `<n>h`, `<n>d`, combined largest unit first
 * (`1d10h30m`), or a bare number of seconds.
 */
const DURATION_PATTERN = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** Parses a duration into whole seconds, or returns null when the text is not a valid duration. */
export function parseDurationSeconds(text: string): number | null {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);

  const match = DURATION_PATTERN.exec(trimmed);
  if (match === null || trimmed === "") return null;
  const [, days, hours, minutes, seconds] = match;
  return (
    Number(days ?? 0) * 86_400 + Number(hours ?? 0) * 3_600 + Number(minutes ?? 0) * 60 + Number(seconds ?? 0)
  );
}
