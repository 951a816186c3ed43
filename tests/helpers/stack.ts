/**
 * Starts the whole local stack for one test file on free ports, under its own Redis key prefix, and
 * deletes that prefix's keys on `cleanup()`.
 */
import { randomBytes } from "node:crypto";
import { parseStackConfig, type StackConfigInput } from "../../local/config.js";
import { deleteKeysWithPrefixAt } from "../../local/redis-cleanup.js";
import { type LocalStack, type StartStackOptions, startLocalStack } from "../../local/stack.js";
import { TEST_REDIS_URL } from "./qstash.js";

export interface TestStack extends LocalStack {
  keyPrefix: string;
  /** Closes every server and deletes every key under the prefix. */
  cleanup(): Promise<void>;
}

export async function startTestStack(
  area: string,
  overrides: Partial<StackConfigInput> = {},
  options: StartStackOptions = {},
): Promise<TestStack> {
  const keyPrefix = `test:${area}:${randomBytes(4).toString("hex")}:`;
  const config = parseStackConfig(
    {},
    {
      REDIS_URL: TEST_REDIS_URL,
      QSTASH_PORT: 0,
      REDIS_REST_PORT: 0,
      GITHUB_PORT: 0,
      MODEL_PORT: 0,
      SINKS_PORT: 0,
      APP_PORT: 0,
      LOG_LEVEL: "warn",
      LOCAL_KEY_PREFIX: keyPrefix,
      ...overrides,
    },
  );
  const stack = await startLocalStack(config, { syncSchedules: false, ...options });
  let closed = false;
  return {
    ...stack,
    keyPrefix,
    cleanup: async () => {
      if (!closed) {
        closed = true;
        await stack.close();
      }
      await deleteKeysWithPrefixAt(config.REDIS_URL, keyPrefix);
    },
  };
}
