/**
 * Runs parsed commands on one shared ioredis connection and returns raw RESP2 replies.
 *
 * Commands are sent as ioredis `Command` objects with `replyEncoding: null`, so bulk strings come
 * back as Buffers. Names are upper case on purpose, because ioredis 6.1.0 looks up its argument and
 * reply transformers by the lower-case name. Those would turn an `hgetall` reply into an object and
 * expand object arguments of `hset` and `mset`, but the bridge must pass replies on as Redis sent them.
 */
import { Command, type Redis, ReplyError } from "ioredis";
import { assertSupported, InvalidCommandError, type RedisCommand, unsupportedReason } from "./commands.js";

/** The outcome of one command inside a pipeline or transaction. */
export type CommandOutcome = { ok: true; reply: unknown } | { ok: false; error: string };

/** The error class of Redis error replies; ioredis 6.1.0 exports it untyped. */
const RedisReplyError: new (...args: never[]) => Error = ReplyError;

/** Reports whether `error` is an error reply from Redis (as opposed to a connection failure). */
export function isRedisReplyError(error: unknown): error is Error {
  return error instanceof RedisReplyError;
}

function toIoredisCommand(command: RedisCommand): Command {
  return new Command(command.name, command.args, { replyEncoding: null });
}

function send(redis: Redis, command: RedisCommand): Promise<unknown> {
  return redis.sendCommand(toIoredisCommand(command)) as Promise<unknown>;
}

/** Runs one command; a Redis error reply rejects with that reply's error. */
export function runCommand(redis: Redis, command: RedisCommand): Promise<unknown> {
  assertSupported(command);
  return send(redis, command);
}

/**
 * Runs commands in order without atomicity, like Redis pipelining: all are written to the connection
 * at once and each gets its own outcome. A rejected command gets an error entry and the rest still run.
 * Connection failures reject the whole call.
 */
export async function runPipeline(redis: Redis, commands: RedisCommand[]): Promise<CommandOutcome[]> {
  const pending = commands.map((command): Promise<CommandOutcome> => {
    const reason = unsupportedReason(command);
    if (reason !== undefined) {
      const error = `ERR ${command.name} is not supported by the local Redis REST bridge: ${reason}`;
      return Promise.resolve({ ok: false, error });
    }
    return send(redis, command).then(
      (reply): CommandOutcome => ({ ok: true, reply }),
      (error: unknown): CommandOutcome => {
        if (isRedisReplyError(error)) return { ok: false, error: error.message };
        throw error;
      },
    );
  });
  return Promise.all(pending);
}

/**
 * Runs commands atomically inside MULTI/EXEC and returns one outcome per command.
 *
 * MULTI, the commands and EXEC are handed to ioredis in one synchronous block, so no other request's
 * command can be written between them on the shared connection. A command that fails while running
 * (for example WRONGTYPE) gets an error entry, as in Redis. A command that Redis rejects while
 * queueing (unknown command, wrong number of arguments) aborts the whole transaction, and this
 * function then throws an InvalidCommandError that names the first such error.
 */
export async function runTransaction(redis: Redis, commands: RedisCommand[]): Promise<CommandOutcome[]> {
  for (const command of commands) assertSupported(command);

  const sent = [
    send(redis, { name: "MULTI", args: [] }),
    ...commands.map((command) => send(redis, command)),
    send(redis, { name: "EXEC", args: [] }),
  ];
  const settled = await Promise.allSettled(sent);
  const multiOutcome = settled[0];
  const execOutcome = settled.at(-1);
  if (multiOutcome?.status === "rejected") throw multiOutcome.reason;
  if (execOutcome === undefined) throw new Error("EXEC was not sent");

  if (execOutcome.status === "rejected") {
    const error: unknown = execOutcome.reason;
    if (!isRedisReplyError(error)) throw error;
    const firstQueueError = settled
      .slice(1, -1)
      .find((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
    const detail = firstQueueError ? `: ${errorMessage(firstQueueError.reason)}` : "";
    // NOTE: the hosted service's exact text for an aborted transaction is not verified; this keeps
    // Redis's EXECABORT text and appends the error that caused it.
    throw new InvalidCommandError(`${error.message.replace(/\.$/, "")}${detail}`);
  }

  const execReply = execOutcome.value;
  if (!Array.isArray(execReply)) {
    throw new Error(`EXEC returned ${execReply === null ? "nil" : typeof execReply} instead of an array`);
  }
  return execReply.map(
    (reply): CommandOutcome =>
      reply instanceof Error ? { ok: false, error: reply.message } : { ok: true, reply },
  );
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
