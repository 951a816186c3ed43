/**
 * `npm run build:worker`: `wrangler deploy --dry-run` bundles the Worker from `wrangler.toml` without
 * contacting Cloudflare. The test runs the same command into a temporary directory and checks the
 * bundle: it exists, it is the app, and none of the Node-only local stand-ins leaked into it.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WRANGLER_OFFLINE_ENV } from "../helpers/wrangler.js";

/**
 * 3 MiB compressed: the Workers Free plan's Worker size limit on
 * developers.cloudflare.com/workers/platform/limits in 2025. Cloudflare has changed it before, so this
 * is the strictest recent value rather than a fixed rule.
 */
const FREE_PLAN_COMPRESSED_LIMIT_BYTES = 3 * 1024 * 1024;

interface CommandResult {
  code: number | null;
  output: string;
}

function runWrangler(args: string[]): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join("node_modules", "wrangler", "bin", "wrangler.js"), ...args], {
      env: { ...process.env, ...WRANGLER_OFFLINE_ENV },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, output }));
  });
}

let outdir: string;
let result: CommandResult;

beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), "radar-worker-build-"));
  result = await runWrangler(["deploy", "--dry-run", "--outdir", outdir]);
});

afterAll(async () => {
  await rm(outdir, { recursive: true, force: true });
});

describe("wrangler deploy dry run", () => {
  it("dry run exits successfully", () => {
    expect(result.output).toContain("--dry-run: exiting now.");
    expect(result.code, result.output).toBe(0);
  });

  it("bundle contains the app", async () => {
    expect(await readdir(outdir)).toContain("worker.js");
    const bundle = await readFile(join(outdir, "worker.js"), "utf8");

    expect(bundle).toContain("/webhooks/github");
    expect(bundle).toContain("scan-repository");
    expect(bundle).toMatch(/export\s*\{[^}]*\bas default\b/);
  });

  it("bundle leaves out Node stand-ins", async () => {
    const bundle = await readFile(join(outdir, "worker.js"), "utf8");

    // ioredis, pino and @hono/node-server are used only by the local stack under local/.
    for (const nodeOnly of ["node_modules/ioredis", "node_modules/pino", "node_modules/@hono/node-server"]) {
      expect(bundle, nodeOnly).not.toContain(nodeOnly);
    }
  });

  it("bundle size within free plan", async () => {
    const match = /Total Upload: [\d.]+ KiB \/ gzip: ([\d.]+) KiB/.exec(result.output);
    expect(match, result.output).not.toBeNull();
    const compressedBytes = Number(match?.[1]) * 1024;

    expect(compressedBytes).toBeGreaterThan(0);
    expect(compressedBytes).toBeLessThan(FREE_PLAN_COMPRESSED_LIMIT_BYTES);
    expect((await stat(join(outdir, "worker.js"))).size).toBeGreaterThan(compressedBytes);
  });
});
