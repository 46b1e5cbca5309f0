import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { foreignLine, foreignStream, printForeign } from '../src/foreign.js';
import { hostileText, runnerCommands } from '@ecs-actions/action-kit/testing';

const anyText = hostileText;

function printed(text: string): string {
  let out = '';
  printForeign(text, (line) => (out += `${line}\n`));
  return out;
}

describe('foreignLine', () => {
  it.each([
    ['::add-mask::secret', '\\::add-mask::secret'],
    ['  ::stop-commands::x', '  \\::stop-commands::x'],
    ['ok\n::notice::injected', 'ok\\n::notice::injected'],
    ['a\rb', 'a\\rb'],
    ['see ##[set-output name=x]y', 'see ##\\[set-output name=x]y'],
    ['\x1b[31mred', '\\x1b[31mred'],
    ['arn:aws:ecs:eu-west-1:123456789012:service/c/s', 'arn:aws:ecs:eu-west-1:123456789012:service/c/s'],
  ])('prints %j as %j', (text, expected) => {
    expect(foreignLine(text)).toBe(expected);
  });

  it('never lets foreign text start a line or a command, wherever it is placed in a line', () => {
    fc.assert(
      fc.property(anyText, fc.constantFrom('', '  ', 'Service event: '), (text, prefix) => {
        const line = `${prefix}${foreignLine(text)}`;
        expect(line.split(/\r\n|\r|\n/)).toHaveLength(1);
        expect(runnerCommands(`${line}\n`)).toEqual([]);
      }),
    );
  });
});

describe('printForeign', () => {
  it('prints plain text as it is', () => {
    expect(printed('container exited\nwith code 1')).toBe('container exited\nwith code 1\n');
  });

  it('wraps text holding a command in stop-commands with a token the text does not contain', () => {
    const out = printed('booting\n::add-mask::hunter2\ndone');
    const [first, ...rest] = out.split('\n');
    const token = /^::stop-commands::(foreign-[0-9a-f]{32})$/.exec(first!)![1]!;
    expect(rest.join('\n')).toBe(`booting\n::add-mask::hunter2\ndone\n::${token}::\n`);
  });

  it('never lets any text issue a command other than its own stop and resume', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const commands = runnerCommands(printed(text) + '::notice::after\n');
        const names = commands.map((command) => command.name);
        // Either no wrapping was needed, or exactly one stop-commands whose token then resumed commands.
        expect(names.filter((name) => name !== 'stop-commands')).toEqual(['notice']);
        expect(names.length).toBeLessThanOrEqual(2);
      }),
    );
  });
});

describe('foreignStream', () => {
  function streamed(pieces: string[]): string {
    let out = '';
    const stream = foreignStream((text) => (out += text));
    pieces.forEach((piece) => stream.write(piece));
    stream.end();
    return out;
  }

  it('writes the pieces as they come inside one pause, closed on a line of its own', () => {
    const out = streamed(['#5 RUN echo', ' hi\n::add-mask::x\n#5 DONE', ' 0.1s']);
    const token = /^::stop-commands::(foreign-[0-9a-f]{32})\n/.exec(out)![1]!;
    expect(out).toBe(`::stop-commands::${token}\n#5 RUN echo hi\n::add-mask::x\n#5 DONE 0.1s\n::${token}::\n`);
  });

  it('writes nothing when nothing came', () => {
    expect(streamed([])).toBe('');
  });

  it('never lets any pieces issue a command other than its own stop and resume', () => {
    fc.assert(
      fc.property(fc.array(anyText, { maxLength: 5 }), (pieces) => {
        const names = runnerCommands(streamed(pieces) + '::notice::after\n').map((command) => command.name);
        expect(names.filter((name) => name !== 'stop-commands')).toEqual(['notice']);
        expect(names.length).toBeLessThanOrEqual(2);
      }),
    );
  });
});

describe('runnerCommands', () => {
  it('reads commands after leading whitespace, legacy ones anywhere, and honours stop-commands', () => {
    const out = [' ::add-mask::a', 'x ##[warning]b', '::stop-commands::t', '::error::c', '::t::', '::debug::d'];
    expect(runnerCommands(out.join('\r')).map((command) => command.name)).toEqual([
      'add-mask',
      'warning',
      'stop-commands',
      'debug',
    ]);
  });
});
