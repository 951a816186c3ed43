/**
 * Query-string filters and cursors shared by the list and bulk endpoints (messages, DLQ, events,
 * workflow runs). An unknown query parameter is rejected with 400 rather than ignored, so a filter
 * this server does not implement never widens a bulk delete.
 */
import { badRequest } from "../errors.js";

/** The facts a filter can test about one listed item. */
export interface FilterSubject {
  url?: string;
  labels?: string[];
  /** Epoch ms the item is dated by (creation, DLQ entry or event time). */
  time?: number;
  callerIp?: string;
  flowControlKey?: string;
  queueName?: string;
  topicName?: string;
  scheduleId?: string;
  responseStatus?: number;
  workflowRunId?: string;
  workflowCreatedAt?: number;
  messageId?: string;
  dlqId?: string;
  state?: string;
  failureFunctionState?: string;
}

type Predicate = (subject: FilterSubject, value: string, query: URLSearchParams) => boolean;

const hostOf = (url?: string) => (url ? new URL(url).host : undefined);
const pathOf = (url?: string) => (url ? new URL(url).pathname : undefined);

const PREDICATES: Record<string, Predicate> = {
  url: (s, v) => s.url === v,
  urlStartingWith: (s, v) => s.url?.startsWith(v) ?? false,
  workflowUrl: (s, v, q) =>
    q.get("workflowUrlExactMatch") === "true" ? s.url === v : (s.url?.startsWith(v) ?? false),
  label: (s, v) => s.labels?.includes(v) ?? false,
  fromDate: (s, v) => (s.time ?? 0) >= Number(v),
  toDate: (s, v) => (s.time ?? 0) <= Number(v),
  callerIp: (s, v) => s.callerIp === v,
  callerIP: (s, v) => s.callerIp === v,
  flowControlKey: (s, v) => s.flowControlKey === v,
  queueName: (s, v) => s.queueName === v,
  topicName: (s, v) => s.topicName === v,
  urlGroup: (s, v) => s.topicName === v,
  scheduleId: (s, v) => s.scheduleId === v,
  responseStatus: (s, v) => s.responseStatus === Number(v),
  workflowRunId: (s, v) => s.workflowRunId === v,
  workflowCreatedAt: (s, v) => s.workflowCreatedAt === Number(v),
  messageId: (s, v) => s.messageId === v,
  state: (s, v) => s.state === v,
  failureFunctionState: (s, v) => s.failureFunctionState === v,
  host: (s, v) => hostOf(s.url) === v,
  path: (s, v) => pathOf(s.url) === v,
};

/** Parameters that shape the request rather than filter items. */
const CONTROL_PARAMETERS = new Set([
  "all",
  "cursor",
  "count",
  "order",
  "source",
  "groupBy",
  "workflowUrlExactMatch",
  "trimBody",
]);

/** Id-list parameters; an item matches when its id is in the list. */
const ID_PARAMETERS: Record<string, keyof FilterSubject> = {
  messageIds: "messageId",
  dlqIds: "dlqId",
  workflowRunIds: "workflowRunId",
};

/** Builds a predicate from the query; `allowed` names the filters the endpoint supports. */
export function buildFilter(
  query: URLSearchParams,
  allowed: readonly string[],
): (subject: FilterSubject) => boolean {
  const checks: ((subject: FilterSubject) => boolean)[] = [];
  const seen = new Set<string>();
  for (const name of query.keys()) {
    if (seen.has(name) || CONTROL_PARAMETERS.has(name)) continue;
    seen.add(name);
    if (!allowed.includes(name)) throw badRequest(`unsupported query parameter "${name}"`);
    const idField = ID_PARAMETERS[name];
    if (idField) {
      const ids = new Set(query.getAll(name).flatMap((value) => value.split(",")));
      checks.push((subject) => ids.has(String(subject[idField] ?? "")));
      continue;
    }
    const predicate = PREDICATES[name];
    // A repeated parameter matches any of its values; different parameters must all match.
    const values = query.getAll(name);
    if (predicate) checks.push((subject) => values.some((value) => predicate(subject, value, query)));
  }
  return (subject) => checks.every((check) => check(subject));
}

/** Tells whether the query names any filter or `all`. */
export function hasFilter(query: URLSearchParams): boolean {
  return [...query.keys()].some((name) => name === "all" || !CONTROL_PARAMETERS.has(name));
}

/** Pages `items` with a numeric offset cursor; `cursor` is absent on the last page. */
export function paginate<T>(
  items: T[],
  query: URLSearchParams,
  defaultCount = 100,
): { page: T[]; cursor?: string } {
  const start = Number(query.get("cursor") ?? 0);
  const count = Number(query.get("count") ?? defaultCount);
  if (!Number.isInteger(start) || start < 0) throw badRequest(`invalid cursor "${query.get("cursor")}"`);
  if (!Number.isInteger(count) || count <= 0) throw badRequest(`invalid count "${query.get("count")}"`);
  const page = items.slice(start, start + count);
  const next = start + count;
  return { page, cursor: next < items.length ? String(next) : undefined };
}

/** Reads the query string of a request URL. */
export function queryOf(requestUrl: string): URLSearchParams {
  return new URL(requestUrl).searchParams;
}
