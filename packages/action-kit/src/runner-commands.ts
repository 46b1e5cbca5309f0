/**
 * The workflow commands a GitHub runner would read in an action's stdout, for tests: lines split at LF, CR or
 * CRLF, `::name props::data` after leading whitespace, the legacy `##[name props]data` anywhere in a line, and
 * `::stop-commands::<token>` pausing everything up to `::<token>::`. Tests assert that hostile input never
 * produces a command the action did not mean.
 */
export interface RunnerCommand {
  name: string;
  /** The raw text after the command, unescaped as the runner would not: tests compare it as written. */
  data: string;
  line: string;
}

export function runnerCommands(stdout: string): RunnerCommand[] {
  const commands: RunnerCommand[] = [];
  let stopToken: string | undefined;
  for (const line of stdout.split(/\r\n|\r|\n/)) {
    const command = parseCommand(line);
    if (command === undefined) continue;
    if (stopToken !== undefined) {
      // While stopped, only `::<token>::` means anything, and it is not itself a command the action emits.
      if (command.name === stopToken) stopToken = undefined;
      continue;
    }
    if (command.name === 'stop-commands') stopToken = command.data;
    commands.push(command);
  }
  return commands;
}

function parseCommand(line: string): RunnerCommand | undefined {
  const trimmed = line.replace(/^\s+/, '');
  if (trimmed.startsWith('::')) {
    const end = trimmed.indexOf('::', 2);
    if (end !== -1) {
      const info = trimmed.slice(2, end);
      const name = info.split(' ')[0]!;
      if (name !== '') return { name, data: trimmed.slice(end + 2), line };
    }
  }
  const legacy = line.indexOf('##[');
  if (legacy !== -1) {
    const close = line.indexOf(']', legacy);
    if (close !== -1) {
      const name = line.slice(legacy + 3, close).split(' ')[0]!;
      if (name !== '') return { name, data: line.slice(close + 1), line };
    }
  }
  return undefined;
}
