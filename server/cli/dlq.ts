/**
 * `npm run dlq -- <command>`: the operator's command line for dead-lettered runs. It calls the admin
 * API over HTTP, so it works against a deployed app and the local stack alike.
 *
 * The URL and token come from `--url`/`--token`, else `RADAR_URL`/`ADMIN_TOKEN`, else the local
 * stack's defaults (`http://127.0.0.1:8787` and its development admin token).
 */
import { parseArgs } from "node:util";
import { parseStackConfig } from "../../local/config.js";

export const DLQ_USAGE = `Usage: npm run dlq -- <command> [options]

Commands:
  list                      list dead-lettered runs
  show <dlqId>              show one dead-lettered run
  run <workflowRunId>       show the dead-run record of a run in any state, with redriveOf and redrivenAs
  resume <dlqId>            resume a run from the step that failed
  resume --all-matching     resume every run matching the filter options
  restart <dlqId>           start a run again from its initial payload
  restart --all-matching    restart every run matching the filter options
  delete <dlqId>            delete a run from the dead-letter queue
  delete --all-matching     delete every run matching the filter options
  quarantine                list runs that failed again after a re-drive
  alerts                    list recent alerts and the dead-letter counters

Options:
  --workflow <id>           filter: workflow id (scan-repository, analyze-issues, notify-subscribers, sweep, maintenance)
  --dependency <name>       filter: dependency the run died on (github, model, email, slack, webhook:<host>)
  --state <state>           filter: dead, quarantined or unrecorded (re-driven and deleted runs have
                            left the DLQ: see them with run <workflowRunId>)
  --from <time> --to <time> filter: when the run entered the DLQ (ISO time or epoch milliseconds)
  --count <n>               page size of list (1-100, default 50)
  --cursor <cursor>         list the page that starts at this cursor, as printed after the previous page
  --limit <n>               with --all-matching, act on at most n runs (1-1000, default 100)
  --include-quarantined     with --all-matching resume/restart, also act on quarantined runs
  --json                    print the API's JSON instead of a table
  --url <url>               app base URL (default $RADAR_URL or the local stack)
  --token <token>           admin token (default $ADMIN_TOKEN or the local stack's)
  --help                    show this text
`;

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  env: Record<string, string | undefined>;
  fetch?: typeof fetch;
}

/** Thrown for invalid arguments; the message states what to change. */
class UsageError extends Error {}

const OPTIONS = {
  workflow: { type: "string" },
  dependency: { type: "string" },
  state: { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  count: { type: "string" },
  cursor: { type: "string" },
  limit: { type: "string" },
  "all-matching": { type: "boolean" },
  "include-quarantined": { type: "boolean" },
  json: { type: "boolean" },
  url: { type: "string" },
  token: { type: "string" },
  help: { type: "boolean" },
} as const;

interface Row {
  dlqId: string;
  workflowRunId: string;
  workflowId: string;
  dependency: string | null;
  state: string;
  quarantined: boolean;
  enteredDlqAt: number | null;
  error: string | null;
}

function table(rows: Row[]): string[] {
  const lines = rows.map((row) =>
    [
      row.dlqId,
      row.workflowId,
      row.workflowRunId,
      row.dependency ?? "-",
      row.quarantined ? "quarantined" : row.state,
      row.enteredDlqAt === null ? "-" : new Date(row.enteredDlqAt).toISOString(),
      (row.error ?? "").slice(0, 80),
    ].join("  "),
  );
  return ["DLQ ID  WORKFLOW  RUN ID  DEPENDENCY  STATE  ENTERED DLQ  ERROR", ...lines];
}

/**
 * Runs one CLI invocation and returns its exit code: 0 on success, 1 on an API error or when an
 * `--all-matching` action skipped or failed on any run, 2 on bad usage.
 */
export async function runDlqCli(argv: string[], io: CliIo): Promise<number> {
  try {
    return await run(argv, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`error: ${error.message}`);
      io.err("run with --help for usage");
      return 2;
    }
    io.err(`error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

async function run(argv: string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const [command, id, ...extra] = positionals;
  if (values.help || command === undefined) {
    io.out(DLQ_USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  const takesId =
    command === "show" ||
    command === "run" ||
    command === "resume" ||
    command === "restart" ||
    command === "delete";
  const unexpected = takesId ? extra : [id, ...extra].filter((value) => value !== undefined);
  if (unexpected.length > 0) throw new UsageError(`unexpected arguments: ${unexpected.join(" ")}`);
  let limit: number | undefined;
  if (values.limit !== undefined) {
    if (!values["all-matching"]) throw new UsageError("--limit applies only with --all-matching");
    limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw new UsageError(`invalid --limit "${values.limit}": expected a whole number from 1 to 1000`);
    }
  }

  // Defaults come from the local stack's configuration, so APP_PORT and LOCAL_HOST apply here too.
  const local = parseStackConfig(io.env);
  const baseUrl = (values.url ?? io.env.RADAR_URL ?? `http://${local.LOCAL_HOST}:${local.APP_PORT}`).replace(
    /\/$/,
    "",
  );
  const token = values.token ?? io.env.ADMIN_TOKEN ?? local.ADMIN_TOKEN;
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    let response: Response;
    try {
      response = await (io.fetch ?? fetch)(`${baseUrl}/admin${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(
        `could not reach the app at ${baseUrl} (${reason}); is it running? Set --url or RADAR_URL`,
      );
    }
    const text = await response.text();
    let payload: unknown = null;
    try {
      payload = text.length > 0 ? JSON.parse(text) : null;
    } catch {
      payload = text;
    }
    if (!response.ok) {
      const message =
        typeof payload === "object" && payload !== null && "error" in payload ? String(payload.error) : text;
      throw new Error(`${method} ${path} failed with HTTP ${response.status}: ${message}`);
    }
    return payload;
  };

  const filter = {
    ...(values.workflow ? { workflow: values.workflow } : {}),
    ...(values.dependency ? { dependency: values.dependency } : {}),
    ...(values.state ? { state: values.state } : {}),
    ...(values.from ? { fromDate: values.from } : {}),
    ...(values.to ? { toDate: values.to } : {}),
  };
  const print = (payload: unknown, lines: () => string[]) => {
    if (values.json) io.out(JSON.stringify(payload, null, 2));
    else for (const line of lines()) io.out(line);
  };

  switch (command) {
    case "list": {
      const query = new URLSearchParams({
        ...filter,
        ...(values.count ? { count: values.count } : {}),
        ...(values.cursor ? { cursor: values.cursor } : {}),
      });
      const page = (await call("GET", `/dead-letters?${query}`)) as { deadLetters: Row[]; cursor?: string };
      print(page, () => [
        ...table(page.deadLetters),
        ...(page.cursor ? [`(more: add --cursor ${page.cursor} for the next page)`] : []),
      ]);
      return 0;
    }
    case "run": {
      if (!id) throw new UsageError("run needs a workflow run id: npm run dlq -- run <workflowRunId>");
      const record = await call("GET", `/dead-runs/${encodeURIComponent(id)}`);
      io.out(JSON.stringify(record, null, 2));
      return 0;
    }
    case "show": {
      if (!id) throw new UsageError("show needs a DLQ id: npm run dlq -- show <dlqId>");
      const letter = await call("GET", `/dead-letters/${encodeURIComponent(id)}`);
      io.out(JSON.stringify(letter, null, 2));
      return 0;
    }
    case "resume":
    case "restart":
    case "delete": {
      const method = command === "delete" ? "DELETE" : "POST";
      if (values["all-matching"]) {
        if (id) throw new UsageError(`${command} takes a DLQ id or --all-matching, not both`);
        if (Object.keys(filter).length === 0) {
          throw new UsageError(
            `${command} --all-matching needs at least one filter option (--workflow, --dependency, ...)`,
          );
        }
        const suffix = command === "delete" ? "" : `/${command}`;
        const result = (await call(method, `/dead-letters${suffix}`, {
          filter,
          includeQuarantined: values["include-quarantined"] ?? false,
          ...(limit === undefined ? {} : { limit }),
        })) as { matched: number; limitReached: boolean; results: Record<string, unknown>[] };
        const skipped = result.results.filter((item) => item.skipped === "quarantined").length;
        const failed = result.results.filter((item) => "error" in item).length;
        print(result, () => [
          `${command}: ${result.matched} matching dead letters`,
          ...result.results.map((item) => JSON.stringify(item)),
          ...(result.limitReached
            ? [`stopped at the limit of ${result.matched}; run again or raise --limit for the rest`]
            : []),
        ]);
        if (skipped > 0) {
          io.err(
            `${skipped} of ${result.matched} skipped because they are quarantined (they failed again after a re-drive); add --include-quarantined to ${command} them`,
          );
        }
        if (failed > 0) io.err(`${failed} of ${result.matched} failed; see the error field of each`);
        return skipped > 0 || failed > 0 ? 1 : 0;
      }
      if (!id) throw new UsageError(`${command} needs a DLQ id or --all-matching`);
      const path = `/dead-letters/${encodeURIComponent(id)}${command === "delete" ? "" : `/${command}`}`;
      const result = (await call(method, path)) as Record<string, unknown>;
      print(result, () => [
        command === "delete"
          ? `deleted ${id}`
          : `${command === "resume" ? "resumed" : "restarted"} ${id} as run ${String(result.workflowRunId)}`,
      ]);
      return 0;
    }
    case "quarantine": {
      const result = (await call("GET", "/quarantine")) as {
        runs: {
          workflowRunId: string;
          quarantinedAt: number;
          record: { workflowId: string; redriveOf: string | null; dependency: string | null } | null;
        }[];
      };
      print(result, () => [
        "RUN ID  WORKFLOW  DEPENDENCY  QUARANTINED AT  RE-DRIVEN FROM",
        ...result.runs.map((run) =>
          [
            run.workflowRunId,
            run.record?.workflowId ?? "-",
            run.record?.dependency ?? "-",
            new Date(run.quarantinedAt).toISOString(),
            run.record?.redriveOf ?? "-",
          ].join("  "),
        ),
      ]);
      return 0;
    }
    case "alerts": {
      const result = (await call("GET", "/alerts")) as {
        alerts: { raisedAt: string; code: string; message: string }[];
        counters: Record<string, number>;
      };
      print(result, () => [
        ...result.alerts.map((alert) => `${alert.raisedAt}  ${alert.code}  ${alert.message}`),
        "counters:",
        ...Object.entries(result.counters).map(([name, value]) => `  ${name} = ${value}`),
      ]);
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}
