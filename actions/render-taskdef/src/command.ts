import { inputError } from '@ecs-actions/action-kit';

/**
 * The `command` input: a JSON array of strings, or a shell-style string. Splitting on spaces (what
 * amazon-ecs-render-task-definition does) turns `sh -c "echo hi"` into `["sh", "-c", "\"echo", "hi\""]`.
 */
export function parseCommand(name: string, text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) return parseJsonCommand(name, trimmed);
  const words = splitShellWords(name, trimmed);
  if (words.length === 0) throw inputError(name, 'is empty; expected a JSON array or a shell-style command');
  return words;
}

function parseJsonCommand(name: string, text: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw inputError(
      name,
      `is not a valid JSON array (${(error as Error).message}); expected e.g. ["sh", "-c", "echo hi"]`,
    );
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((word) => typeof word === 'string')) {
    throw inputError(name, `must be a non-empty JSON array of strings; expected e.g. ["sh", "-c", "echo hi"]`);
  }
  return parsed;
}

// Inside double quotes a backslash only escapes these, as in POSIX sh; elsewhere it is kept.
const DOUBLE_QUOTE_ESCAPES = new Set(['"', '\\', '$', '`', '\n']);

/**
 * Splits words as a POSIX shell would, without expansions: whitespace separates words, single quotes keep
 * everything literally, double quotes keep spaces, a backslash escapes the next character.
 *
 * Kept by hand on purpose, instead of shell-quote's parse: ECS runs the command without a shell, so `$HOME`,
 * `*`, `|` and `;` must stay literal words, and shell-quote expands `$VAR` (to "" without an env), turns globs,
 * pipes and `;` into operator objects, and accepts an unterminated quote silently. A typo here must fail the step
 * naming the character, not register a container that runs something else. It is linear in the input.
 */
export function splitShellWords(name: string, text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let index = 0;
  const fail = (problem: string) =>
    inputError(name, `${problem}; expected a shell-style command such as sh -c "echo hi"`);

  while (index < text.length) {
    const char = text[index]!;
    if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      index++;
      continue;
    }
    if (char === '\\' && text[index + 1] === '\n') {
      // A backslash-newline is a line continuation: both disappear, and no word starts.
      index += 2;
      continue;
    }
    inWord = true;
    if (char === "'") {
      const end = text.indexOf("'", index + 1);
      if (end === -1) throw fail(`has an unterminated single quote at character ${index + 1}`);
      word += text.slice(index + 1, end);
      index = end + 1;
    } else if (char === '"') {
      const start = index;
      index++;
      for (;;) {
        if (index >= text.length) throw fail(`has an unterminated double quote at character ${start + 1}`);
        const inner = text[index]!;
        if (inner === '"') break;
        if (inner === '\\' && index + 1 < text.length && DOUBLE_QUOTE_ESCAPES.has(text[index + 1]!)) {
          // A quoted backslash-newline is a line continuation: both disappear.
          if (text[index + 1] !== '\n') word += text[index + 1];
          index += 2;
        } else {
          word += inner;
          index++;
        }
      }
      index++;
    } else if (char === '\\') {
      if (index + 1 >= text.length) throw fail('ends with a lone backslash');
      word += text[index + 1];
      index += 2;
    } else {
      word += char;
      index++;
    }
  }
  if (inWord) words.push(word);
  return words;
}
