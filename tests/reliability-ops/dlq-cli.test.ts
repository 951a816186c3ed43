import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDlqCli } from "../../server/cli/dlq.js";
import type { DeadLetter } from "../../steps/maintenance/index.js";
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
    const record = await cli("list", "--state", "deleted", "--json");
    expect(record.code).toBe(0);
  });

  it("usage errors exit 2", async () => {
    expect((await cli("show")).code).toBe(2);
    expect((await cli("frobnicate")).code).toBe(2);
    expect((await cli("resume", "--all-matching")).code).toBe(2);
    const unknownOption = await cli("list", "--colour");
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.err).toMatch(/colour/);
  });
});
