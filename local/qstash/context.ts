/**
 * Everything one running server instance shares between its modules: Redis stores, resolved
 * settings, the dispatch features, and the publish function.
 */
import type { AcceptPublish, DispatchFeatures, ServerContext } from "./contracts.js";
import type { RedisKeys } from "./keys.js";
import type { PublishLimits } from "./publish/parse-headers.js";
import type { DlqStore } from "./store/dlq.js";
import type { EventStore } from "./store/events.js";
import type { MessageStore } from "./store/messages.js";
import type { RunStore } from "./workflow/run-store.js";

export interface ServerSettings {
  token: string;
  currentSigningKey: string;
  nextSigningKey: string;
  /** Public base URL of this server, used to build webhook URLs. */
  baseUrl: string;
  limits: PublishLimits;
  /** Timeout of one delivery attempt when the message sets none. */
  defaultTimeoutMs: number;
  /** Step-list bodies larger than this are sent empty, so the workflow SDK fetches them itself. */
  lazyFetchThresholdBytes: number;
  /** How long a deduplication id is remembered. */
  deduplicationWindowMs: number;
}

export interface CoreContext extends ServerContext {
  keys: RedisKeys;
  settings: ServerSettings;
  messages: MessageStore;
  runs: RunStore;
  dlq: DlqStore;
  events: EventStore;
  dispatch: DispatchFeatures;
  /** Set once the publish function exists; modules call it to create follow-up messages. */
  acceptPublish: AcceptPublish;
}
