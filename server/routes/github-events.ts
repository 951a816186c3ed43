/**
 * Which GitHub webhook events start which scans. Payloads are parsed with schemas of only the fields
 * used here, so extra or changed fields elsewhere in GitHub's payload never reject a delivery.
 *
 * | event                       | actions                                                    | result                        |
 * | --------------------------- | ---------------------------------------------------------- | ----------------------------- |
 * | `ping`                      | any                                                        | 200 with GitHub's `zen`      |
 * | `issues`                    | opened, edited, labeled, unlabeled, reopened, closed       | scan of that one issue        |
 * | `repository`                | any except deleted                                         | scan of the repository        |
 * | `installation`              | created, new_permissions_accepted, unsuspend               | scan of each listed repository|
 * | `installation_repositories` | added                                                      | scan of each added repository |
 *
 * Every other event and action is ignored with a reason.
 */
import { z } from "zod";
import { RepositoryNameSchema } from "../../shared/domain/index.js";

/** Issue actions that can change whether or how an issue is worth contributing to. */
export const SCANNED_ISSUE_ACTIONS = [
  "opened",
  "edited",
  "labeled",
  "unlabeled",
  "reopened",
  "closed",
] as const;
const INSTALLATION_SCAN_ACTIONS = ["created", "new_permissions_accepted", "unsuspend"] as const;

const RepositoryRefSchema = z.object({ full_name: RepositoryNameSchema });

const IssuesPayloadSchema = z.object({
  action: z.string().min(1),
  issue: z.object({ number: z.number().int().positive() }),
  repository: RepositoryRefSchema,
});

const RepositoryPayloadSchema = z.object({
  action: z.string().min(1),
  repository: RepositoryRefSchema,
});

const InstallationPayloadSchema = z.object({
  action: z.string().min(1),
  // Absent when the installation was suspended or covers every repository of the account.
  repositories: z.array(RepositoryRefSchema).optional(),
});

const InstallationRepositoriesPayloadSchema = z.object({
  action: z.string().min(1),
  repositories_added: z.array(RepositoryRefSchema),
});

const PingPayloadSchema = z.object({ zen: z.string() });

export type PlannedScan =
  | { type: "issue"; repository: string; number: number; action: string }
  | { type: "repository"; repository: string; reason: string };

export type EventPlan =
  | { kind: "ping"; zen: string }
  | { kind: "ignored"; reason: string }
  | { kind: "scan"; scans: PlannedScan[] }
  /** The payload breaks the schema; `message` names the field, such as `issue.number: ...`. */
  | { kind: "invalid"; message: string };

function describeInvalid(event: string, error: z.ZodError): string {
  const issue = error.issues[0];
  const path = issue === undefined || issue.path.length === 0 ? "(payload)" : issue.path.join(".");
  return `invalid ${event} payload at ${path}: ${issue?.message ?? "does not match the expected shape"}`;
}

function repositoryScans(event: string, action: string, repositories: readonly { full_name: string }[]) {
  const scans: PlannedScan[] = repositories.map((repository) => ({
    type: "repository",
    repository: repository.full_name,
    reason: `${event}.${action}`,
  }));
  return scans;
}

/** Decides what to do with one verified delivery. `payload` is the parsed JSON body. */
export function planGitHubEvent(event: string, payload: unknown): EventPlan {
  switch (event) {
    case "ping": {
      const parsed = PingPayloadSchema.safeParse(payload);
      return parsed.success ? { kind: "ping", zen: parsed.data.zen } : { kind: "ping", zen: "" };
    }

    case "issues": {
      const parsed = IssuesPayloadSchema.safeParse(payload);
      if (!parsed.success) return { kind: "invalid", message: describeInvalid(event, parsed.error) };
      const { action, issue, repository } = parsed.data;
      if (!(SCANNED_ISSUE_ACTIONS as readonly string[]).includes(action)) {
        return { kind: "ignored", reason: `issues action "${action}" does not change what a scan finds` };
      }
      return {
        kind: "scan",
        scans: [{ type: "issue", repository: repository.full_name, number: issue.number, action }],
      };
    }

    case "repository": {
      const parsed = RepositoryPayloadSchema.safeParse(payload);
      if (!parsed.success) return { kind: "invalid", message: describeInvalid(event, parsed.error) };
      const { action, repository } = parsed.data;
      if (action === "deleted") return { kind: "ignored", reason: "a deleted repository cannot be scanned" };
      return { kind: "scan", scans: repositoryScans(event, action, [repository]) };
    }

    case "installation": {
      const parsed = InstallationPayloadSchema.safeParse(payload);
      if (!parsed.success) return { kind: "invalid", message: describeInvalid(event, parsed.error) };
      const { action, repositories = [] } = parsed.data;
      if (!(INSTALLATION_SCAN_ACTIONS as readonly string[]).includes(action)) {
        return { kind: "ignored", reason: `installation action "${action}" adds no repositories` };
      }
      if (repositories.length === 0) {
        return { kind: "ignored", reason: `installation ${action} payload lists no repositories` };
      }
      return { kind: "scan", scans: repositoryScans(event, action, repositories) };
    }

    case "installation_repositories": {
      const parsed = InstallationRepositoriesPayloadSchema.safeParse(payload);
      if (!parsed.success) return { kind: "invalid", message: describeInvalid(event, parsed.error) };
      const { action, repositories_added } = parsed.data;
      if (action !== "added" || repositories_added.length === 0) {
        return {
          kind: "ignored",
          reason: `installation_repositories action "${action}" adds no repositories`,
        };
      }
      return { kind: "scan", scans: repositoryScans(event, action, repositories_added) };
    }

    default:
      return { kind: "ignored", reason: `event "${event}" is not used by this service` };
  }
}
