import { data, Evaluator, Lexer, Parser } from '@actions/expressions';
import type { FunctionDefinition } from '@actions/expressions/funcs/info';
import { truthy } from '@actions/expressions/result';
import { isBasicExpression, isBoolean, isMapping, isNumber, isSequence, isString } from '@actions/workflow-parser';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/index';
import { WorkflowError, type Source } from './errors.js';

/** A context value as plain JSON: what `${{ }}` can read. */
export type ContextValue = string | number | boolean | null | ContextValue[] | { [key: string]: ContextValue };

/** The contexts an expression reads (github, env, vars, secrets, inputs, steps, needs, job, jobs, runner ...). */
export type Contexts = Record<string, ContextValue>;

/** What success(), failure() and cancelled() answer where the expression is evaluated (always() is true). */
export interface StatusState {
  success: boolean;
  failure: boolean;
  cancelled: boolean;
}

/** For expressions outside a status check (with:, env:, names): the functions are not allowed there. */
export const NO_STATUS: StatusState = { success: true, failure: false, cancelled: false };

const CONTEXT_NAMES = ['github', 'env', 'vars', 'secrets', 'inputs', 'steps', 'needs', 'job', 'jobs', 'runner'];
const CONTEXT_NAMES_EMPTY = ['matrix', 'strategy'];

/**
 * The status functions are not part of @actions/expressions' well-known functions: the Parser accepts them as
 * extension functions and the Evaluator takes their implementations in its `functions` map.
 */
function statusFunctions(state: StatusState): Map<string, FunctionDefinition> {
  const fn = (name: string, call: () => boolean): [string, FunctionDefinition] => [
    name,
    { name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(call()) },
  ];
  return new Map([
    fn('success', () => state.success),
    fn('failure', () => state.failure),
    fn('always', () => true),
    fn('cancelled', () => state.cancelled),
  ]);
}

function toData(contexts: Contexts): data.Dictionary {
  // A context the place does not offer reads as empty, as on GitHub, never as a crash of the evaluator.
  const all: Contexts = Object.fromEntries([...CONTEXT_NAMES, ...CONTEXT_NAMES_EMPTY].map((name) => [name, {}]));
  Object.assign(all, contexts);
  return JSON.parse(JSON.stringify(all), data.reviver) as data.Dictionary;
}

function toValue(value: data.ExpressionData): ContextValue {
  switch (value.kind) {
    case data.Kind.Null:
      return null;
    case data.Kind.Boolean:
      return (value as data.BooleanData).value;
    case data.Kind.Number:
      return (value as data.NumberData).value;
    case data.Kind.String:
      return (value as data.StringData).value;
    case data.Kind.Array:
      return (value as data.Array).values().map(toValue);
    default:
      return Object.fromEntries((value as data.Dictionary).pairs().map((pair) => [pair.key, toValue(pair.value)]));
  }
}

/** Evaluates one expression (the text inside `${{ }}`) with GitHub's lexer, parser and evaluator. */
export function evaluateExpression(
  expression: string,
  contexts: Contexts,
  state: StatusState,
  source: Source,
): data.ExpressionData {
  try {
    const functions = statusFunctions(state);
    const tokens = new Lexer(expression).lex().tokens;
    const tree = new Parser(tokens, [...CONTEXT_NAMES, ...CONTEXT_NAMES_EMPTY], [...functions.values()]).parse();
    return new Evaluator(tree, toData(contexts), functions).evaluate();
  } catch (error) {
    throw new WorkflowError(`expression "${expression}": ${(error as Error).message}`, source);
  }
}

/** `if:` — true when the expression is truthy. */
export function evaluateCondition(expression: string, contexts: Contexts, state: StatusState, source: Source): boolean {
  return truthy(evaluateExpression(expression, contexts, state, source));
}

/** Any template value (scalar, mapping, sequence, `${{ }}`) evaluated to plain JSON. */
export function evaluateToken(
  token: TemplateToken,
  contexts: Contexts,
  state: StatusState,
  file: string,
): ContextValue {
  const source = { file, line: token.line };
  if (isBasicExpression(token)) return toValue(evaluateExpression(token.expression, contexts, state, source));
  if (isString(token)) return token.value;
  if (isNumber(token)) return token.value;
  if (isBoolean(token)) return token.value;
  if (isSequence(token)) return [...token].map((item) => evaluateToken(item, contexts, state, file));
  if (isMapping(token)) {
    const result: Record<string, ContextValue> = {};
    for (const pair of token) {
      result[String(evaluateToken(pair.key, contexts, state, file))] = evaluateToken(pair.value, contexts, state, file);
    }
    return result;
  }
  if (token.isExpression) throw new WorkflowError('${{ insert }} is not supported', source);
  return null;
}

/** A value as the runner passes it to a step (inputs, env): a string; numbers and booleans as YAML prints them. */
export function asString(value: ContextValue): string {
  if (value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** A mapping (env:, with:, outputs:) evaluated to strings. */
export function evaluateStringMap(
  token: TemplateToken | undefined,
  contexts: Contexts,
  state: StatusState,
  file: string,
): Record<string, string> {
  if (token === undefined) return {};
  const value = evaluateToken(token, contexts, state, file);
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw new WorkflowError(`expected a mapping, got ${JSON.stringify(value)}`, { file, line: token.line });
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, asString(item)]));
}
