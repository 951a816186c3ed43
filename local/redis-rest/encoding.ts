/**
 * Conversion of Redis replies into the JSON values of the Upstash REST API.
 *
 * The bridge reads every reply as raw bytes (ioredis `replyEncoding: null` over RESP2), so a value
 * that is not valid UTF-8 survives the trip when the client asks for `Upstash-Encoding: base64`,
 * which `@upstash/redis` 1.39.0 does by default. Integers stay JSON numbers and nil stays `null`.
 */

/** Text form of string replies in the JSON response. */
export type ResponseEncoding = "base64" | "utf8";

/** A reply value as it appears in the `result` field of a response. */
export type JsonReply = string | number | null | JsonReply[];

/** Header that selects the response encoding; `base64` is the only value with an effect. */
export const ENCODING_HEADER = "upstash-encoding";

const OK_STATUS = "OK";

/** Returns the encoding that the request's `Upstash-Encoding` header selects. */
export function responseEncodingOf(headerValue: string | undefined): ResponseEncoding {
  return headerValue?.trim().toLowerCase() === "base64" ? "base64" : "utf8";
}

/**
 * Converts one reply, recursively, into its JSON form.
 *
 * With base64, every string is base64-encoded except the reply `OK`, which the hosted service sends
 * as is and the client passes through unchanged. A bulk string whose bytes are `OK` is therefore
 * also sent unencoded; the client decodes both forms to the same value.
 * An error nested inside an array (a Lua script may return one) becomes its message text, because a
 * `result` has no place for an error object.
 */
export function encodeReply(reply: unknown, encoding: ResponseEncoding): JsonReply {
  if (reply === null || reply === undefined) return null;
  if (typeof reply === "number") return reply;
  if (typeof reply === "bigint") return Number(reply);
  if (Buffer.isBuffer(reply)) return encodeBytes(reply, encoding);
  if (typeof reply === "string") return encodeBytes(Buffer.from(reply, "utf8"), encoding);
  if (reply instanceof Error) return encodeBytes(Buffer.from(reply.message, "utf8"), encoding);
  if (Array.isArray(reply)) return reply.map((item) => encodeReply(item, encoding));
  throw new TypeError(`Unexpected Redis reply of type ${typeof reply}; the bridge expects RESP2 replies`);
}

function encodeBytes(bytes: Buffer, encoding: ResponseEncoding): string {
  if (encoding === "utf8") return bytes.toString("utf8");
  const asText = bytes.toString("latin1");
  return asText === OK_STATUS ? OK_STATUS : bytes.toString("base64");
}
