/** Identifiers in the forms hosted QStash uses: `msg_…`, `wfr_…`, `evt_…`. */
import { randomBytes } from "node:crypto";

export function newMessageId(): string {
  return `msg_${randomBytes(18).toString("base64url")}`;
}

export function newRunId(): string {
  return `wfr_${randomBytes(16).toString("base64url")}`;
}

/** Creates a random token that identifies one server process when it holds a lease. */
export function newLeaseToken(): string {
  return randomBytes(12).toString("hex");
}
