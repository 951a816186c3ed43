/**
 * `Upstash-Signature` JWTs, signed with jose exactly as `@upstash/qstash`'s `Receiver` verifies them:
 * HS256 with the signing key's UTF-8 bytes, issuer `Upstash`, subject = destination URL, a 5-minute
 * lifetime, and a `body` claim holding the base64url SHA-256 of the raw body.
 */
import { createHash, randomBytes } from "node:crypto";
import { SignJWT } from "jose";

const SIGNATURE_LIFETIME_SECONDS = 300;

/** Signs one delivery of `body` to `url` with `signingKey` (the current key). */
export async function signDelivery(signingKey: string, url: string, body: Uint8Array): Promise<string> {
  const bodyHash = createHash("sha256").update(body).digest("base64url");
  const now = Math.floor(Date.now() / 1000);
  return await new SignJWT({ body: bodyHash })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer("Upstash")
    .setSubject(url)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + SIGNATURE_LIFETIME_SECONDS)
    .setJti(`jwt_${randomBytes(12).toString("hex")}`)
    .sign(new TextEncoder().encode(signingKey));
}
