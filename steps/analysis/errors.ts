/**
 * Errors of the model analyser, named by what the caller should do with them.
 *
 * Invalid model output is not an error here: the analyser retries once and then falls back to the
 * heuristic result. Only transport failures (HTTP errors, timeouts, refused connections) surface.
 * Check `name` rather than `instanceof`, because workflow bundles may load this module twice.
 */

export interface ModelProviderErrorDetails {
  /** HTTP status of the provider's response; null when no response arrived (timeout, refused). */
  status: number | null;
  /** Seconds the provider asked to wait (`retry-after`), when it sent one. */
  retryAfterSeconds: number | null;
  /** Whether sending the same request later may succeed: 408, 409, 429, 5xx and network failures. */
  retryable: boolean;
  model: string;
  stepName: string;
}

/** The model provider could not be reached or returned an HTTP error. */
export class ModelProviderError extends Error {
  override readonly name = "ModelProviderError";
  readonly status: number | null;
  readonly retryAfterSeconds: number | null;
  readonly retryable: boolean;
  readonly model: string;
  readonly stepName: string;

  constructor(message: string, details: ModelProviderErrorDetails, options?: { cause?: unknown }) {
    super(message, options);
    this.status = details.status;
    this.retryAfterSeconds = details.retryAfterSeconds;
    this.retryable = details.retryable;
    this.model = details.model;
    this.stepName = details.stepName;
  }
}

export function isModelProviderError(error: unknown): error is ModelProviderError {
  return error instanceof Error && error.name === "ModelProviderError";
}

/**
 * Parses a `retry-after` header: delay seconds or an HTTP date (RFC 9110, section 10.2.3).
 * `now` is epoch milliseconds, used only for the date form. Returns null for a missing or invalid value.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  if (value === null || value === undefined) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

/** Returns whether a response with this HTTP status may succeed when the same request is sent later. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}
