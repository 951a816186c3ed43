/**
 * Retry delays: QStash's default exponential backoff and `Upstash-Retry-Delay` expressions.
 *
 * An expression is arithmetic in milliseconds over the variable `retried` (0 before the first retry),
 * for example `1000 * pow(2, retried)`. It is parsed with mathjs and then checked node by node, so
 * only numbers, `retried`, arithmetic operators and a short list of functions are accepted. Other
 * mathjs features, such as assignment, units, matrices or `import`, are rejected before evaluation.
 */
import { type MathNode, parse } from "mathjs";
import { badRequest } from "./errors.js";

const ALLOWED_FUNCTIONS = new Set(["pow", "exp", "sqrt", "abs", "floor", "ceil", "round", "min", "max"]);
const ALLOWED_OPERATORS = new Set(["+", "-", "*", "/", "^", "%", "unaryMinus", "unaryPlus"]);
const VARIABLE = "retried";

/** Maximum delay between two attempts: QStash caps retry delays at one day. */
export const MAX_RETRY_DELAY_MS = 86_400_000;

function checkNode(node: MathNode, expression: string): void {
  switch (node.type) {
    case "ConstantNode":
      if (typeof (node as MathNode & { value: unknown }).value !== "number") {
        throw badRequest(`invalid Upstash-Retry-Delay expression "${expression}": only numbers are allowed`);
      }
      return;
    case "SymbolNode":
      if ((node as MathNode & { name: string }).name !== VARIABLE) {
        throw badRequest(
          `invalid Upstash-Retry-Delay expression "${expression}": unknown variable, only "${VARIABLE}" is defined`,
        );
      }
      return;
    case "ParenthesisNode":
      checkNode((node as MathNode & { content: MathNode }).content, expression);
      return;
    case "OperatorNode": {
      const operator = node as MathNode & { fn: string; args: MathNode[] };
      if (!ALLOWED_OPERATORS.has(operator.fn) && !ALLOWED_OPERATORS.has((node as { op?: string }).op ?? "")) {
        throw badRequest(`invalid Upstash-Retry-Delay expression "${expression}": operator not allowed`);
      }
      for (const arg of operator.args) checkNode(arg, expression);
      return;
    }
    case "FunctionNode": {
      const call = node as MathNode & { fn: MathNode & { name?: string }; args: MathNode[] };
      if (call.fn.type !== "SymbolNode" || !ALLOWED_FUNCTIONS.has(call.fn.name ?? "")) {
        throw badRequest(
          `invalid Upstash-Retry-Delay expression "${expression}": allowed functions are ${[...ALLOWED_FUNCTIONS].join(", ")}`,
        );
      }
      for (const arg of call.args) checkNode(arg, expression);
      return;
    }
    default:
      throw badRequest(`invalid Upstash-Retry-Delay expression "${expression}": ${node.type} is not allowed`);
  }
}

/** A validated `Upstash-Retry-Delay` expression. */
export interface RetryDelayExpression {
  source: string;
  /** Delay in ms before retry number `retried + 1`, clamped to [0, MAX_RETRY_DELAY_MS]. */
  delayMs(retried: number): number;
}

/** Parses and validates an expression; throws a 400 `QStashHttpError` naming the problem. */
export function compileRetryDelay(source: string): RetryDelayExpression {
  let root: MathNode;
  try {
    root = parse(source);
  } catch (error) {
    throw badRequest(`invalid Upstash-Retry-Delay expression "${source}": ${(error as Error).message}`);
  }
  checkNode(root, source);
  const compiled = root.compile();
  return {
    source,
    delayMs(retried) {
      const value: unknown = compiled.evaluate({ [VARIABLE]: retried });
      const delay = typeof value === "number" && Number.isFinite(value) ? value : 0;
      return Math.min(MAX_RETRY_DELAY_MS, Math.max(0, Math.round(delay)));
    },
  };
}

/**
 * QStash's default backoff: `min(1 day, e^(2.5 * n))` seconds before retry n, counting from 1, which
 * gives about 12 s, 2 min 28 s, 30 min, 6 h, then 1 day.
 */
export function defaultRetryDelayMs(retryNumber: number): number {
  return Math.min(MAX_RETRY_DELAY_MS, Math.round(Math.exp(2.5 * retryNumber) * 1000));
}
