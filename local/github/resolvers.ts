/**
 * Resolvers that serve the snapshot through GitHub's schema.
 *
 * graphql-js's default field resolver reads a property of the same name, and calls it with the field
 * arguments when it is a function, so each GitHub object is a plain object with methods for the fields
 * that take arguments. `__typename` lets the default type resolver pick the concrete type behind an
 * interface (`Node`, `Actor`, `RepositoryOwner`). Fields the snapshot cannot supply resolve to null,
 * so a query for a non-null one fails loudly instead of returning invented data.
 */
import { GraphQLError } from "graphql";
import {
  type ConnectionArgs,
  type CursorKey,
  compareKeys,
  GitHubTypedError,
  paginate,
} from "./pagination.js";
import type { SnapshotStore, StoredIssue, StoredRepository } from "./store.js";

/** Values the `rateLimit` field returns for the current request, after its cost was charged. */
export interface RateLimitValues {
  limit: number;
  cost: number;
  remaining: number;
  used: number;
  /** ISO time at which the window resets. */
  resetAt: string;
  nodeCount: number;
}

export interface ResolverContext {
  store: SnapshotStore;
  rateLimit: RateLimitValues;
  viewerLogin: string;
}

type IssueState = "OPEN" | "CLOSED";

interface IssueConnectionArgs extends ConnectionArgs {
  states?: IssueState[] | null;
  labels?: string[] | null;
  orderBy?: { field: "CREATED_AT" | "UPDATED_AT" | "COMMENTS"; direction: "ASC" | "DESC" } | null;
  filterBy?: {
    since?: string | null;
    states?: IssueState[] | null;
    labels?: string[] | null;
    createdBy?: string | null;
    assignee?: string | null;
    mentioned?: string | null;
    milestone?: string | null;
    milestoneNumber?: string | null;
    viewerSubscribed?: boolean | null;
  } | null;
}

function actor(login: string | null) {
  if (login === null) return null;
  return {
    __typename: login.startsWith("bot-") ? "Bot" : "User",
    login,
    url: `https://github.com/${login}`,
    avatarUrl: `https://avatars.githubusercontent.com/${login}`,
    resourcePath: `/${login}`,
  };
}

function indexKey<T>(items: T[]): (item: T) => CursorKey {
  return (item) => [items.indexOf(item)];
}

function listConnection<T>(items: T[], args: ConnectionArgs) {
  return paginate(items, args, indexKey(items), compareKeys);
}

function rejectUnsupportedFilters(filterBy: IssueConnectionArgs["filterBy"]): void {
  for (const name of ["mentioned", "milestone", "milestoneNumber"] as const) {
    if (filterBy?.[name] != null) {
      throw new GraphQLError(`filterBy.${name} is not supported by the local GitHub stand-in`);
    }
  }
  if (filterBy?.viewerSubscribed) {
    throw new GraphQLError("filterBy.viewerSubscribed is not supported by the local GitHub stand-in");
  }
}

function sortValue(issue: StoredIssue, field: "CREATED_AT" | "UPDATED_AT" | "COMMENTS"): number {
  if (field === "COMMENTS") return issue.totalCommentCount;
  return Date.parse(field === "CREATED_AT" ? issue.createdAt : issue.updatedAt);
}

/** Filters, sorts and paginates a repository's issues as `Repository.issues` does on GitHub. */
function issueConnection(repository: StoredRepository, args: IssueConnectionArgs, context: ResolverContext) {
  rejectUnsupportedFilters(args.filterBy);
  const states = [args.states, args.filterBy?.states].filter((list): list is IssueState[] => Boolean(list));
  // NOTE: both label arguments keep an issue that has any of the listed labels; GitHub's exact rule for
  // several labels is not documented in the schema.
  const labelLists = [args.labels, args.filterBy?.labels].filter((list): list is string[] => Boolean(list));
  const since = args.filterBy?.since ? Date.parse(args.filterBy.since) : undefined;
  const createdBy = args.filterBy?.createdBy;
  const assignee = args.filterBy?.assignee;

  const field = args.orderBy?.field ?? "CREATED_AT";
  const sign = args.orderBy?.direction === "DESC" ? -1 : 1;
  const keyOf = (issue: StoredIssue): CursorKey => [sortValue(issue, field), issue.number];
  const compare = (a: CursorKey, b: CursorKey): number => sign * compareKeys(a, b);

  const matching = [...repository.issues.values()]
    .filter((issue) => states.every((list) => list.includes(issue.state)))
    .filter((issue) => labelLists.every((list) => list.some((label) => issue.labels.includes(label))))
    .filter((issue) => since === undefined || Date.parse(issue.updatedAt) >= since)
    .filter((issue) => createdBy == null || issue.author === createdBy)
    .filter((issue) => {
      if (assignee == null) return true;
      if (assignee === "*") return issue.assignees.length > 0;
      if (assignee === "none") return issue.assignees.length === 0;
      return issue.assignees.includes(assignee);
    })
    .sort((a, b) => compare(keyOf(a), keyOf(b)));

  const page = paginate(matching, args, keyOf, compare);
  const toObject = (issue: StoredIssue) => issueObject(issue, context);
  return {
    ...page,
    nodes: page.nodes.map(toObject),
    edges: page.edges.map((edge) => ({ cursor: edge.cursor, node: toObject(edge.node) })),
  };
}

export function issueObject(issue: StoredIssue, context: ResolverContext) {
  return {
    __typename: "Issue",
    id: issue.id,
    number: issue.number,
    url: issue.url,
    resourcePath: new URL(issue.url).pathname,
    title: issue.title,
    body: issue.body,
    bodyText: issue.body,
    state: issue.state,
    closed: issue.state === "CLOSED",
    // The snapshot records no closing time.
    closedAt: null,
    locked: issue.locked,
    createdAt: issue.createdAt,
    updatedAt: issue.updatedAt,
    author: actor(issue.author),
    labels: (args: ConnectionArgs) =>
      listConnection(
        issue.labels.map((name) => ({ __typename: "Label", id: `LA_${name}`, name, color: "ededed" })),
        args,
      ),
    assignees: (args: ConnectionArgs) => listConnection(issue.assignees.map(actor), args),
    comments: (args: ConnectionArgs) => {
      const page = listConnection(
        issue.comments.map((comment) => ({
          __typename: "IssueComment",
          author: actor(comment.author),
          body: comment.body,
          createdAt: comment.createdAt,
        })),
        args,
      );
      // The snapshot keeps a few comments of longer threads, so the count comes from the record.
      return { ...page, totalCount: issue.totalCommentCount };
    },
    repository: () => {
      const repository = context.store.repository(issue.repository);
      return repository ? repositoryObject(repository, context) : null;
    },
  };
}

export function repositoryObject(repository: StoredRepository, context: ResolverContext) {
  const [owner] = repository.nameWithOwner.split("/");
  return {
    __typename: "Repository",
    id: repository.id,
    name: repository.name,
    nameWithOwner: repository.nameWithOwner,
    owner: { __typename: "Organization", login: owner, url: `https://github.com/${owner}` },
    url: repository.url,
    description: repository.description ?? null,
    primaryLanguage: repository.primaryLanguage
      ? { __typename: "Language", id: `L_${repository.primaryLanguage}`, name: repository.primaryLanguage }
      : null,
    stargazerCount: repository.stargazerCount ?? 0,
    isArchived: repository.isArchived ?? false,
    isFork: false,
    isPrivate: false,
    hasIssuesEnabled: true,
    createdAt: repository.createdAt,
    updatedAt: context.store.repositoryUpdatedAt(repository),
    pushedAt: repository.pushedAt ?? null,
    repositoryTopics: (args: ConnectionArgs) =>
      listConnection(
        (repository.topics ?? []).map((name) => ({ __typename: "RepositoryTopic", topic: { name } })),
        args,
      ),
    issues: (args: IssueConnectionArgs) => issueConnection(repository, args, context),
    issue: ({ number }: { number: number }) => {
      const issue = repository.issues.get(number);
      if (!issue) {
        throw new GitHubTypedError(
          `Could not resolve to an Issue with the number of ${number}.`,
          "NOT_FOUND",
        );
      }
      return issueObject(issue, context);
    },
  };
}

/** Builds the root `Query` object. Root fields the stand-in does not implement raise an error naming them. */
export function createRootValue(context: ResolverContext): Record<string, unknown> {
  const root: Record<string, unknown> = {
    repository: ({ owner, name }: { owner: string; name: string }) => {
      const repository = context.store.repository(`${owner}/${name}`);
      if (!repository) {
        throw new GitHubTypedError(
          `Could not resolve to a Repository with the name '${owner}/${name}'.`,
          "NOT_FOUND",
        );
      }
      return repositoryObject(repository, context);
    },
    node: ({ id }: { id: string }) => resolveNode(id, context),
    nodes: ({ ids }: { ids: string[] }) => ids.map((id) => resolveNode(id, context)),
    rateLimit: ({ dryRun }: { dryRun?: boolean }) => {
      if (dryRun)
        throw new GraphQLError("rateLimit(dryRun: true) is not supported by the local GitHub stand-in");
      return context.rateLimit;
    },
    viewer: () => ({
      __typename: "User",
      login: context.viewerLogin,
      url: `https://github.com/${context.viewerLogin}`,
    }),
  };
  return new Proxy(root, {
    get(target, property) {
      if (typeof property !== "string" || property in target) return Reflect.get(target, property);
      return () => {
        throw new GraphQLError(`Query.${property} is not supported by the local GitHub stand-in`);
      };
    },
  });
}

function resolveNode(id: string, context: ResolverContext) {
  const node = context.store.node(id);
  if (!node)
    throw new GitHubTypedError(`Could not resolve to a node with the global id of '${id}'`, "NOT_FOUND");
  return "issues" in node ? repositoryObject(node, context) : issueObject(node, context);
}
