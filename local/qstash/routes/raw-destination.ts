/**
 * Reads a destination URL from the raw request target. `/v2/publish/https://a.b/c?x=1` has the
 * destination `https://a.b/c?x=1`; framework path parameters would cut it at `/` or drop the query.
 */
export function rawDestination(requestUrl: string, routePrefix: string): string {
  const url = new URL(requestUrl);
  const target = url.pathname + url.search;
  const start = target.indexOf(routePrefix);
  if (start === -1) return "";
  const rest = target.slice(start + routePrefix.length);
  // Some clients percent-encode the whole destination; an encoded scheme is decoded back.
  return /^https?%3A/i.test(rest) ? decodeURIComponent(rest) : rest;
}
