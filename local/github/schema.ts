import { buildClientSchema, type GraphQLSchema, type IntrospectionQuery } from "graphql";

let cached: GraphQLSchema | undefined;

/**
 * Returns GitHub's public GraphQL schema from `@octokit/graphql-schema`, built once per process.
 * It is built from the package's introspection result (`schema.json`) because the SDL file of
 * version 15.26.1 defines two `EnterpriseOwnerInfo` fields twice, which `buildSchema` rejects.
 */
export async function loadGitHubSchema(): Promise<GraphQLSchema> {
  if (!cached) {
    const { schema } = await import("@octokit/graphql-schema");
    cached = buildClientSchema(schema.json as unknown as IntrospectionQuery);
  }
  return cached;
}
