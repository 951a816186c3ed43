/**
 * GitHub's GraphQL error shapes, produced from graphql-js validation errors and the stand-in's own
 * checks.
 *
 * GitHub's server is graphql-ruby, so its static-validation messages and `extensions.code` values differ
 * from graphql-js wording. The common cases are translated below: unknown field, unknown argument,
 * missing required argument, missing sub-selection and unknown type. Each error's `path` starts with
 * the definition it sits in (`query`, `query Name` or `fragment Name`) followed by the field
 * aliases or names, as GitHub reports it.
 */
import {
  type ASTNode,
  type DocumentNode,
  type GraphQLError,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";

export interface GitHubErrorLocation {
  line: number;
  column: number;
}

/** One entry of a GraphQL response's `errors` array as GitHub writes it. */
export interface GitHubGraphQLError {
  message: string;
  type?: string;
  code?: string;
  path?: (string | number)[];
  locations?: GitHubErrorLocation[];
  extensions?: Record<string, unknown>;
}

function definitionLabel(definition: OperationDefinitionNode): string {
  return definition.name ? `${definition.operation} ${definition.name.value}` : definition.operation;
}

/** Maps every field and argument node of `document` to its GitHub-style error path. */
export function indexNodePaths(document: DocumentNode): Map<ASTNode, string[]> {
  const paths = new Map<ASTNode, string[]>();
  const walk = (selectionSet: SelectionSetNode | undefined, prefix: string[]): void => {
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        const path = [...prefix, selection.alias?.value ?? selection.name.value];
        paths.set(selection, path);
        for (const argument of selection.arguments ?? []) paths.set(argument, [...path, argument.name.value]);
        walk(selection.selectionSet, path);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const label = selection.typeCondition ? `... on ${selection.typeCondition.name.value}` : "...";
        walk(selection.selectionSet, [...prefix, label]);
      } else {
        paths.set(selection, [...prefix, `... ${selection.name.value}`]);
      }
    }
  };
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) {
      walk(definition.selectionSet, [definitionLabel(definition)]);
    } else if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      walk(definition.selectionSet, [`fragment ${definition.name.value}`]);
    }
  }
  return paths;
}

interface Translation {
  pattern: RegExp;
  translate(match: RegExpMatchArray): { message: string; extensions: Record<string, unknown> };
}

// Each pattern matches one graphql-js 16 validation message; the replacement is graphql-ruby's
// wording and code for the same rule, as GitHub returns it.
const TRANSLATIONS: Translation[] = [
  {
    pattern: /^Cannot query field "([^"]+)" on type "([^"]+)"\./,
    translate: ([, field, type]) => ({
      message: `Field '${field}' doesn't exist on type '${type}'`,
      extensions: { code: "undefinedField", typeName: type, fieldName: field },
    }),
  },
  {
    pattern: /^Unknown argument "([^"]+)" on field "([^".]+)\.([^"]+)"\./,
    translate: ([, argument, type, field]) => ({
      message: `Field '${field}' doesn't accept argument '${argument}'`,
      extensions: {
        code: "argumentNotAccepted",
        name: field,
        typeName: "Field",
        argumentName: argument,
        parentTypeName: type,
      },
    }),
  },
  {
    pattern: /^Field "([^"]+)" argument "([^"]+)" of type "[^"]+" is required, but it was not provided\./,
    translate: ([, field, argument]) => ({
      message: `Field '${field}' is missing required arguments: ${argument}`,
      extensions: { code: "missingRequiredArguments", className: "Field", name: field, arguments: argument },
    }),
  },
  {
    pattern: /^Field "([^"]+)" of type "([^"]+)" must have a selection of subfields\./,
    translate: ([, field, type]) => ({
      message: `Field must have selections (field '${field}' returns ${type?.replace(/[![\]]/g, "")} but has no selections. Did you mean '${field} { ... }'?)`,
      extensions: { code: "selectionMismatch", nodeName: `field '${field}'`, typeName: type },
    }),
  },
  {
    pattern: /^Unknown type "([^"]+)"\./,
    translate: ([, type]) => ({
      message: `No such type ${type}, so it can't be a fragment condition`,
      extensions: { code: "undefinedType", typeName: type },
    }),
  },
];

/** Converts graphql-js validation errors into GitHub's error entries. */
export function toGitHubValidationErrors(
  document: DocumentNode,
  errors: readonly GraphQLError[],
): GitHubGraphQLError[] {
  const paths = indexNodePaths(document);
  return errors.map((error) => {
    const node = error.nodes?.[0];
    const path = node ? paths.get(node) : undefined;
    const locations = error.locations?.map(({ line, column }) => ({ line, column }));
    for (const { pattern, translate } of TRANSLATIONS) {
      const match = error.message.match(pattern);
      if (match) return { path, ...translate(match), locations };
    }
    // NOTE: rules without a translation keep graphql-js wording, so the message differs from GitHub's.
    return { path, extensions: { code: "validationError" }, locations, message: error.message };
  });
}

/** Builds GitHub's error entry for a document that does not parse. */
export function toGitHubSyntaxError(error: GraphQLError): GitHubGraphQLError {
  const location = error.locations?.[0];
  const where = location ? ` at [${location.line}, ${location.column}]` : "";
  // NOTE: graphql-ruby names the offending token ("Parse error on \"}\" (RCURLY) at [1, 5]"); the
  // stand-in keeps graphql-js's description of it instead.
  return {
    message: `Parse error: ${error.message.replace(/^Syntax Error: /, "")}${where}`,
    locations: location ? [{ line: location.line, column: location.column }] : undefined,
  };
}
