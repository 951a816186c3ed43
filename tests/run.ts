/**
 * The project's test command: type-check, lint and format check, then every vitest suite.
 * Ends with one plain line `N passed, N failed` that counts the type-check and the lint as one check
 * each, plus every test case. Exits non-zero when anything failed.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

interface VitestJsonReport {
  numPassedTests: number;
  numFailedTests: number;
  numTotalTestSuites: number;
  numFailedTestSuites: number;
  success: boolean;
}

const reportDir = join(process.cwd(), ".tmp", "test-reports");
rmSync(reportDir, { recursive: true, force: true });
mkdirSync(reportDir, { recursive: true });

let passed = 0;
let failed = 0;

function runCheck(label: string, command: string, args: string[]): boolean {
  console.log(`\n== ${label}: ${command} ${args.join(" ")}`);
  const result = spawnSync(command, args, { stdio: "inherit", env: process.env });
  const ok = result.status === 0;
  if (ok) passed += 1;
  else failed += 1;
  console.log(`== ${label}: ${ok ? "passed" : "failed"}`);
  return ok;
}

function runVitest(label: string, configFile: string): void {
  const outputFile = join(reportDir, `${label}.json`);
  console.log(`\n== ${label}: vitest run --config ${configFile}`);
  const result = spawnSync(
    "npx",
    [
      "vitest",
      "run",
      "--config",
      configFile,
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${outputFile}`,
    ],
    { stdio: "inherit", env: process.env },
  );
  if (!existsSync(outputFile)) {
    // vitest did not get as far as writing a report (a config or import error), which counts as one failure.
    console.log(`== ${label}: no report written (exit code ${result.status})`);
    failed += 1;
    return;
  }
  const report = JSON.parse(readFileSync(outputFile, "utf8")) as VitestJsonReport;
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  // A test file that fails to load has no failed test cases but is still a failure.
  const brokenFiles =
    report.success || report.numFailedTests > 0 ? 0 : Math.max(1, report.numFailedTestSuites);
  failed += brokenFiles;
  if (result.status !== 0 && report.numFailedTests === 0 && brokenFiles === 0) failed += 1;
}

runCheck("typecheck", "npx", ["tsc", "--noEmit", "-p", "tsconfig.json"]);
runCheck("lint", "npx", ["biome", "check", "."]);
runVitest("node", "vitest.config.ts");
if (existsSync("vitest.workers.config.ts")) runVitest("workers", "vitest.workers.config.ts");

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
