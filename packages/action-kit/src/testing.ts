import fc from 'fast-check';

export { runnerCommands } from './runner-commands.js';
export type { RunnerCommand } from './runner-commands.js';

/**
 * Arbitrary strings rich in what the runner reacts to (line breaks of every kind, `::`, `##[`, Unicode
 * whitespace, controls, command names), mixed with fully arbitrary ones: the input of every property-based test
 * that no hostile text makes an action issue a command it did not mean.
 */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc
    .array(
      fc.constantFrom(
        '::',
        '##[',
        '\r\n',
        '\r',
        '\n',
        '\u2028',
        ' ',
        '\t',
        '\u00a0',
        '\u001b',
        'add-mask',
        'stop-commands',
        'error',
        'x',
        ']',
        '%',
      ),
      { maxLength: 30 },
    )
    .map((parts) => parts.join('')),
);

/** The outputs an action wrote to its GITHUB_OUTPUT file, as @actions/core writes them (`name<<delimiter` blocks). */
export function outputsWritten(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const match of text.matchAll(/^(.+?)<<(ghadelimiter_[\w-]+)\n([\s\S]*?)\n\2$/gm)) outputs[match[1]!] = match[3]!;
  return outputs;
}

/** Marks the text after a command that hostile input tries to inject: no command of a run may carry it. */
export const INJECTED = 'INJECTED';

/**
 * hostileText, or hostile text with a workflow command spliced in after a line break (or, legacy, anywhere)
 * followed by INJECTED: a test asserts that no command of the run carries INJECTED. No NUL byte, as an
 * environment variable (an input) cannot hold one.
 */
export const injectionText: fc.Arbitrary<string> = fc
  .oneof(
    hostileText,
    fc
      .tuple(
        hostileText,
        fc.constantFrom('\n', '\r', '\r\n', '\u2028', ' ', ''),
        fc.constantFrom(
          '::add-mask::',
          '::stop-commands::',
          '::warning::',
          '::error::',
          '::set-output name=x::',
          '##[add-mask]',
        ),
        hostileText,
      )
      .map(([before, lineBreak, command, after]) => `${before}${lineBreak}${command}${INJECTED}${after}`),
  )
  .map((text) => text.replaceAll('\0', ''));

export { stepHarness } from './step-harness.js';
export type { StepHarness } from './step-harness.js';
