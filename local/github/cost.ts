/**
 * Query cost and node count as GitHub documents them ("Rate limits and query limits for the GraphQL
 * API", docs.github.com), plus GitHub's pagination-argument checks.
 *
 * Every connection field costs one request per parent object that can reach it. A connection under
 * another connection's items is requested once per item, so the multipliers nest: `repositories(first:
 * 100) { nodes { issues(first: 50) { ... } } }` needs 1 + 100 requests. The call's cost is the total
 * divided by 100 and rounded to the nearest whole number, with a minimum of 1. The node count is the
 * sum over connections of (parents x page size), and GitHub rejects a call above 500,000 nodes.
 *
 * A connection is a field whose type name ends in `Connection` and that takes a `first` argument.
 * Selecting its `nodes` or `edges` requires `first` or `last` between 1 and 100. A selection of only
 * `totalCount` or `pageInfo` needs neither and counts as one request per parent with no nodes.
 * NOTE: GitHub's page does not say how such count-only connections are charged. One request each is
 * an assumption, and the client's estimates in `steps/github/queries.ts` make the same one.
 */
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  getArgumentValues,
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import type { GitHubGraphQLError } from "./errors.js";

export const MAX_PAGE_SIZE = 100;
export const MAX_NODE_COUNT = 500_000;

export interface QueryCost {
  /** Requests needed to resolve every connection, before dividing by 100. */
  requests: number;
  /** Points charged: `max(1, round(requests / 100))`. */
  cost: number;
  /** Upper bound on the nodes the call may return. */
  nodeCount: number;
  /** Pagination-argument and node-limit errors; the call is rejected when any is present. */
  errors: GitHubGraphQLError[];
}

function isConnection(field: GraphQLField<unknown, unknown>): boolean {
  return (
    getNamedType(field.type).name.endsWith("Connection") && field.args.some((arg) => arg.name === "first")
  );
}

function selectsItems(
  selectionSet: SelectionSetNode | undefined,
  fragments: Map<string, FragmentDefinitionNode>,
): boolean {
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value === "nodes" || selection.name.value === "edges") return true;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (selectsItems(selection.selectionSet, fragments)) return true;
    } else {
      const fragment = fragments.get(selection.name.value);
      if (fragment && selectsItems(fragment.selectionSet, fragments)) return true;
    }
  }
  return false;
}

function operationLabel(operation: OperationDefinitionNode): string {
  return operation.name ? `${operation.operation} ${operation.name.value}` : operation.operation;
}

/**
 * Computes the cost of `operation` in a document that already passed validation against `schema`.
 * `variables` must be the coerced variable values of that operation.
 */
export function computeQueryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): QueryCost {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const result: QueryCost = { requests: 0, cost: 0, nodeCount: 0, errors: [] };

  const walkField = (
    node: FieldNode,
    parentType: GraphQLCompositeType,
    multiplier: number,
    path: string[],
  ): void => {
    if (!isObjectType(parentType) && !isInterfaceType(parentType)) return; // unions only offer __typename
    const field = parentType.getFields()[node.name.value];
    if (!field) return;
    const fieldPath = [...path, node.alias?.value ?? node.name.value];
    const fieldType = getNamedType(field.type);
    let childMultiplier = multiplier;

    if (isConnection(field)) {
      result.requests += multiplier;
      const args = getArgumentValues(field, node, variables);
      const first = typeof args.first === "number" ? args.first : undefined;
      const last = typeof args.last === "number" ? args.last : undefined;
      if (selectsItems(node.selectionSet, fragments)) {
        const location = node.loc
          ? [{ line: node.loc.startToken.line, column: node.loc.startToken.column }]
          : [];
        const pageSize = first ?? last;
        if (pageSize === undefined) {
          result.errors.push({
            path: fieldPath,
            locations: location,
            message: `You must provide a \`first\` or \`last\` value to properly paginate the \`${node.name.value}\` connection.`,
          });
          return;
        }
        for (const [name, value] of [
          ["first", first],
          ["last", last],
        ] as const) {
          if (value !== undefined && (value < 1 || value > MAX_PAGE_SIZE)) {
            result.errors.push({
              path: fieldPath,
              locations: location,
              message:
                value > MAX_PAGE_SIZE
                  ? `Requesting ${value} records on the \`${node.name.value}\` connection exceeds the \`${name}\` limit of ${MAX_PAGE_SIZE} records.`
                  : `\`${name}\` on the \`${node.name.value}\` connection cannot be less than 1.`,
            });
          }
        }
        result.nodeCount += multiplier * pageSize;
        childMultiplier = multiplier * pageSize;
      }
    } else if (node.name.value === "nodes" && Array.isArray(getArgumentValues(field, node, variables).ids)) {
      // `nodes(ids: [...])` at the root returns one object per id.
      const ids = getArgumentValues(field, node, variables).ids as unknown[];
      childMultiplier = multiplier * Math.max(1, ids.length);
    }

    if (node.selectionSet && isCompositeType(fieldType)) {
      walkSelections(node.selectionSet, fieldType, childMultiplier, fieldPath);
    }
  };

  const walkSelections = (
    selectionSet: SelectionSetNode,
    parentType: GraphQLCompositeType,
    multiplier: number,
    path: string[],
  ): void => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        walkField(selection, parentType, multiplier, path);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition
          ? schema.getType(selection.typeCondition.name.value)
          : parentType;
        if (condition && isCompositeType(condition)) {
          walkSelections(selection.selectionSet, condition, multiplier, path);
        }
      } else {
        const fragment = fragments.get(selection.name.value);
        const condition = fragment ? schema.getType(fragment.typeCondition.name.value) : undefined;
        if (fragment && condition && isCompositeType(condition)) {
          walkSelections(fragment.selectionSet, condition, multiplier, path);
        }
      }
    }
  };

  const rootType = schema.getRootType(operation.operation);
  if (rootType) walkSelections(operation.selectionSet, rootType, 1, [operationLabel(operation)]);

  result.cost = Math.max(1, Math.round(result.requests / 100));
  if (result.nodeCount > MAX_NODE_COUNT) {
    result.errors.push({
      type: "MAX_NODE_LIMIT_EXCEEDED",
      message: `This query requests up to ${result.nodeCount.toLocaleString("en-US")} possible nodes which exceeds the maximum limit of ${MAX_NODE_COUNT.toLocaleString("en-US")}.`,
    });
  }
  return result;
}
