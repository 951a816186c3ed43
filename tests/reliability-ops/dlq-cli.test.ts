import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDlqCli } from "../../server/cli/dlq.js";
import { getRuntime } from "../../server/runtime.js";
import { type DeadLetter, opsOf } from "../../steps/maintenance/index.js";
import { startTestStack, type TestStack } from "../helpers/stack.js";
import { waitFor } from "../helpers/wait-for.js";
import { admin, adminOk, FAST_FAILURE_ENV, REPOSITORY } from "./helpers.js";

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack("reliability-ops-cli", {}, { appEnv: FAST_FAILURE_ENV });
  await adminOk(stack, "POST", "/repositories", { repositories: [REPOSITORY] });
});

afterAll(async () => {
  await stack?.cleanup();
});

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runDlqCli(
    [...args, "--url", stack.appEnv.APP_BASE_URL ?? "", "--token", stack.appEnv.ADMIN_TOKEN ?? ""],
    {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      env: {},
    },
  );
  return { code, out: out.join("\n"), err: err.join("\n") };
}

async function deadScan(): Promise<DeadLetter> {
  stack.github.setFaults({ badGatewayRate: 1 });
  const { workflowRunId } = await adminOk<{ workflowRunId: string }>(stack, "POST", "/scans", {
    repositories: [REPOSITORY],
  });
  const letter = await waitFor(
    async () => {
      const { deadLetters } = await adminOk<{ deadLetters: DeadLetter[] }>(stack, "GET", "/dead-letters");
      return deadLetters.find((entry) => entry.workflowRunId === workflowRunId && entry.state === "dead");
    },
    { description: `dead letter of scan ${workflowRunId}`, timeoutMs: 45_000, intervalMs: 100 },
  );
  stack.github.setFaults({});
  return letter;
}

describe("dead-letter admin API", () => {
  it("bad filter names the field", async () => {
    const response = await admin(stack, "GET", "/dead-letters?state=lost");
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body)).toMatch(/state/);
    const count = await admin(stack, "GET", "/dead-letters?count=0");
    expect(count.status).toBe(400);
    expect(JSON.stringify(count.body)).toMatch(/count/);
    const bulk = await admin(stack, "POST", "/dead-letters/resume", { filter: {} });
    expect(bulk.status).toBe(400);
    expect(JSON.stringify(bulk.body)).toMatch(/filter/);
  });

  it("invalid filters are 400", async () => {
    const cases: [string, string][] = [
      ["/dead-letters?fromDate=", "fromDate"],
      ["/dead-letters?fromDate=2000&toDate=1000", "fromDate"],
      ["/dead-letters?dependency=githb", "dependency"],
      ["/dead-letters?state=redriven", "state"],
      ["/dead-letters?cursor=garbage", "cursor"],
      ["/quarantine?x=1", "x"],
    ];
    for (const [path, field] of cases) {
      const response = await admin(stack, "GET", path);
      expect(response.status, path).toBe(400);
      expect(JSON.stringify(response.body), path).toContain(field);
    }
    const webhook = await admin(stack, "GET", "/dead-letters?dependency=webhook:%5B::1%5D:8080");
    expect(webhook.status).toBe(200);
  });

  it("unknown dead run is 404", async () => {
    const response = await admin(stack, "GET", "/dead-runs/wfr_unknown");
    expect(response.status).toBe(404);
    expect(JSON.stringify(response.body)).toContain("wfr_unknown");
  });

  it("unknown dead letter is 404", async () => {
    expect((await admin(stack, "GET", "/dead-letters/0-0")).status).toBe(404);
    expect((await admin(stack, "POST", "/dead-letters/0-0/resume")).status).toBe(404);
    expect((await admin(stack, "DELETE", "/dead-letters/0-0")).status).toBe(404);
  });

  it("missing token is rejected", async () => {
    const response = await fetch(`${stack.appEnv.APP_BASE_URL}/admin/dead-letters`);
    expect(response.status).toBe(401);
  });
});

describe("dlq CLI", () => {
  it("list shows dependency", async () => {
    const letter = await deadScan();
    const table = await cli("list", "--dependency", "github");
    expect(table.code).toBe(0);
    const row = table.out.split("\n").find((line) => line.startsWith(letter.dlqId));
    expect(row).toContain("github");
    expect(row).toContain("scan-repository");

    const json = await cli("list", "--workflow", "scan-repository", "--json");
    const page = JSON.parse(json.out) as { deadLetters: DeadLetter[] };
    expect(page.deadLetters.map((entry) => entry.dlqId)).toContain(letter.dlqId);

    const shown = await cli("show", letter.dlqId);
    expect(JSON.parse(shown.out).workflowRunId).toBe(letter.workflowRunId);
  });

  it("resume starts a new run", async () => {
    const letter = await deadScan();
    const resumed = await cli("resume", letter.dlqId, "--json");
    expect(resumed.code).toBe(0);
    const newRunId = JSON.parse(resumed.out).workflowRunId as string;
    expect(newRunId).not.toBe(letter.workflowRunId);
    expect((await cli("show", letter.dlqId)).code).toBe(1);
  });

  it("delete all matching", async () => {
    const letter = await deadScan();
    const deleted = await cli("delete", "--all-matching", "--workflow", "scan-repository", "--json");
    expect(deleted.code).toBe(0);
    const result = JSON.parse(deleted.out) as { results: { dlqId: string; deleted?: boolean }[] };
    expect(result.results.find((item) => item.dlqId === letter.dlqId)?.deleted).toBe(true);
    const after = await cli("list", "--workflow", "scan-repository", "--json");
    expect((JSON.parse(after.out) as { deadLetters: DeadLetter[] }).deadLetters).toHaveLength(0);
    const record = await cli("run", letter.workflowRunId);
    expect(record.code).toBe(0);
    expect(JSON.parse(record.out).state).toBe("deleted");
  });

  it("run shows re-drive chain", async () => {
    const letter = await deadScan();
    const resumed = await cli("resume", letter.dlqId);
    expect(resumed.code).toBe(0);
    expect(resumed.out).toMatch(/^resumed /);
    const origin = await cli("run", letter.workflowRunId);
    expect(origin.code).toBe(0);
    const record = JSON.parse(origin.out) as { state: string; redrivenAs: string | null };
    expect(record.state).toBe("redriven");
    expect(record.redrivenAs).toMatch(/^wfr_/);
    expect((await cli("run", "wfr_unknown")).code).toBe(1);
  });

  it("list pages with --cursor", async () => {
    await deadScan();
    await deadScan();
    const first = await cli("list", "--count", "1");
    expect(first.code).toBe(0);
    const cursor = /--cursor (\S+)/.exec(first.out)?.[1];
    expect(cursor).toBeDefined();
    const second = await cli("list", "--count", "1", "--cursor", cursor ?? "");
    expect(second.code).toBe(0);
    const firstRow = first.out.split("\n")[1];
    const secondRow = second.out.split("\n")[1];
    expect(secondRow).toBeDefined();
    expect(secondRow).not.toBe(firstRow);
  });

  it("all-matching stops at limit", async () => {
    await deadScan();
    await deadScan();
    const deleted = await cli("delete", "--all-matching", "--workflow", "scan-repository", "--limit", "1");
    expect(deleted.code).toBe(0);
    expect(deleted.out).toMatch(/1 matching/);
    expect(deleted.out).toMatch(/stopped at the limit of 1/);
    expect(
      (await cli("delete", "--all-matching", "--workflow", "scan-repository", "--limit", "0")).code,
    ).toBe(2);
    expect((await cli("list", "--limit", "5")).code).toBe(2);
  });

  it("skipped quarantined runs exit 1", async () => {
    const letter = await deadScan();
    const runtime = getRuntime(stack.appEnv);
    const deadRuns = opsOf(runtime).deadRuns;
    // Quarantine the run the way a second death after a re-drive does.
    await deadRuns.linkRedrive("wfr_earlier_death", letter.workflowRunId, Date.now());
    const resumed = await cli("resume", "--all-matching", "--state", "quarantined");
    expect(resumed.code).toBe(1);
    expect(resumed.err).toMatch(/quarantined/);
    expect(resumed.err).toMatch(/--include-quarantined/);
  });

  it("usage errors exit 2", async () => {
    expect((await cli("show")).code).toBe(2);
    expect((await cli("frobnicate")).code).toBe(2);
    expect((await cli("resume", "--all-matching")).code).toBe(2);
    const unknownOption = await cli("list", "--colour");
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.err).toMatch(/colour/);
    const extra = await cli("list", "a", "b");
    expect(extra.code).toBe(2);
    expect(extra.err).toMatch(/unexpected arguments: a b/);
  });
});
