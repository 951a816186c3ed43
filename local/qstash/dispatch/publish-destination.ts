/** Publishing to a destination that is either a URL or a URL group name (one message per endpoint). */
import type { AcceptPublish, PublishExtras, PublishResult, UrlGroupEndpoint } from "../contracts.js";
import { isUrlDestination } from "./http.js";

export type ResolveUrlGroup = (name: string) => Promise<UrlGroupEndpoint[] | null>;

export type DestinationPublish =
  | { kind: "url"; result: PublishResult }
  | { kind: "urlGroup"; results: PublishResult[] }
  | { kind: "unknownUrlGroup" };

/** Accepts the message for a URL, or once per endpoint of a URL group, in endpoint order. */
export async function publishToDestination(
  acceptPublish: AcceptPublish,
  resolveUrlGroup: ResolveUrlGroup,
  destination: string,
  headers: Headers,
  body: Uint8Array,
  extras: PublishExtras,
): Promise<DestinationPublish> {
  if (isUrlDestination(destination)) {
    return { kind: "url", result: await acceptPublish(destination, headers, body, extras) };
  }
  const endpoints = await resolveUrlGroup(destination);
  if (endpoints === null) return { kind: "unknownUrlGroup" };

  const results: PublishResult[] = [];
  for (const endpoint of endpoints) {
    const result = await acceptPublish(endpoint.url, headers, body, {
      ...extras,
      topicName: destination,
      endpointName: endpoint.name,
    });
    results.push({ ...result, url: result.url ?? endpoint.url });
  }
  return { kind: "urlGroup", results };
}

/** Returns the ids of the messages a publish created. */
export function publishedMessageIds(outcome: DestinationPublish): string[] {
  if (outcome.kind === "url") return [outcome.result.messageId];
  if (outcome.kind === "urlGroup") return outcome.results.map((result) => result.messageId);
  return [];
}
