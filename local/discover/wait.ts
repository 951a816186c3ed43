/**
 * Waits until the pipeline is idle: no workflow run of the app is still running. Runs start one
 * another (sweep → scans → analyses → notifications), so the check must see "no active runs" on two
 * polls in a row before it counts as idle. Runs left over from an earlier stack on the same app URL
 * count too: the QStash server resumes them, and their work belongs to this run's result.
 */
import type { Client as WorkflowClient } from "@upstash/workflow";

/** Selection of the runs that count: those of one app (by workflow URL), those created since a time, or both. */
export interface RunScope {
  /** Only runs whose workflow URL starts with this base URL count. */
  appBaseUrl?: string;
  /** Only runs created at or after this time (epoch ms) count. */
  sinceMs?: number;
}

export interface WaitOptions extends RunScope {
  pollMs?: number;
  timeoutMs?: number;
  /** Called after each poll with the number of active runs. */
  onPoll?: (activeRuns: number) => void | Promise<void>;
}

/** Counts runs still in `RUN_STARTED`; a number as `scope` is `sinceMs`. */
export async function countActiveRuns(client: WorkflowClient, scope: RunScope | number): Promise<number> {
  const { appBaseUrl, sinceMs } =
    typeof scope === "number" ? { sinceMs: scope, appBaseUrl: undefined } : scope;
  let active = 0;
  let cursor: string | undefined;
  do {
    const page = await client.logs({
      filter: { state: "RUN_STARTED", ...(sinceMs === undefined ? {} : { fromDate: sinceMs }) },
      count: 100,
      ...(cursor ? { cursor } : {}),
    });
    active += page.runs.filter(
      (run) => appBaseUrl === undefined || run.workflowUrl.startsWith(`${appBaseUrl}/`),
    ).length;
    cursor = page.cursor || undefined;
  } while (cursor);
  return active;
}

export async function waitForIdle(client: WorkflowClient, options: WaitOptions): Promise<void> {
  const pollMs = options.pollMs ?? 250;
  const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
  let idlePolls = 0;
  while (idlePolls < 2) {
    if (Date.now() > deadline) {
      throw new Error(`the pipeline did not finish within ${options.timeoutMs ?? 30 * 60_000} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    const active = await countActiveRuns(client, options);
    await options.onPoll?.(active);
    idlePolls = active === 0 ? idlePolls + 1 : 0;
  }
}
