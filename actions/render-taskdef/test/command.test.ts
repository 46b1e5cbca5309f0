import { describe, expect, it } from '@jest/globals';
import { parseCommand, splitShellWords } from '../src/command.js';

describe('splitShellWords', () => {
  it.each([
    ['npm start', ['npm', 'start']],
    ['  node   dist/main.js  ', ['node', 'dist/main.js']],
    ['sh -c "echo hi"', ['sh', '-c', 'echo hi']],
    ['sh -c \'echo "quoted" $HOME\'', ['sh', '-c', 'echo "quoted" $HOME']],
    ['echo "a \\"b\\" \\\\ \\$x"', ['echo', 'a "b" \\ $x']],
    ['echo "keep \\n as is"', ['echo', 'keep \\n as is']],
    ['echo a\\ b', ['echo', 'a b']],
    ['echo "x"y\'z\'', ['echo', 'xyz']],
    ['echo "" \'\'', ['echo', '', '']],
    ['node \\\n  server.js', ['node', 'server.js']],
    ['--flag=a=b', ['--flag=a=b']],
  ])('splits %j into %j', (text, words) => {
    expect(splitShellWords('command', text)).toEqual(words);
  });

  it('rejects an unterminated double quote, naming the input and where', () => {
    expect(() => splitShellWords('command', 'sh -c "echo hi')).toThrow(
      `Input 'command': has an unterminated double quote at character 7; expected a shell-style command such as sh -c "echo hi"`,
    );
  });

  it('rejects an unterminated single quote', () => {
    expect(() => splitShellWords('command', "sh -c 'echo")).toThrow(/unterminated single quote at character 7/);
  });

  it('rejects a lone trailing backslash', () => {
    expect(() => splitShellWords('command', 'echo \\')).toThrow(/ends with a lone backslash/);
  });
});

describe('parseCommand', () => {
  it('takes a JSON array of strings as it is', () => {
    expect(parseCommand('command', '["sh", "-c", "echo hi && exit 0"]')).toEqual(['sh', '-c', 'echo hi && exit 0']);
  });

  it('splits a shell-style string', () => {
    expect(parseCommand('command', 'node dist/main.js --port 3000')).toEqual([
      'node',
      'dist/main.js',
      '--port',
      '3000',
    ]);
  });

  it('rejects malformed JSON naming the input and an example', () => {
    expect(() => parseCommand('command', '["sh", "-c"')).toThrow(
      /^Input 'command': is not a valid JSON array \(.+\); expected e\.g\. \["sh", "-c", "echo hi"\]$/,
    );
  });

  it('rejects a JSON array holding something other than strings', () => {
    expect(() => parseCommand('command', '["node", 3000]')).toThrow(
      `Input 'command': must be a non-empty JSON array of strings`,
    );
  });

  it('rejects an empty JSON array', () => {
    expect(() => parseCommand('command', '[]')).toThrow(/non-empty JSON array/);
  });

  it('keeps an explicitly quoted empty word', () => {
    expect(parseCommand('command', '""')).toEqual(['']);
  });
});
