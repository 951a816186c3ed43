/**
 * Public surface of the local OpenAI-compatible model stand-in.
 *
 * @example
 * const model = await startModelStandIn({ mode: "ok" });
 * const analyser = createModelAnalyser({ provider: { baseUrl: model.url, apiKey: model.apiKey, name: model.model } });
 * await model.setMode({ failNext: ["malformed-json"] });
 * await model.close();
 */
import pino, { type Logger } from "pino";
import { listen } from "../http/index.js";
import {
  FaultPlan,
  type ModelBehaviour,
  type ModelBehaviourChange,
  type ModelFault,
  type ModelMode,
} from "./faults.js";
import { createModelApp, emptyStats, type ModelServerState, type ModelStats } from "./server.js";

export { CHARS_PER_TOKEN, estimateTokens } from "./completion.js";
export {
  MODEL_FAULTS,
  type ModelBehaviour,
  type ModelBehaviourChange,
  ModelBehaviourChangeSchema,
  type ModelFault,
  type ModelMode,
  seededDraw,
} from "./faults.js";
export type { ModelStats, RequestOutcome } from "./server.js";

export const DEFAULT_MODEL_API_KEY = "sk-local-model-key";
export const DEFAULT_MODEL_NAME = "radar-local-1";

export interface ModelStandInOptions {
  /** TCP port; 0 picks a free one. Default 0. */
  port?: number;
  /** Interface to bind. Default 127.0.0.1. */
  host?: string;
  /** Key clients must send as `Authorization: Bearer <key>`. Default `sk-local-model-key`. */
  apiKey?: string;
  /** The one model id served; requests for another get 404 `model_not_found`. Default `radar-local-1`. */
  model?: string;
  /** Outcome of every request until changed. Default `ok`. */
  mode?: ModelMode;
  /** Faults for the first requests, in order, before `mode` applies. */
  failNext?: ModelFault[];
  /** Fraction (0 to 1) of `ok` requests that get a seeded random fault. Default 0. */
  faultRate?: number;
  /** Faults the `faultRate` draw picks from. Default: all but `timeout`. */
  faults?: ModelFault[];
  /** Seed of the `faultRate` draws. Default 1. */
  seed?: number;
  /** `retry-after` of 429 responses, in seconds. Default 1. */
  retryAfterSeconds?: number;
  /** How long `timeout` requests are held before a 504, in milliseconds. Default 30,000. */
  hangMs?: number;
  /** pino logger; default silent. */
  logger?: Logger;
  /** Clock for the `created` field of responses, in epoch milliseconds. Default `Date.now`. */
  now?: () => number;
}

export interface ModelStandIn {
  /** Base URL for OpenAI-compatible clients, ending in `/v1`, e.g. `http://127.0.0.1:54321/v1`. */
  url: string;
  /** Server root without `/v1`, where the `/_model/*` control routes live. */
  rootUrl: string;
  apiKey: string;
  model: string;
  /** Changes the behaviour; fields left out keep their value. Setting `seed` restarts the draws. */
  setMode(change: ModelBehaviourChange | ModelMode): ModelBehaviour;
  /** A copy of the counters since start or the last `resetStats`. */
  stats(): ModelStats;
  resetStats(): void;
  /** Ends held requests, closes every connection and stops the server. */
  close(): Promise<void>;
}

/** Starts the stand-in and resolves once it accepts connections. */
export async function startModelStandIn(options: ModelStandInOptions = {}): Promise<ModelStandIn> {
  const plan = new FaultPlan({
    mode: options.mode,
    failNext: options.failNext,
    faultRate: options.faultRate,
    faults: options.faults,
    seed: options.seed,
    retryAfterSeconds: options.retryAfterSeconds,
    hangMs: options.hangMs,
  });
  let signalClosing: () => void = () => {};
  const closing = new Promise<void>((resolve) => {
    signalClosing = resolve;
  });
  const state: ModelServerState = {
    apiKey: options.apiKey ?? DEFAULT_MODEL_API_KEY,
    model: options.model ?? DEFAULT_MODEL_NAME,
    plan,
    stats: emptyStats(),
    logger: options.logger ?? pino({ level: "silent" }),
    closing,
    now: options.now ?? Date.now,
  };

  const server = await listen(createModelApp(state), { port: options.port, host: options.host });
  state.logger.info({ url: server.url, model: state.model }, "model stand-in started");

  return {
    url: `${server.url}/v1`,
    rootUrl: server.url,
    apiKey: state.apiKey,
    model: state.model,
    setMode: (change) => plan.update(typeof change === "string" ? { mode: change } : change),
    stats: () => structuredClone(state.stats),
    resetStats: () => {
      Object.assign(state.stats, emptyStats());
    },
    close: async () => {
      signalClosing();
      await server.close();
      state.logger.info({ url: server.url }, "model stand-in stopped");
    },
  };
}
