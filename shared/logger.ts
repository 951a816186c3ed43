/**
 * Structured logger for code that runs in the Worker (workflows, steps, routes).
 *
 * Each call writes one JSON object per line through `console`, which Cloudflare Workers Logs ingests
 * as structured fields. Messages are constant strings; everything variable goes in attributes
 * (`runId`, `messageId`, `step`, `repository`...). The local stack's Node servers use pino instead.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogAttributes = Record<string, unknown>;

export interface Logger {
  debug(message: string, attributes?: LogAttributes): void;
  info(message: string, attributes?: LogAttributes): void;
  warn(message: string, attributes?: LogAttributes): void;
  error(message: string, attributes?: LogAttributes): void;
  /** Returns a logger that adds `bindings` to every record. */
  child(bindings: LogAttributes): Logger;
}

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Attribute names whose values are replaced by `[redacted]` wherever they appear. */
const SECRET_KEY_PATTERN = /token|secret|password|authorization|api[-_]?key|signature|cookie/i;

function redact(value: unknown, depth = 0): unknown {
  if (depth > 4 || value === null || typeof value !== "object") return value;
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: value.stack };
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  const output: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    output[key] = SECRET_KEY_PATTERN.test(key) ? "[redacted]" : redact(item, depth + 1);
  }
  return output;
}

export interface LoggerOptions {
  level?: LogLevel;
  bindings?: LogAttributes;
  /** Where records go; defaults to `console`. Tests pass an array-backed sink. */
  write?: (level: LogLevel, record: LogAttributes) => void;
}

function writeToConsole(level: LogLevel, record: LogAttributes): void {
  const line = JSON.stringify(record);
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

/** Creates a JSON-lines logger. Secrets are redacted by attribute name, at any depth up to 4. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const minimum = LEVEL_ORDER[options.level ?? "info"];
  const bindings = options.bindings ?? {};
  const write = options.write ?? writeToConsole;

  const log = (level: LogLevel, message: string, attributes?: LogAttributes): void => {
    if (LEVEL_ORDER[level] < minimum) return;
    const record = redact({ time: new Date().toISOString(), level, message, ...bindings, ...attributes });
    write(level, record as LogAttributes);
  };

  return {
    debug: (message, attributes) => log("debug", message, attributes),
    info: (message, attributes) => log("info", message, attributes),
    warn: (message, attributes) => log("warn", message, attributes),
    error: (message, attributes) => log("error", message, attributes),
    child: (extra) => createLogger({ ...options, bindings: { ...bindings, ...extra } }),
  };
}

/** A logger that drops everything; the default where no logger is injected in tests. */
export const silentLogger: Logger = createLogger({ write: () => {} });
