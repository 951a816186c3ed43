/**
 * URL groups (QStash's older name: topics): named sets of endpoints a publish fans out to.
 * Endpoints are keyed by URL, so adding a URL again renames it instead of duplicating it, and they
 * are listed in the order they were first added.
 */
import { z } from "zod";
import type { ServerContext, UrlGroupEndpoint } from "../contracts.js";
import { createDispatchKeys } from "./keys.js";
import { defineLuaScript } from "./lua-script.js";

/** Response shape of `GET /v2/topics/{name}`; times are epoch milliseconds. */
export interface UrlGroupInfo {
  name: string;
  createdAt: number;
  updatedAt: number;
  endpoints: UrlGroupEndpoint[];
}

/** URL group names QStash accepts: letters, digits, `-`, `_` and `.`. */
export const URL_GROUP_NAME_PATTERN = /^[A-Za-z0-9._-]{1,256}$/;

const storedEndpointSchema = z.object({
  name: z.string().optional(),
  url: z.string(),
  position: z.number(),
});

const storedMetaSchema = z.object({ createdAt: z.coerce.number(), updatedAt: z.coerce.number() });

/**
 * KEYS: endpoints hash, meta hash, index zset. ARGV: group name, now, then url/name pairs
 * (an empty name means unnamed). Existing URLs keep their position and take the new name.
 */
const addEndpointsScript = defineLuaScript(`
local now = tonumber(ARGV[2])
if redis.call('HSETNX', KEYS[2], 'createdAt', now) == 1 then
  redis.call('ZADD', KEYS[3], 'NX', now, ARGV[1])
end
redis.call('HSET', KEYS[2], 'updatedAt', now)
for i = 3, #ARGV, 2 do
  local url = ARGV[i]
  local name = ARGV[i + 1]
  local position
  local existing = redis.call('HGET', KEYS[1], url)
  if existing then
    position = cjson.decode(existing).position
  else
    position = redis.call('HINCRBY', KEYS[2], 'nextPosition', 1)
  end
  local endpoint = { url = url, position = position }
  if name ~= '' then endpoint.name = name end
  redis.call('HSET', KEYS[1], url, cjson.encode(endpoint))
end
return 1
`);

/**
 * KEYS: endpoints hash, meta hash. ARGV: now, then url/name pairs where either may be empty.
 * An endpoint is removed when its URL matches, or when only a name is given and its name matches.
 * Returns the number of endpoints removed; the group itself stays, even when empty.
 */
const removeEndpointsScript = defineLuaScript(`
local removed = 0
local stored = redis.call('HGETALL', KEYS[1])
for i = 2, #ARGV, 2 do
  local url = ARGV[i]
  local name = ARGV[i + 1]
  for j = 1, #stored, 2 do
    local endpoint = cjson.decode(stored[j + 1])
    local matches = (url ~= '' and stored[j] == url) or (url == '' and endpoint.name == name)
    if matches and redis.call('HDEL', KEYS[1], stored[j]) == 1 then removed = removed + 1 end
  end
end
if removed > 0 then redis.call('HSET', KEYS[2], 'updatedAt', ARGV[1]) end
return removed
`);

export function createUrlGroupStore(context: ServerContext) {
  const keys = createDispatchKeys(context.keyPrefix);
  const { redis } = context;

  async function get(name: string): Promise<UrlGroupInfo | null> {
    const [meta, stored] = await Promise.all([
      redis.hgetall(keys.urlGroupMeta(name)),
      redis.hvals(keys.urlGroupEndpoints(name)),
    ]);
    if (Object.keys(meta).length === 0) return null;
    const { createdAt, updatedAt } = storedMetaSchema.parse(meta);
    const endpoints = stored
      .map((text) => storedEndpointSchema.parse(JSON.parse(text)))
      .sort((left, right) => left.position - right.position)
      .map(({ name: endpointName, url }) =>
        endpointName === undefined ? { url } : { name: endpointName, url },
      );
    return { name, createdAt, updatedAt, endpoints };
  }

  return {
    get,

    async list(): Promise<UrlGroupInfo[]> {
      const names = await redis.zrange(keys.urlGroupIndex, 0, -1);
      const groups = await Promise.all(names.map((name) => get(name)));
      return groups.filter((group): group is UrlGroupInfo => group !== null);
    },

    /** Creates the group if needed and adds (or renames) the endpoints. */
    async addEndpoints(name: string, endpoints: UrlGroupEndpoint[]): Promise<void> {
      const pairs = endpoints.flatMap((endpoint) => [endpoint.url, endpoint.name ?? ""]);
      await addEndpointsScript.run(
        redis,
        [keys.urlGroupEndpoints(name), keys.urlGroupMeta(name), keys.urlGroupIndex],
        [name, context.now(), ...pairs],
      );
    },

    /** Removes endpoints matched by URL or, when no URL is given, by name; returns how many went. */
    async removeEndpoints(name: string, endpoints: { name?: string; url?: string }[]): Promise<number> {
      const pairs = endpoints.flatMap((endpoint) => [endpoint.url ?? "", endpoint.name ?? ""]);
      const removed = await removeEndpointsScript.run(
        redis,
        [keys.urlGroupEndpoints(name), keys.urlGroupMeta(name)],
        [context.now(), ...pairs],
      );
      return z.number().parse(removed);
    },

    /** Deletes the group and its endpoints; returns false when it does not exist. */
    async delete(name: string): Promise<boolean> {
      const results = await redis
        .multi()
        .del(keys.urlGroupMeta(name))
        .del(keys.urlGroupEndpoints(name))
        .zrem(keys.urlGroupIndex, name)
        .exec();
      return results?.[0]?.[1] === 1;
    },
  };
}

export type UrlGroupStore = ReturnType<typeof createUrlGroupStore>;
