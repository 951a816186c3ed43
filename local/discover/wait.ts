/**
 * Waits until the pipeline is idle: no workflow run of the app is still running. Runs start one
 * another (sweep → scans → analyses → notifications), so the check must see "no active runs" on two
 * polls in a row before it counts as idle.
 */
import type { Client as WorkflowClient } from "@upstash/workflow";

export interface WaitOptions {
  /** Only runs created at or after this time (epoch ms) count. */
  sinceMs: number;
  pollMs?: number;
  timeoutMs?: number;
  /** Called after each poll with the number of active runs. */
  onPoll?: (activeRuns: number) => void | Promise<void>;
}

export async function countActiveRuns(client: WorkflowClient, sinceMs: number): Promise<number> {
  let active = 0;
  let cursor: string | undefined;
  do {
    const page = await client.logs({
      filter: { state: "RUN_STARTED", fromDate: sinceMs },
      count: 100,
      ...(cursor ? { cursor } : {}),
    });
    active += page.runs.length;
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
    const active = await countActiveRuns(client, options.sinceMs);
    await options.onPoll?.(active);
    idlePolls = active === 0 ? idlePolls + 1 : 0;
  }
}
