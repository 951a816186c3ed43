import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BUNDLED_SNAPSHOT_DIR, loadSnapshot, SnapshotError } from "../../local/github/index.js";
import { issueRecords, repositoryRecord, type TempSnapshot, writeTempSnapshot } from "./helpers.js";

let temp: TempSnapshot | undefined;
afterEach(async () => {
  await temp?.remove();
  temp = undefined;
});

async function loadError(repositories: unknown[], issues: unknown[]): Promise<SnapshotError> {
  temp = await writeTempSnapshot(repositories, issues);
  const error = await loadSnapshot(temp.dir).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(SnapshotError);
  return error as SnapshotError;
}

describe("loadSnapshot", () => {
  it("loads the bundled snapshot", async () => {
    const snapshot = await loadSnapshot(BUNDLED_SNAPSHOT_DIR);
    expect(snapshot.repositories).toHaveLength(219);
    expect(snapshot.issues).toHaveLength(366);
    expect(snapshot.issues.filter((issue) => issue.state === "OPEN")).toHaveLength(101);
  });

  it("names file and index of bad issue", async () => {
    const issues = issueRecords("acme/widgets", 3);
    const broken = { ...issues[2], number: -4 };
    const error = await loadError([repositoryRecord("acme/widgets")], [issues[0], issues[1], broken]);
    expect(error.file).toBe(join(temp?.dir ?? "", "issues.json"));
    expect(error.index).toBe(2);
    expect(error.message).toContain("issues.json[2]");
    expect(error.message).toContain("number");
  });

  it("names file and index of bad repository", async () => {
    const error = await loadError([repositoryRecord("acme/widgets"), { owner: "acme" }], []);
    expect(error.file).toBe(join(temp?.dir ?? "", "repositories.json"));
    expect(error.index).toBe(1);
    expect(error.message).toContain("repositories.json[1]");
  });

  it("rejects issue of unknown repository", async () => {
    const error = await loadError([repositoryRecord("acme/widgets")], issueRecords("acme/other", 1));
    expect(error.index).toBe(0);
    expect(error.message).toContain("acme/other has no record in repositories.json");
  });

  it("rejects repeated issue number", async () => {
    const [first] = issueRecords("acme/widgets", 1);
    const error = await loadError([repositoryRecord("acme/widgets")], [first, first]);
    expect(error.index).toBe(1);
    expect(error.message).toContain("acme/widgets#1 appears twice");
  });

  it("rejects file that is not JSON", async () => {
    temp = await writeTempSnapshot([], []);
    const { writeFile } = await import("node:fs/promises");
    await writeFile(join(temp.dir, "issues.json"), "[{");
    const error = await loadSnapshot(temp.dir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SnapshotError);
    expect((error as SnapshotError).message).toContain("is not valid JSON");
  });
});
