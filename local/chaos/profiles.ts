/**
 * Fault profiles of `npm run chaos`: a schedule of fault settings for the GitHub, model and sink
 * stand-ins, plus how many times the app process is killed and the QStash server restarted.
 *
 * A phase replaces the settings of the services it names, at `atMs` after the sweep starts. Each
 * phase's settings get fresh seeds from the run's generator when they are applied.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { GitHubFaultsSchema } from "../github/faults.js";
import { ModelFaultSchema } from "../model/faults.js";

const ModelFaultsSchema = z
  .object({
    /** Fraction (0 to 1) of chat completions that fail. */
    faultRate: z.number().min(0).max(1),
    /** Faults picked uniformly for a failing completion. */
    faults: z.array(ModelFaultSchema).min(1),
    /** `retry-after` of 429 responses, in seconds. */
    retryAfterSeconds: z.number().int().nonnegative().default(1),
    /** How long a `timeout` fault holds the request before a 504, in milliseconds. */
    hangMs: z.number().int().nonnegative().default(1_500),
  })
  .strict();

const SinkFaultsSchema = z
  .object({
    /** Status of a faulted response; absent with `delayMs` set means "slow but delivered". */
    status: z.number().int().min(400).max(599).optional(),
    rate: z.number().min(0).max(1),
    delayMs: z.number().int().min(0).max(120_000).default(0),
    channel: z.enum(["webhook", "email", "slack"]).optional(),
    retryAfterSeconds: z.number().int().min(0).optional(),
  })
  .strict();

const PhaseSchema = z
  .object({
    /** Start of the phase, in milliseconds after the sweep request. */
    atMs: z.number().int().nonnegative(),
    /** GitHub stand-in faults; `null` turns them off. */
    github: GitHubFaultsSchema.partial().strict().nullable().optional(),
    model: ModelFaultsSchema.nullable().optional(),
    sinks: SinkFaultsSchema.nullable().optional(),
  })
  .strict();

export const ChaosProfileSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().default(""),
    schedule: z.array(PhaseSchema).min(1),
    disruptions: z
      .object({
        /** SIGKILLs of the app process, each while at least one QStash request is in flight. */
        appKills: z.number().int().min(0).max(100).default(0),
        /** Restarts of the QStash server on the same port and Redis prefix. */
        qstashRestarts: z.number().int().min(0).max(100).default(0),
        /** Disruptions happen at seeded moments within this many ms after the sweep request. */
        windowMs: z.number().int().min(1).default(20_000),
      })
      .strict()
      .default({ appKills: 0, qstashRestarts: 0, windowMs: 20_000 }),
  })
  .strict();

export type ChaosProfile = z.output<typeof ChaosProfileSchema>;
export type ChaosPhase = ChaosProfile["schedule"][number];

// Delays here stay well below the app's timeouts set by the chaos stack (GitHub 1 s, deliveries 10 s)
// except where a timeout is the fault being injected.
const GITHUB_DEFAULT = {
  badGatewayRate: 0.05,
  errorRate: 0.03,
  secondaryRateLimitRate: 0.03,
  retryAfterSeconds: 1,
  timeoutRate: 0.02,
  hangMs: 1_500,
  latencyMs: 10,
  latencyJitterMs: 60,
};
const MODEL_DEFAULT = {
  faultRate: 0.15,
  faults: ["http-429", "http-500", "malformed-json", "timeout"] as const,
  retryAfterSeconds: 1,
  hangMs: 1_500,
};

const BUILT_IN: Record<string, z.input<typeof ChaosProfileSchema>> = {
  none: {
    name: "none",
    description: "no faults and no disruptions: the baseline",
    schedule: [{ atMs: 0, github: null, model: null, sinks: null }],
  },
  default: {
    name: "default",
    description:
      "moderate GitHub, model and sink faults; sinks alternate between 500s and slow responses; 3 app kills and 2 QStash restarts",
    schedule: [
      {
        atMs: 0,
        github: GITHUB_DEFAULT,
        model: { ...MODEL_DEFAULT, faults: [...MODEL_DEFAULT.faults] },
        sinks: { status: 500, rate: 0.15 },
      },
      { atMs: 8_000, sinks: { rate: 0.3, delayMs: 1_500 } },
      { atMs: 16_000, sinks: { status: 500, rate: 0.1 } },
    ],
    disruptions: { appKills: 3, qstashRestarts: 2, windowMs: 20_000 },
  },
  github: {
    name: "github",
    description: "GitHub faults only, at twice the default rates",
    schedule: [
      {
        atMs: 0,
        github: {
          ...GITHUB_DEFAULT,
          badGatewayRate: 0.1,
          errorRate: 0.06,
          secondaryRateLimitRate: 0.06,
          timeoutRate: 0.04,
        },
      },
    ],
  },
  model: {
    name: "model",
    description: "model faults only: 30% of completions fail",
    schedule: [{ atMs: 0, model: { ...MODEL_DEFAULT, faults: [...MODEL_DEFAULT.faults], faultRate: 0.3 } }],
  },
  notify: {
    name: "notify",
    description: "sink faults only: 500s, then slow responses, then 500s with retry-after",
    schedule: [
      { atMs: 0, sinks: { status: 500, rate: 0.3 } },
      { atMs: 5_000, sinks: { rate: 0.5, delayMs: 2_000 } },
      { atMs: 10_000, sinks: { status: 503, rate: 0.3, retryAfterSeconds: 1 } },
    ],
  },
  heavy: {
    name: "heavy",
    description: "every fault at about three times the default rates, 6 app kills and 3 QStash restarts",
    schedule: [
      {
        atMs: 0,
        github: {
          ...GITHUB_DEFAULT,
          badGatewayRate: 0.15,
          errorRate: 0.08,
          secondaryRateLimitRate: 0.08,
          timeoutRate: 0.05,
        },
        model: { ...MODEL_DEFAULT, faults: [...MODEL_DEFAULT.faults], faultRate: 0.4 },
        sinks: { status: 500, rate: 0.4 },
      },
      { atMs: 10_000, sinks: { rate: 0.5, delayMs: 2_000 } },
      { atMs: 20_000, sinks: { status: 502, rate: 0.3 } },
    ],
    disruptions: { appKills: 6, qstashRestarts: 3, windowMs: 30_000 },
  },
};

export const BUILT_IN_PROFILE_NAMES = Object.keys(BUILT_IN);

/**
 * Returns the built-in profile `nameOrFile`, or reads and validates the JSON file at that path.
 * Throws naming each invalid field.
 */
export async function loadChaosProfile(nameOrFile: string): Promise<ChaosProfile> {
  const builtIn = BUILT_IN[nameOrFile];
  const source = builtIn ?? (await readProfileFile(nameOrFile));
  const parsed = ChaosProfileSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join(".") || "profile"}: ${issue.message}`,
    );
    throw new Error(`invalid chaos profile ${nameOrFile}: ${problems.join("; ")}`);
  }
  return parsed.data;
}

async function readProfileFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new Error(
      `chaos profile ${path} is neither a built-in profile (${BUILT_IN_PROFILE_NAMES.join(", ")}) nor a readable file: ${(error as Error).message}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`chaos profile file ${path} is not valid JSON: ${(error as Error).message}`);
  }
}
