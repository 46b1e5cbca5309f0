import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { runnerCommands } from '@ecs-actions/action-kit/testing';
import { createAwsClient } from '@ecs-actions/aws';
import { appendLogLines, startLoopbackAws, type LoopbackAws } from '@ecs-actions/loopback-aws';
import {
  formatTaskLogs,
  isErrorLine,
  logSourceOf,
  printableLogLine,
  readLogLines,
  readTaskLogs,
  deniedGroups,
  deniedNotice,
} from '../src/index.js';

const TASK_ARN = 'arn:aws:ecs:eu-west-1:123456789012:task/demo-dev/0f3c9a1b2c3d4e5f60718293a4b5c6d7';
const TASK_ID = '0f3c9a1b2c3d4e5f60718293a4b5c6d7';
const GROUP = '/ecs/web-dev';
const STREAM = `web/web/${TASK_ID}`;
const WEB = {
  name: 'web',
  essential: true,
  logConfiguration: {
    logDriver: 'awslogs',
    options: { 'awslogs-group': GROUP, 'awslogs-region': 'eu-west-1', 'awslogs-stream-prefix': 'web' },
  },
};

let aws: LoopbackAws;
let logs: CloudWatchLogsClient;

beforeAll(async () => {
  aws = await startLoopbackAws({ seed: false });
  process.env.AWS_ENDPOINT_URL = aws.url;
  process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  logs = createAwsClient(CloudWatchLogsClient, { region: 'eu-west-1', action: 'test', maxAttempts: 1 });
});

afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL;
  await aws.close();
});

function write(stream: string, messages: string[]): void {
  appendLogLines(
    aws.state,
    GROUP,
    stream,
    messages.map((message, index) => ({ message, timestamp: Date.UTC(2026, 0, 1, 12, 0, index) })),
  );
}

describe('logSourceOf', () => {
  it('finds the awslogs stream <prefix>/<container>/<task-id> in the group and region', () => {
    expect(logSourceOf(WEB, TASK_ARN)).toEqual({
      kind: 'awslogs',
      container: 'web',
      group: GROUP,
      stream: STREAM,
      region: 'eu-west-1',
    });
  });

  it.each([
    ['awsfirelens', /FireLens/],
    ['splunk', /Splunk/],
    ['none', /nowhere \(logDriver none\)/],
  ])('says where the %s driver sends the logs instead of reading them', (logDriver, where) => {
    const source = logSourceOf({ name: 'web', logConfiguration: { logDriver } }, TASK_ARN);
    expect(source).toMatchObject({ kind: 'elsewhere', container: 'web', where: expect.stringMatching(where) });
  });
});

describe('a container that does not log to CloudWatch', () => {
  it('gets one line saying where its logs go, and nothing is read', async () => {
    const before = aws.requests.length;
    const firelens = { name: 'web', logConfiguration: { logDriver: 'awsfirelens', options: { Name: 'datadog' } } };
    const task = await readTaskLogs(logs, TASK_ARN, [firelens], { lines: 20 });
    expect(formatTaskLogs(task, 20)).toEqual([
      `web (task ${TASK_ID}): its logs go to FireLens (Fluent Bit or Fluentd routes them; see the log router container); only awslogs can be read here`,
    ]);
    expect(aws.requests.length).toBe(before);
  });
});

describe('readLogLines', () => {
  it('reads the newest lines of the stream, oldest first, up to the number asked', async () => {
    write(STREAM, ['one', 'two', 'three', 'four']);
    const read = await readLogLines(logs, logSourceOf(WEB, TASK_ARN), { lines: 3 });
    expect(read).toMatchObject({ status: 'lines', truncated: false });
    expect(read.status === 'lines' && read.lines.map((line) => line.message)).toEqual(['two', 'three', 'four']);
  });

  it('says the stream does not exist yet, in one line, without failing', async () => {
    const source = logSourceOf(WEB, TASK_ARN.replace(TASK_ID, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'));
    const read = await readLogLines(logs, source, { lines: 20 });
    expect(read.status).toBe('missing');
    expect(formatTaskLogs({ taskId: 'aaaa', reads: [read] }, 20)).toEqual([
      'web (task aaaa): no log stream /ecs/web-dev web/web/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa yet (the container wrote nothing, or never started)',
    ]);
  });

  it('says the stream is empty', async () => {
    const task = TASK_ARN.replace(TASK_ID, 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb');
    write('web/web/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', []);
    const read = await readLogLines(logs, logSourceOf(WEB, task), { lines: 20 });
    expect(read.status).toBe('empty');
  });

  it('turns AccessDenied into one notice naming logs:GetLogEvents, never an error', async () => {
    aws.failNext('GetLogEvents', {
      code: 'AccessDeniedException',
      message: 'not authorized to perform: logs:GetLogEvents',
    });
    const task = await readTaskLogs(logs, TASK_ARN, [WEB], { lines: 20 });
    expect(task.reads[0]).toMatchObject({ status: 'denied' });
    expect(deniedNotice(deniedGroups([task]))).toMatch(/may not call logs:GetLogEvents on \/ecs\/web-dev\. Grant/);
  });

  it('keeps within the byte budget, newest lines first', async () => {
    const task = TASK_ARN.replace(TASK_ID, 'cccccccccccccccccccccccccccccccc');
    write('web/web/cccccccccccccccccccccccccccccccc', ['a'.repeat(600), 'b'.repeat(600), 'c'.repeat(600)]);
    const read = await readLogLines(logs, logSourceOf(WEB, task), { lines: 20, maxBytes: 1300 });
    expect(read.status === 'lines' && read.lines.map((line) => line.message[0])).toEqual(['b', 'c']);
    expect(read).toMatchObject({ truncated: true });
  });

  it('counts a huge line as a long one, so that it does not push the lines before it out of the byte budget', async () => {
    const task = TASK_ARN.replace(TASK_ID, 'ffffffffffffffffffffffffffffffff');
    write('web/web/ffffffffffffffffffffffffffffffff', ['{"level":60,"msg":"fatal"}', 'z'.repeat(200_000)]);
    const read = await readLogLines(logs, logSourceOf(WEB, task), { lines: 20 });
    expect(read.status === 'lines' && read.lines.map((line) => line.message.length)).toEqual([26, 200_000]);
    expect(read).toMatchObject({ truncated: false });
  });

  it('reads every line since a time across pages', async () => {
    const task = TASK_ARN.replace(TASK_ID, 'dddddddddddddddddddddddddddddddd');
    write(
      'web/web/dddddddddddddddddddddddddddddddd',
      Array.from({ length: 25 }, (_, i) => `line ${i}`),
    );
    const read = await readLogLines(logs, logSourceOf(WEB, task), {
      lines: 10,
      since: Date.UTC(2026, 0, 1, 12, 0, 5),
    });
    expect(read.status === 'lines' && read.lines.length).toBe(10);
  });
});

describe('printing container lines', () => {
  const hostile = [
    '::add-mask::hunter2',
    '  ::stop-commands::pause',
    '::error file=x::forged failure',
    'text ##[warning]legacy command',
    'line one\rline two\n::set-output name=x::y',
    '\u001b[31mred\u001b[0m \u001b]0;title\u0007 bell\u0007 nul\u0000 del\u007f next\u2028line',
    'x'.repeat(100_000),
  ];

  it('prints no workflow command, no control character, and cuts huge lines', async () => {
    const task = TASK_ARN.replace(TASK_ID, 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee');
    write('web/web/eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee', hostile);
    const read = await readTaskLogs(logs, task, [WEB], { lines: 20, maxBytes: 1_000_000 });
    const printed = formatTaskLogs(read, 20).join('\n');
    expect(runnerCommands(printed)).toEqual([]);
    // eslint-disable-next-line no-control-regex -- the point
    expect(printed).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/);
    expect(printed.split('\n')).toHaveLength(1 + hostile.length);
    expect(printed).toContain('red  bell\\x07 nul\\x00 del\\x7f next\\x2028line');
    expect(printed).toContain(`${'x'.repeat(500)}… (99500 more characters)`);
  });

  it('strips colours before cutting', () => {
    expect(printableLogLine('\u001b[1;32mok\u001b[0m')).toBe('ok');
  });
});

describe('isErrorLine', () => {
  it.each([
    ['{"level":50,"msg":"boom"}', true],
    ['{"level":60,"msg":"fatal"}', true],
    ['{"level":40,"msg":"warn"}', false],
    ['{"level":"error","msg":"boom"}', true],
    ['{"level":"fatal","msg":"boom"}', true],
    ['{"level":"info","msg":"error in the text"}', false],
    ['ERROR plain text', false],
    ['{not json', false],
  ])('%s is an error line: %s', (line, expected) => {
    expect(isErrorLine(line)).toBe(expected);
  });

  it("also counts the lines the user's pattern matches", () => {
    expect(isErrorLine('ERROR plain text', { test: (text) => text.startsWith('ERROR') })).toBe(true);
  });
});
