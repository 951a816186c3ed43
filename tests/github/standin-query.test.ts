import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GitHubStandIn, issueNodeId, startGitHubStandIn } from "../../local/github/index.js";
import {
  issueRecords,
  postGraphQL,
  repositoryRecord,
  type TempSnapshot,
  writeTempSnapshot,
} from "./helpers.js";

let bundled: GitHubStandIn;
let large: GitHubStandIn;
let temp: TempSnapshot;

beforeAll(async () => {
  bundled = await startGitHubStandIn();
  temp = await writeTempSnapshot([repositoryRecord("acme/widgets")], issueRecords("acme/widgets", 250));
  large = await startGitHubStandIn({ snapshotDir: temp.dir, now: () => Date.parse("2025-06-01T00:00:00Z") });
});

afterAll(async () => {
  await bundled?.close();
  await large?.close();
  await temp?.remove();
});

const ISSUES_PAGE = `query Page($after: String, $since: DateTime) {
  repository(owner: "acme", name: "widgets") {
    issues(first: 100, after: $after, states: OPEN, filterBy: { since: $since }, orderBy: { field: UPDATED_AT, direction: ASC }) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { number updatedAt }
    }
  }
}`;

interface PageBody {
  data: {
    repository: {
      issues: {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        nodes: { number: number; updatedAt: string }[];
      };
    };
  };
}

describe("GitHub stand-in queries", () => {
  it("serves snapshot issue fields", async () => {
    const response = await postGraphQL(
      bundled,
      `{ repository(owner: "cli", name: "cli") {
          id nameWithOwner primaryLanguage { name }
          issue(number: 3650) {
            id number title state closed locked createdAt updatedAt
            author { login } labels(first: 10) { nodes { name } } comments { totalCount }
            assignees(first: 5) { totalCount nodes { login } }
          }
        } }`,
    );
    expect(response.status).toBe(200);
    const repository = (response.body.data as { repository: Record<string, unknown> }).repository;
    expect(repository.nameWithOwner).toBe("cli/cli");
    expect(repository.primaryLanguage).toEqual({ name: "Go" });
    const issue = repository.issue as Record<string, unknown>;
    expect(issue.id).toBe(issueNodeId("cli/cli", 3650));
    expect(issue.title).toBe("Garbled remote output after submitting gh pr create on Git Bash");
    expect(issue.labels).toEqual({ nodes: [{ name: "bug" }, { name: "gh-pr" }, { name: "priority-2" }] });
    expect(issue.author).toEqual({ login: "user-e79e" });
    expect(issue.assignees).toEqual({ totalCount: 0, nodes: [] });
  });

  it("derives updatedAt from comments", async () => {
    // Issue 74 of adoptium/emt4j was created on 2025-09-23 and its latest kept comment is from 2025-10-14.
    const response = await postGraphQL(
      bundled,
      `{ repository(owner: "adoptium", name: "emt4j") { issue(number: 74) { createdAt updatedAt } } }`,
    );
    const issue = (response.body.data as { repository: { issue: Record<string, string> } }).repository.issue;
    expect(issue.createdAt).toBe("2025-09-23T00:00:00Z");
    expect(issue.updatedAt).toBe("2025-10-14T00:00:00Z");
    expect(Date.parse(issue.updatedAt ?? "")).toBeGreaterThan(Date.parse(issue.createdAt ?? ""));
  });

  it("rejects unknown field GitHub-style", async () => {
    const response = await postGraphQL(bundled, `query { repository(owner: "cli", name: "cli") { foo } }`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      errors: [
        {
          path: ["query", "repository", "foo"],
          extensions: { code: "undefinedField", typeName: "Repository", fieldName: "foo" },
          locations: [{ line: 1, column: 49 }],
          message: "Field 'foo' doesn't exist on type 'Repository'",
        },
      ],
    });
  });

  it("rejects missing required argument", async () => {
    const response = await postGraphQL(bundled, `query Named { repository(owner: "cli") { id } }`);
    const [error] = response.body.errors as {
      message: string;
      path: string[];
      extensions: { code: string };
    }[];
    expect(error?.message).toBe("Field 'repository' is missing required arguments: name");
    expect(error?.path).toEqual(["query Named", "repository"]);
    expect(error?.extensions.code).toBe("missingRequiredArguments");
  });

  it("returns NOT_FOUND for unknown repository", async () => {
    const response = await postGraphQL(bundled, `{ repository(owner: "nobody", name: "nothing") { id } }`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      data: { repository: null },
      errors: [
        {
          type: "NOT_FOUND",
          path: ["repository"],
          locations: [{ line: 1, column: 3 }],
          message: "Could not resolve to a Repository with the name 'nobody/nothing'.",
        },
      ],
    });
  });

  it("requires first or last", async () => {
    const response = await postGraphQL(
      bundled,
      `{ repository(owner: "cli", name: "cli") { issues { nodes { id } } } }`,
    );
    const [error] = response.body.errors as { message: string }[];
    expect(response.body.data).toBeNull();
    expect(error?.message).toBe(
      "You must provide a `first` or `last` value to properly paginate the `issues` connection.",
    );
  });

  it("rejects page size above 100", async () => {
    const response = await postGraphQL(
      bundled,
      `{ repository(owner: "cli", name: "cli") { issues(first: 101) { nodes { id } } } }`,
    );
    const [error] = response.body.errors as { message: string }[];
    expect(error?.message).toBe(
      "Requesting 101 records on the `issues` connection exceeds the `first` limit of 100 records.",
    );
  });

  it("rejects missing and wrong tokens", async () => {
    const missing = await postGraphQL(bundled, "{ viewer { login } }", {}, { authorization: null });
    expect(missing.status).toBe(401);
    expect(missing.body.message).toBe("This endpoint requires you to be authenticated.");
    const wrong = await postGraphQL(bundled, "{ viewer { login } }", {}, { authorization: "bearer wrong" });
    expect(wrong.status).toBe(401);
    expect(wrong.body.message).toBe("Bad credentials");
    const tokenScheme = await postGraphQL(
      bundled,
      "{ viewer { login } }",
      {},
      { authorization: `token ${bundled.token}` },
    );
    expect(tokenScheme.status).toBe(200);
  });

  it("serves the GHES path", async () => {
    const response = await postGraphQL(bundled, "{ viewer { login } }", {}, { path: "/api/graphql" });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ viewer: { login: "radar-local" } });
  });

  it("paginates 250 issues by cursor", async () => {
    const seen: number[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const response = await postGraphQL(large, ISSUES_PAGE, { after });
      const issues = (response.body as unknown as PageBody).data.repository.issues;
      expect(issues.totalCount).toBe(250);
      seen.push(...issues.nodes.map((node) => node.number));
      after = issues.pageInfo.hasNextPage ? issues.pageInfo.endCursor : null;
      pages += 1;
    } while (after !== null);
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 250 }, (_, index) => index + 1));
  });

  it("filters by since inclusively", async () => {
    // Issue n was updated on 2024-01-01 plus n - 1 days, so issues 241..250 are on or after 2024-08-28.
    const response = await postGraphQL(large, ISSUES_PAGE, { since: "2024-08-28T00:00:00Z" });
    const issues = (response.body as unknown as PageBody).data.repository.issues;
    expect(issues.totalCount).toBe(10);
    expect(issues.nodes.map((node) => node.number)).toEqual([
      241, 242, 243, 244, 245, 246, 247, 248, 249, 250,
    ]);
  });

  it("rejects a malformed cursor", async () => {
    const response = await postGraphQL(large, ISSUES_PAGE, { after: "not-a-cursor" });
    const [error] = response.body.errors as { type: string; message: string }[];
    expect(error?.type).toBe("INVALID_CURSOR_ARGUMENTS");
    expect(error?.message).toBe("`not-a-cursor` does not appear to be a valid cursor.");
  });

  it("changed issue moves to the end", async () => {
    const upsert = await fetch(`${large.url}/_github/issues`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ repository: "acme/widgets", number: 5, title: "Issue 5, retitled" }),
    });
    expect(upsert.status).toBe(200);
    const response = await postGraphQL(large, ISSUES_PAGE, { since: "2025-01-01T00:00:00Z" });
    const issues = (response.body as unknown as PageBody).data.repository.issues;
    expect(issues.nodes).toEqual([{ number: 5, updatedAt: "2025-06-01T00:00:00Z" }]);
  });

  it("rejects unknown repository on upsert", async () => {
    const upsert = await fetch(`${large.url}/_github/issues`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ repository: "acme/missing", title: "New" }),
    });
    expect(upsert.status).toBe(404);
  });
});
