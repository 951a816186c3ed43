/**
 * The one HTTP error type of the local QStash server, and the mapping from Redis script result codes
 * to typed errors.
 *
 * Every route lets a `QStashHttpError` propagate. The server's error handler turns it into the JSON
 * body `{"error": "..."}` with the error's status, because hosted QStash returns errors that way.
 */
export type QStashErrorStatus = 400 | 401 | 404 | 405 | 409 | 412 | 413 | 500;

export class QStashHttpError extends Error {
  override readonly name = "QStashHttpError";

  constructor(
    readonly status: QStashErrorStatus,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function badRequest(message: string): QStashHttpError {
  return new QStashHttpError(400, message);
}

export function notFound(message: string): QStashHttpError {
  return new QStashHttpError(404, message);
}

/** Result codes returned by the Lua scripts in `store/` and `workflow/`. Zero or above means success. */
export const SCRIPT_CODE = {
  ok: 0,
  runNotFound: -1,
  runEnded: -2,
  runExists: -3,
  leaseLost: -4,
  messageNotFound: -5,
} as const;

/**
 * Maps a script's result code to a typed error, or returns undefined when the code means success.
 * `subject` names the object the script worked on (a run id or message id) for the message.
 */
export function errorForScriptCode(code: number, subject: string): QStashHttpError | undefined {
  switch (code) {
    case SCRIPT_CODE.runNotFound:
      return notFound(`workflow run ${subject} not found`);
    case SCRIPT_CODE.runEnded:
      return badRequest(`workflow run ${subject} has already finished or been cancelled`);
    case SCRIPT_CODE.runExists:
      return new QStashHttpError(409, `workflow run ${subject} already exists`);
    case SCRIPT_CODE.leaseLost:
      return new QStashHttpError(409, `message ${subject} is being delivered by another server`);
    case SCRIPT_CODE.messageNotFound:
      return notFound(`message ${subject} not found`);
    default:
      return code >= 0
        ? undefined
        : new QStashHttpError(500, `unexpected script code ${code} for ${subject}`);
  }
}
