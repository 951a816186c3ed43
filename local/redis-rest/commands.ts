/**
 * Request parsing and the command policy of the Redis REST bridge.
 *
 * A command is a non-empty list of arguments, the first being the command name. JSON bodies may carry
 * strings, numbers and booleans, because the `@upstash/redis` serializer sends all three. The bridge
 * passes numbers and booleans to Redis as their decimal or `true`/`false` text. The path form may add
 * one raw-bytes argument.
 *
 * All HTTP requests share one Redis connection, so commands that block it, put it into another mode
 * or change its state are rejected before they reach Redis:
 * - blocking commands (BLPOP and the other B* list and sorted-set pops, XREAD/XREADGROUP with BLOCK,
 *   WAIT, WAITAOF) would stall every other request until they return;
 * - SUBSCRIBE and the other pub/sub listeners and MONITOR need a streaming response, which this bridge
 *   does not implement (PUBLISH works);
 * - MULTI/EXEC/DISCARD/WATCH/UNWATCH belong to `/multi-exec`, and connection-state commands (SELECT,
 *   AUTH, HELLO, CLIENT, RESET, QUIT) would change the shared connection for everyone;
 * - replication and server-control commands (SYNC, PSYNC, REPLCONF, SHUTDOWN, DEBUG) are not part of
 *   the REST API.
 */
import { z } from "zod";

/** One command argument as sent to Redis. */
export type CommandArgument = string | Buffer;

/** A parsed command: the upper-case name, then its arguments. */
export interface RedisCommand {
  name: string;
  args: CommandArgument[];
}

const jsonArgumentSchema = z.union([z.string(), z.number(), z.boolean()]);

/** Body of `POST /`: one command as a JSON array, e.g. `["SET", "key", "value"]`. */
export const commandBodySchema = z.array(jsonArgumentSchema).min(1, "a command needs at least its name");

/** Body of `POST /pipeline` and `POST /multi-exec`: a JSON array of commands. */
export const commandListBodySchema = z
  .array(commandBodySchema)
  .min(1, 'send at least one command, e.g. [["PING"]]');

/** A client error in the request itself, sent back with status 400 in Redis's `ERR ...` style. */
export class InvalidCommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidCommandError";
  }
}

const BLOCKING = "blocking commands would hold the bridge's shared Redis connection";
const STREAMING = "pub/sub and MONITOR need a streaming response, which the local bridge does not implement";
const TRANSACTION = "send transactions as a JSON array of commands to POST /multi-exec";
const CONNECTION_STATE = "it would change the state of the connection that all requests share";
const NOT_IN_REST_API = "replication and server-control commands are not part of the REST API";

const UNSUPPORTED_COMMANDS: ReadonlyMap<string, string> = new Map([
  ["BLPOP", BLOCKING],
  ["BRPOP", BLOCKING],
  ["BRPOPLPUSH", BLOCKING],
  ["BLMOVE", BLOCKING],
  ["BLMPOP", BLOCKING],
  ["BZPOPMIN", BLOCKING],
  ["BZPOPMAX", BLOCKING],
  ["BZMPOP", BLOCKING],
  ["WAIT", BLOCKING],
  ["WAITAOF", BLOCKING],
  ["SUBSCRIBE", STREAMING],
  ["PSUBSCRIBE", STREAMING],
  ["SSUBSCRIBE", STREAMING],
  ["UNSUBSCRIBE", STREAMING],
  ["PUNSUBSCRIBE", STREAMING],
  ["SUNSUBSCRIBE", STREAMING],
  ["MONITOR", STREAMING],
  ["MULTI", TRANSACTION],
  ["EXEC", TRANSACTION],
  ["DISCARD", TRANSACTION],
  ["WATCH", TRANSACTION],
  ["UNWATCH", TRANSACTION],
  ["SELECT", CONNECTION_STATE],
  ["AUTH", CONNECTION_STATE],
  ["HELLO", CONNECTION_STATE],
  ["CLIENT", CONNECTION_STATE],
  ["RESET", CONNECTION_STATE],
  ["QUIT", CONNECTION_STATE],
  ["SYNC", NOT_IN_REST_API],
  ["PSYNC", NOT_IN_REST_API],
  ["REPLCONF", NOT_IN_REST_API],
  ["SHUTDOWN", NOT_IN_REST_API],
  ["DEBUG", NOT_IN_REST_API],
]);

/** Builds a command from JSON arguments that the body schema has already accepted. */
export function commandFromJson(parts: z.infer<typeof commandBodySchema>): RedisCommand {
  const [name, ...args] = parts.map((part) => String(part));
  if (name === undefined || name === "") throw new InvalidCommandError("ERR empty command name");
  return { name: name.toUpperCase(), args };
}

/**
 * Builds a command from the path form `/<command>/<arg>/...`. The arguments are the URL-decoded path
 * segments, then the raw request body when it is not empty, then each query parameter except
 * `_token`. A parameter adds its name, then its value unless that is empty, so `/set/k?EX=100` with
 * a body is `SET k <body> EX 100`.
 */
export function commandFromPath(pathname: string, body: Buffer, query: URLSearchParams): RedisCommand {
  const segments = pathname.split("/").slice(1);
  if (segments.at(-1) === "") segments.pop();
  const decoded = segments.map((segment) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      throw new InvalidCommandError(
        `ERR invalid percent-encoding in path segment ${JSON.stringify(segment)}`,
      );
    }
  });

  const [name, ...args] = decoded;
  if (name === undefined || name === "") {
    throw new InvalidCommandError(
      'ERR missing command: POST a JSON array such as ["PING"] to / or use the path form /<command>/<arg>',
    );
  }

  const allArgs: CommandArgument[] = [...args];
  if (body.length > 0) allArgs.push(body);
  for (const [key, value] of query) {
    if (key === "_token") continue;
    allArgs.push(key);
    if (value !== "") allArgs.push(value);
  }
  return { name: name.toUpperCase(), args: allArgs };
}

/** Returns why the bridge rejects `command`, or undefined when Redis may run it. */
export function unsupportedReason(command: RedisCommand): string | undefined {
  const reason = UNSUPPORTED_COMMANDS.get(command.name);
  if (reason !== undefined) return reason;
  if ((command.name === "XREAD" || command.name === "XREADGROUP") && hasBlockOption(command.args)) {
    return BLOCKING;
  }
  return undefined;
}

/** Throws an InvalidCommandError when the bridge rejects `command`. */
export function assertSupported(command: RedisCommand): void {
  const reason = unsupportedReason(command);
  if (reason !== undefined) {
    throw new InvalidCommandError(
      `ERR ${command.name} is not supported by the local Redis REST bridge: ${reason}`,
    );
  }
}

/** Reports whether an XREAD/XREADGROUP has a BLOCK option before its STREAMS keyword. */
function hasBlockOption(args: CommandArgument[]): boolean {
  for (const arg of args) {
    const word = arg.toString().toUpperCase();
    if (word === "STREAMS") return false;
    if (word === "BLOCK") return true;
  }
  return false;
}
