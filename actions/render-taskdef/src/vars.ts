import { UserError, parseKeyValues } from '@ecs-actions/action-kit';
import { readInputText } from '@ecs-actions/action-kit/documents';

export const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const VAR_RULE = 'must be letters, digits and underscores, not starting with a digit';

/** `${NAME}`; `$${NAME}` stays a literal `${NAME}` (a health-check shell command may need one). */
const PLACEHOLDER = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export interface Substitution {
  document: unknown;
  /** Vars that no placeholder used: usually a typo in the template or in `vars`. */
  unusedVars: string[];
}

interface Unresolved {
  name: string;
  path: string;
}

function joinPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/**
 * Replaces `${NAME}` placeholders in every string value and object key of a parsed template. Substituting after
 * parsing means a value holding quotes, colons or newlines cannot break the JSON or YAML around it.
 */
export function substituteVars(document: unknown, vars: ReadonlyMap<string, string>, source: string): Substitution {
  const used = new Set<string>();
  const unresolved: Unresolved[] = [];

  const replace = (text: string, path: string): string =>
    text.replace(PLACEHOLDER, (whole, escape: string, name: string) => {
      if (escape) return whole.slice(1);
      const value = vars.get(name);
      if (value === undefined) {
        unresolved.push({ name, path });
        return whole;
      }
      used.add(name);
      return value;
    });

  const walk = (value: unknown, path: string): unknown => {
    if (typeof value === 'string') return replace(value, path);
    if (Array.isArray(value)) return value.map((item, index) => walk(item, joinPath(path, index)));
    if (typeof value === 'object' && value !== null) {
      const result: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        const newKey = replace(key, joinPath(path, key));
        result[newKey] = walk(item, joinPath(path, newKey));
      }
      return result;
    }
    return value;
  };

  const substituted = walk(document, '');
  if (unresolved.length > 0) {
    const listed = unresolved.map(({ name, path }) => `\${${name}} at ${path || '(top level)'}`).join(', ');
    const names = [...new Set(unresolved.map(({ name }) => name))];
    throw new UserError(
      `${source}: unresolved ${unresolved.length === 1 ? 'placeholder' : 'placeholders'} ${listed}. ` +
        `Set ${names.map((name) => `${name}=...`).join(', ')} in the input 'vars' (or 'vars-file'), ` +
        'or write $${NAME} for a literal ${NAME}.',
    );
  }
  const unusedVars = [...vars.keys()].filter((name) => !used.has(name));
  return { document: substituted, unusedVars };
}

/** Reads a `NAME=VALUE` file (blank lines and `#` comments allowed), e.g. sample-service/deploy/prod.env. */
export async function readVarsFile(path: string): Promise<Map<string, string>> {
  const text = await readInputText('vars-file', path, 'a file of NAME=VALUE lines');
  return parseKeyValues('vars-file', text, {
    keyName: 'NAME',
    keyPattern: VAR_NAME,
    keyPatternDescription: VAR_RULE,
  });
}

/** The vars file first, then `vars`, so a workflow can override one value of an environment's file. */
export function mergeVars(
  fromFile: ReadonlyMap<string, string>,
  fromInput: ReadonlyMap<string, string>,
): Map<string, string> {
  return new Map([...fromFile, ...fromInput]);
}
