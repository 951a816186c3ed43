/**
 * Builds a synthetic GitHub snapshot with exactly `repositories` repositories, so that a chaos run
 * with `GITHUB_REPOSITORIES_PER_REQUEST=1` makes one scan run per repository. Repositories and their
 * issues are copied from the bundled snapshot, repositories with the most open issues first, so that
 * even a small run has candidates to analyse and notify. Copies after the first round get the owner
 * `<owner>-copy<k>`, so names stay unique and each copy keeps the original's issues.
 */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUNDLED_SNAPSHOT_DIR } from "../github/index.js";

interface RepositoryRecord {
  owner: string;
  name: string;
  nameWithOwner: string;
  url: string;
  [field: string]: unknown;
}

interface IssueRecord {
  repository: string;
  url: string;
  [field: string]: unknown;
}

export interface SyntheticSnapshot {
  dir: string;
  repositories: string[];
  issues: number;
}

/** Writes `repositories.json` and `issues.json` into a new temporary directory and returns it. */
export async function writeSyntheticSnapshot(repositories: number): Promise<SyntheticSnapshot> {
  if (!Number.isInteger(repositories) || repositories < 1) {
    throw new Error(
      `the synthetic snapshot needs a positive whole number of repositories, got ${repositories}`,
    );
  }
  const sourceRepositories = JSON.parse(
    await readFile(join(BUNDLED_SNAPSHOT_DIR, "repositories.json"), "utf8"),
  ) as RepositoryRecord[];
  const sourceIssues = JSON.parse(
    await readFile(join(BUNDLED_SNAPSHOT_DIR, "issues.json"), "utf8"),
  ) as IssueRecord[];
  const issuesByRepository = new Map<string, IssueRecord[]>();
  for (const issue of sourceIssues) {
    const list = issuesByRepository.get(issue.repository) ?? [];
    list.push(issue);
    issuesByRepository.set(issue.repository, list);
  }

  const openIssues = (repository: RepositoryRecord): number =>
    (issuesByRepository.get(repository.nameWithOwner) ?? []).filter((issue) => issue.state === "OPEN").length;
  // Array.prototype.sort is stable, so ties keep the bundled order and the result is deterministic.
  sourceRepositories.sort((a, b) => openIssues(b) - openIssues(a));

  const outRepositories: RepositoryRecord[] = [];
  const outIssues: IssueRecord[] = [];
  for (let index = 0; index < repositories; index += 1) {
    const source = sourceRepositories[index % sourceRepositories.length];
    if (!source) throw new Error(`the bundled snapshot at ${BUNDLED_SNAPSHOT_DIR} has no repositories`);
    const round = Math.floor(index / sourceRepositories.length);
    const owner = round === 0 ? source.owner : `${source.owner}-copy${round}`;
    const nameWithOwner = `${owner}/${source.name}`;
    const url = `https://github.com/${nameWithOwner}`;
    outRepositories.push({ ...source, owner, nameWithOwner, url });
    for (const issue of issuesByRepository.get(source.nameWithOwner) ?? []) {
      outIssues.push({
        ...issue,
        repository: nameWithOwner,
        url: issue.url.replace(`github.com/${source.nameWithOwner}/`, `github.com/${nameWithOwner}/`),
      });
    }
  }

  const dir = await mkdtemp(join(tmpdir(), "radar-chaos-snapshot-"));
  await writeFile(join(dir, "repositories.json"), JSON.stringify(outRepositories));
  await writeFile(join(dir, "issues.json"), JSON.stringify(outIssues));
  return {
    dir,
    repositories: outRepositories.map((record) => record.nameWithOwner),
    issues: outIssues.length,
  };
}
