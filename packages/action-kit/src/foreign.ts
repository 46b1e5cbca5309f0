import { randomBytes } from 'node:crypto';
import * as core from '@actions/core';

/*
 * Text the action did not write itself (service events, container log lines, HTTP bodies, template values,
 * AWS messages, user inputs) is data, not log syntax. The runner reads every stdout line that starts with `::`
 * after leading whitespace as a workflow command, and also the legacy `##[command]` form anywhere in a line; it
 * splits lines at LF, CR and CRLF. These two helpers are the only way foreign text reaches the log.
 */

// C0 and C1 controls (CR and LF among them, tab excepted) and the Unicode line and paragraph separators.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * Foreign text made safe to interpolate into one log line or message: control characters become visible
 * escapes (`\n`, `\r`, `\x1b`), so it cannot start a new line, and a leading `::` or any `##[` is broken with a
 * backslash, so the line cannot be read as a command even when the foreign text begins it.
 */
export function foreignLine(text: string): string {
  return text
    .replace(CONTROL, (char) => {
      if (char === '\n') return '\\n';
      if (char === '\r') return '\\r';
      return `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`;
    })
    .replace(/##\[/g, '##\\[')
    .replace(/^(\s*)::/, '$1\\::');
}

/**
 * Prints foreign text, possibly many lines, exactly as it is. When a line of it could be read as a workflow
 * command, the whole text is wrapped in `::stop-commands::<token>` ... `::<token>::` with a fresh random token
 * it cannot contain, so the runner prints it verbatim and resumes commands after it.
 */
export function printForeign(text: string, write: (line: string) => void = core.info): void {
  if (!couldBeCommand(text)) {
    write(text);
    return;
  }
  const token = stopCommandsToken(text);
  write(`::stop-commands::${token}\n${text}\n::${token}::`);
}

/** Foreign text that arrives in pieces: see foreignStream. */
export interface ForeignStream {
  write(chunk: string): void;
  /** Ends the pause, on a line of its own; the stream can be written again after it (a new pause). */
  end(): void;
}

/**
 * printForeign for text that arrives in pieces, such as a build's live output: it is written as it comes, all of
 * it inside one `::stop-commands::<token>` pause, so no piece can issue a command. The token is random and
 * fresh (the text cannot know it in advance); the pause opens before the first piece and closes in end().
 */
export function foreignStream(
  write: (text: string) => void = (text) => void process.stdout.write(text),
): ForeignStream {
  let token: string | undefined;
  let atLineStart = true;
  return {
    write(chunk) {
      if (chunk === '') return;
      if (token === undefined) {
        token = `foreign-${randomBytes(16).toString('hex')}`;
        write(`::stop-commands::${token}\n`);
      }
      write(chunk);
      atLineStart = /[\r\n]$/.test(chunk);
    },
    end() {
      if (token === undefined) return;
      write(`${atLineStart ? '' : '\n'}::${token}::\n`);
      token = undefined;
      atLineStart = true;
    },
  };
}

function couldBeCommand(text: string): boolean {
  return text.includes('::') || text.includes('##[');
}

function stopCommandsToken(text: string): string {
  for (;;) {
    const token = `foreign-${randomBytes(16).toString('hex')}`;
    if (!text.includes(token)) return token;
  }
}
