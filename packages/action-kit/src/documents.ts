import { stat } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { parseDocument as parseYamlDocument } from 'yaml';
import { UserError, errorMessage } from './errors.js';
import { readInputFile, readInputFileSync } from './files.js';
import { formatBytes } from './log.js';

/*
 * The one reader for every file an input names (task definitions, templates, vars files, checks files, payload
 * files). A hostile file must end as one clear error naming the file and the limit it broke, never as a hang, an
 * exhausted heap or a stack trace: a YAML alias bomb, JSON nested 20,000 deep, a 1 GB file, or a duplicate key
 * that would otherwise win silently.
 */

export interface DocumentLimits {
  /** Largest file read, in bytes. */
  maxBytes: number;
  /** Deepest nesting of lists and mappings. */
  maxDepth: number;
  /** Most YAML alias (`*name`) expansions. */
  maxAliases: number;
}

/** Task definitions, checks files and Block Kit payloads are a few kilobytes and a dozen levels deep. */
export const DOCUMENT_LIMITS: Readonly<DocumentLimits> = { maxBytes: 1024 * 1024, maxDepth: 64, maxAliases: 100 };

export type DocumentFormat = 'json' | 'yaml' | 'json-or-yaml';

export interface ReadDocumentOptions {
  format: DocumentFormat;
  /** The form the input expects, for a missing or unreadable file. */
  expected: string;
  limits?: Partial<DocumentLimits>;
}

export interface InputDocument {
  text: string;
  document: unknown;
}

function limitsOf(options: { limits?: Partial<DocumentLimits> | DocumentLimits }): DocumentLimits {
  return { ...DOCUMENT_LIMITS, ...options.limits };
}

function sourceOf(input: string, path: string): string {
  return `Input '${input}': ${path}`;
}

/** Reads and parses the file an input names, under the limits. */
export async function readInputDocument(
  input: string,
  path: string,
  options: ReadDocumentOptions,
): Promise<InputDocument> {
  const limits = limitsOf(options);
  const size = await stat(path).then(
    (stats) => stats.size,
    () => 0, // readInputFile explains a missing or unreadable file
  );
  checkSize(sourceOf(input, path), size, limits);
  const text = await readInputFile(input, path, options.expected);
  return { text, document: parseDocumentText(sourceOf(input, path), text, { ...options, limits }) };
}

/** readInputDocument for inputs read synchronously. */
export function readInputDocumentSync(input: string, path: string, options: ReadDocumentOptions): InputDocument {
  const limits = limitsOf(options);
  let size = 0;
  try {
    size = statSync(path).size;
  } catch {
    // readInputFileSync explains a missing or unreadable file
  }
  checkSize(sourceOf(input, path), size, limits);
  const text = readInputFileSync(input, path, options.expected);
  return { text, document: parseDocumentText(sourceOf(input, path), text, { ...options, limits }) };
}

/** Reads a plain-text input file (KEY=VALUE lines) under the size limit. */
export async function readInputText(
  input: string,
  path: string,
  expected: string,
  maxBytes = DOCUMENT_LIMITS.maxBytes,
): Promise<string> {
  const size = await stat(path).then(
    (stats) => stats.size,
    () => 0,
  );
  checkSize(sourceOf(input, path), size, { ...DOCUMENT_LIMITS, maxBytes });
  return readInputFile(input, path, expected);
}

export interface ParseDocumentOptions {
  format: DocumentFormat;
  /** What the file should hold, appended to a syntax error, e.g. "a task definition document". */
  expected?: string;
  limits?: Partial<DocumentLimits>;
}

/**
 * Parses JSON or YAML text under the limits; `source` starts every message (e.g. "Input 'checks': checks.yml").
 * JSON is tried first for `json-or-yaml`, as its errors are clearer for a file that looks like JSON.
 */
export function parseDocumentText(source: string, text: string, options: ParseDocumentOptions): unknown {
  const limits = limitsOf(options);
  const expected = options.expected === undefined ? '' : `; expected ${options.expected}`;
  checkSize(source, Buffer.byteLength(text), limits);
  if (text.trim() === '') throw new UserError(`${source}: the file is empty${expected}`);
  checkBracketDepth(source, text, limits.maxDepth);
  let document: unknown;
  if (options.format === 'yaml') {
    try {
      document = parseYaml(source, text, limits);
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw new UserError(`${source}: not valid YAML (${errorMessage(error)})${expected}`);
    }
  } else {
    let json: { value: unknown } | undefined;
    let jsonError: unknown;
    try {
      json = { value: JSON.parse(text) };
    } catch (error) {
      jsonError = error;
    }
    if (json !== undefined) {
      checkJsonDuplicateKeys(source, text);
      document = json.value;
    } else if (options.format === 'json') {
      throw new UserError(`${source}: not valid JSON (${errorMessage(jsonError)})${expected}`);
    } else {
      try {
        document = parseYaml(source, text, limits);
      } catch (yamlError) {
        if (yamlError instanceof UserError) throw yamlError;
        const looksLikeJson = /^\s*[{[]/.test(text);
        const detail = looksLikeJson ? errorMessage(jsonError) : errorMessage(yamlError);
        throw new UserError(`${source}: not valid JSON or YAML (${detail})${expected}`);
      }
    }
  }
  checkDepth(source, document, limits.maxDepth);
  return document;
}

function checkSize(source: string, bytes: number, limits: DocumentLimits): void {
  if (bytes > limits.maxBytes) {
    throw new UserError(
      `${source}: the file is ${formatBytes(bytes)}, over the limit of ${formatBytes(limits.maxBytes)} for an input file`,
    );
  }
}

function depthError(source: string, maxDepth: number): UserError {
  return new UserError(
    `${source}: lists and mappings nest deeper than ${maxDepth} levels, the limit for an input file`,
  );
}

/**
 * Flow brackets counted outside double-quoted strings, before any parser runs: parsers and the walks after them
 * recurse, so 20,000 nested `[` would otherwise exhaust the stack.
 */
function checkBracketDepth(source: string, text: string, maxDepth: number): void {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (inString) {
      if (char === '\\') index++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '[' || char === '{') {
      if (++depth > maxDepth) throw depthError(source, maxDepth);
    } else if ((char === ']' || char === '}') && depth > 0) depth--;
  }
}

/** The parsed value's depth, walked with an explicit stack (YAML block nesting has no brackets). */
function checkDepth(source: string, document: unknown, maxDepth: number): void {
  const stack: Array<[unknown, number]> = [[document, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth + 1 > maxDepth) throw depthError(source, maxDepth);
    for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
}

function parseYaml(source: string, text: string, limits: DocumentLimits): unknown {
  const document = parseYamlDocument(text, { uniqueKeys: true, prettyErrors: true });
  const duplicate = document.errors.find((error) => error.code === 'DUPLICATE_KEY');
  if (duplicate) throw duplicateKeyError(source, duplicate.linePos?.[0]);
  const [syntaxError] = document.errors;
  if (syntaxError) throw new Error(syntaxError.message.split('\n')[0]!.replace(/:$/, ''));
  try {
    return document.toJS({ maxAliasCount: limits.maxAliases });
  } catch (error) {
    if (error instanceof ReferenceError && /alias/i.test(error.message)) {
      throw new UserError(
        `${source}: YAML aliases expand more than ${limits.maxAliases} times, the limit for an input file ` +
          '(a file that multiplies itself through aliases is refused)',
      );
    }
    throw error;
  }
}

function duplicateKeyError(source: string, at: { line: number; col: number } | undefined): UserError {
  const where = at ? ` at line ${at.line}, column ${at.col}` : '';
  return new UserError(`${source}: a key appears twice in one mapping${where}; each key may appear once`);
}

/** JSON.parse keeps the last of two equal keys; the YAML parser (JSON is YAML) reports them instead. */
function checkJsonDuplicateKeys(source: string, text: string): void {
  const duplicate = parseYamlDocument(text, { uniqueKeys: true, prettyErrors: true }).errors.find(
    (error) => error.code === 'DUPLICATE_KEY',
  );
  if (duplicate) throw duplicateKeyError(source, duplicate.linePos?.[0]);
}
