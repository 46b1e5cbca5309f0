import { inputError } from '@ecs-actions/action-kit';
import { readInputDocumentSync } from '@ecs-actions/action-kit/documents';

/** Every `{{name}}` a payload file may use: the inputs, as given, then values the action works out. */
export const PLACEHOLDERS = [
  'status',
  'environment',
  'service',
  'image',
  'version',
  'task-definition-arn',
  'deployment-url',
  'duration-seconds',
  'failure-reason',
  'rolled-back-to',
  'status-emoji',
  'title',
  'text',
  'image-digest',
  'task-definition',
  'duration',
  'actor',
  'repository',
  'commit-url',
  'run-url',
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

export interface PayloadTemplate {
  path: string;
  /** The parsed JSON: a message object (`text`, `blocks`, …) or a bare array of blocks. */
  document: unknown;
}

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/**
 * Reads and checks a Block Kit payload file. Placeholders live inside JSON strings, so the file is parsed
 * first and values are substituted into the parsed strings: a quote or newline in a value can never break
 * the JSON. An unknown placeholder fails here, before any request.
 */
export function loadPayloadTemplate(input: string, path: string): PayloadTemplate {
  const { document } = readInputDocumentSync(input, path, {
    format: 'json',
    expected:
      'the path of a Block Kit JSON file, relative to the workspace (put {{name}} placeholders inside strings, e.g. "{{version}}")',
  });
  if (typeof document !== 'object' || document === null) {
    throw inputError(
      input,
      `${path} holds ${typeof document}; expected a message object with "blocks" or an array of blocks`,
    );
  }
  const known = new Set<string>(PLACEHOLDERS);
  visitStrings(document, (text, where) => {
    for (const [, name] of text.matchAll(PLACEHOLDER)) {
      if (!known.has(name!)) {
        throw inputError(
          input,
          `${path} uses the unknown placeholder {{${name}}} at ${where}; expected one of ${PLACEHOLDERS.join(', ')}`,
        );
      }
    }
    return text;
  });
  return { path, document };
}

/** A copy of the template with every placeholder replaced; unset values become empty strings. */
export function renderTemplate(template: PayloadTemplate, values: Record<Placeholder, string | undefined>): unknown {
  return visitStrings(structuredClone(template.document), (text) =>
    text.replace(PLACEHOLDER, (_match, name: string) => values[name as Placeholder] ?? ''),
  );
}

/** Maps every string in a JSON value (keys stay as they are); `where` is a JSON pointer for messages. */
function visitStrings(value: unknown, map: (text: string, where: string) => string, where = ''): unknown {
  if (typeof value === 'string') return map(value, where || '/');
  if (Array.isArray(value)) return value.map((item, index) => visitStrings(item, map, `${where}/${index}`));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, visitStrings(item, map, `${where}/${key}`)]),
    );
  }
  return value;
}
