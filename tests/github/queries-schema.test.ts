import { schema } from "@octokit/graphql-schema";
import { buildClientSchema, buildSchema, type IntrospectionQuery, parse, validate } from "graphql";
import { describe, expect, it } from "vitest";
import {
  ALL_GITHUB_QUERIES,
  buildIssuePagesQuery,
  buildRepositoryProbeQuery,
} from "../../steps/github/index.js";

// The package ships the schema twice: as introspection JSON and as SDL. The SDL of 15.26.1 repeats two
// field definitions, so it is built without SDL validation; every query must pass against both.
const fromJson = buildClientSchema(schema.json as unknown as IntrospectionQuery);
const fromSdl = buildSchema(schema.idl, { assumeValidSDL: true });

describe("GitHub queries", () => {
  it("lists every product query", () => {
    const names = ALL_GITHUB_QUERIES.map((entry) => entry.name);
    expect(names).toContain("Issue");
    expect(names.some((name) => name.startsWith("RepositoryProbe"))).toBe(true);
    expect(names.some((name) => name.startsWith("IssuePages"))).toBe(true);
  });

  for (const { name, query } of ALL_GITHUB_QUERIES) {
    it(`${name} validates against schema`, () => {
      const document = parse(query);
      expect(validate(fromJson, document).map((error) => error.message)).toEqual([]);
      expect(validate(fromSdl, document).map((error) => error.message)).toEqual([]);
    });
  }

  it("large batches validate too", () => {
    for (const query of [buildRepositoryProbeQuery(50), buildIssuePagesQuery(50)]) {
      expect(validate(fromJson, parse(query))).toEqual([]);
    }
  });

  it("wrong query fails validation", () => {
    const wrong = parse(
      `query { repository(owner: "a", name: "b") { issues(first: 1) { nodes { votes } } } }`,
    );
    const messages = validate(fromJson, wrong).map((error) => error.message);
    expect(messages).toEqual(['Cannot query field "votes" on type "Issue".']);
  });
});
