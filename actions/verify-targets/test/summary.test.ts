import { describe, expect, it } from '@jest/globals';
import { targetsSummary, type SummaryContext, type SummaryLogs } from '../src/summary.js';
import type { LogCheckResult } from '../src/logs.js';
import type { VerifyTargetsResult } from '../src/verify.js';
import { taskLogsDetails, type ErrorLine } from '@ecs-actions/logs';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-tg/6d0ecf831eec9f09';
const TD = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:42';
const TASK = 'arn:aws:ecs:eu-west-1:123456789012:task/prod/0a1b2c3d4e5f60718293a4b5c6d7e8f9';

/** The targets table's header row. */
const HEADERS = ['Target group', 'Target', 'State', 'Task', 'Task definition', 'Digest', 'Problem'];

function result(overrides: Partial<VerifyTargetsResult> = {}): VerifyTargetsResult {
  return {
    verified: true,
    failure: null,
    elapsedMs: 12_300,
    taskDefinitionArn: TD,
    healthyCount: 1,
    digestVerified: true,
    targetGroups: [
      { arn: TG, name: 'web-tg', required: 2, healthy: 2, verified: 2, draining: 0, ok: true, problem: null },
    ],
    targets: [
      {
        targetGroup: TG,
        id: '10.0.1.17',
        port: 8080,
        state: 'healthy',
        reason: null,
        description: null,
        task: TASK,
        taskDefinition: TD,
        digest: D1,
        taskProblem: null,
        problem: null,
      },
    ],
    tasks: [],
    ...overrides,
  };
}

function check(overrides: Partial<LogCheckResult> = {}): LogCheckResult {
  return {
    mode: 'warn',
    taskDefinitionArn: TD,
    tasks: [],
    notChecked: 0,
    linesRead: 40,
    errorLines: [],
    truncated: false,
    unchecked: [],
    ...overrides,
  };
}

const context: SummaryContext = { cluster: 'prod', service: 'web', expectedDigests: { kind: 'single', digest: D1 } };

function render(ctx: SummaryContext, res: VerifyTargetsResult, logs?: SummaryLogs): string {
  return targetsSummary(ctx, res, logs).toString();
}

/** The rows of every table in the summary, each cell's HTML as it was given (an empty cell renders as a lone `<td>`). */
function tables(html: string): string[][][] {
  return [...html.matchAll(/<table>([\s\S]*?)<\/table>/g)].map(([, table]) =>
    [...table!.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map(([, row]) =>
      [...row!.matchAll(/<t[dh]>([\s\S]*?)(?=<t[dh]>|$)/g)].map(([, cell]) => cell!.replace(/<\/t[dh]>$/, '')),
    ),
  );
}

/** The facts table as label → value. */
function facts(html: string): Record<string, string> {
  return Object.fromEntries(tables(html)[0]!.map(([label, value]) => [label!.replace(/<\/?b>/g, ''), value!]));
}

function errorLine(n: number): ErrorLine {
  return {
    taskId: '0a1b2c3d4e5f60718293a4b5c6d7e8f9',
    container: 'web',
    line: { timestamp: Date.UTC(2026, 11, 3, 6, 0, n), message: `{"level":50,"msg":"failure <${n}>"}` },
  };
}

describe('targetsSummary', () => {
  it('gives the verdict, where, the revision, the digest, the healthy targets, the log check and one row per target', () => {
    const html = render(context, result(), { failingTaskLogs: [], check: check() });
    expect(html.startsWith('<h2>Load balancer targets: verified</h2>')).toBe(true);
    expect(facts(html)).toEqual({
      Result: '✅ Verified in 12s',
      Where: '<code>web</code> in cluster <code>prod</code>',
      'Task definition': '<code>web:42</code>',
      'Expected digests': '<code>111111111111</code>',
      'Healthy targets': 'web-tg: 2 of 2 required',
      'Log check': '✅ no error-level lines in 0 tasks of web:42 since they started (40 lines read) (log-check: warn)',
    });
    expect(tables(html)[1]).toEqual([
      HEADERS,
      [
        'web-tg',
        '<code>10.0.1.17:8080</code>',
        'healthy',
        '<code>0a1b2c3d4e5f60718293a4b5c6d7e8f9</code>',
        '<code>web:42</code>',
        '<code>111111111111</code>',
        '',
      ],
    ]);
    expect(html).not.toContain('<p>');
    expect(html).not.toContain('<details>');
  });

  it('when not verified: the failure as a paragraph, no log check row, per-container digests, empty cells for what is unknown', () => {
    const other = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/admin-tg/0123456789abcdef';
    const html = render(
      {
        cluster: 'prod',
        expectedDigests: {
          kind: 'per-container',
          digests: new Map([
            ['web', D1],
            ['admin<x>', D2],
          ]),
        },
      },
      result({
        verified: false,
        failure: 'web-tg: 1 of 2 healthy targets run <web:42>',
        targetGroups: [
          { arn: TG, name: 'web-tg', required: 2, healthy: 1, verified: 1, draining: 0, ok: false, problem: 'short' },
          { arn: other, name: 'admin-tg', required: 1, healthy: 1, verified: 1, draining: 0, ok: true, problem: null },
        ],
        targets: [
          {
            ...result().targets[0]!,
            id: 'i-0abc',
            port: null,
            state: 'unhealthy',
            reason: 'Target.Timeout',
            task: null,
            taskDefinition: null,
            digest: null,
            taskProblem: 'runs <web:41>, not web:42',
          },
        ],
      }),
      { failingTaskLogs: [], check: check({ errorLines: [errorLine(1)] }) },
    );
    expect(html.startsWith('<h2>Load balancer targets: not verified</h2>')).toBe(true);
    expect(facts(html)).toEqual({
      Result: '❌ Not verified after 12s',
      Where: 'cluster <code>prod</code>',
      'Task definition': '<code>web:42</code>',
      'Expected digests': 'web <code>111111111111</code>, admin&lt;x&gt; <code>222222222222</code>',
      'Healthy targets': 'web-tg: 1 of 2 required, admin-tg: 1 of 1 required',
    });
    expect(html).toContain('<p>web-tg: 1 of 2 healthy targets run &lt;web:42&gt;</p>');
    const [, row] = tables(html)[1]!;
    expect(row).toEqual([
      'web-tg',
      '<code>i-0abc</code>',
      expect.stringContaining('unhealthy'),
      '',
      '',
      '',
      'runs &lt;web:41&gt;, not web:42',
    ]);
  });

  it('says a stopped verification was stopped, and why', () => {
    const html = render(
      context,
      result({ verified: false, failure: null, stopped: new Error('cancelled <by> the run'), elapsedMs: 3000 }),
    );
    expect(facts(html).Result).toBe('⏹️ Stopped after 3s (cancelled &lt;by&gt; the run); not verified');
  });

  it('says what it does not know: no revision, no target group, no expected digests, no log check run', () => {
    const html = render(
      { cluster: 'prod', service: 'web' },
      result({ taskDefinitionArn: undefined, targetGroups: [], targets: [] }),
    );
    expect(facts(html)).toMatchObject({
      'Task definition': 'unknown',
      'Expected digests': 'not checked (expected-digests not set)',
      'Healthy targets': 'none',
      'Log check': 'not run',
    });
    expect(tables(html)[1]).toEqual([HEADERS]);
  });

  it.each([
    ['warn, with error lines', check({ errorLines: [errorLine(1)] }), '⚠️ 1 error-level line in 0 tasks of web:42'],
    ['fail, with error lines', check({ mode: 'fail', errorLines: [errorLine(1)] }), '❌ 1 error-level line in 0 tasks'],
    ['warn, with a container not checked', check({ unchecked: ['web: denied'] }), '⚠️ no error-level lines in 0'],
    ['fail, with a container not checked', check({ mode: 'fail', unchecked: ['web: denied'] }), '❌ no error-level'],
    ['fail, clean', check({ mode: 'fail' }), '✅ no error-level lines in 0 tasks of web:42'],
  ])('marks the log check (%s)', (_, logCheck, start) => {
    const text = facts(render(context, result(), { failingTaskLogs: [], check: logCheck }))['Log check']!;
    expect(text.startsWith(start)).toBe(true);
    expect(text.endsWith(`(log-check: ${logCheck.mode})`)).toBe(true);
  });

  it('shows the first five error-level lines, escaped, and how many more there are', () => {
    const lines = [1, 2, 3, 4, 5, 6, 7].map(errorLine);
    const html = render(context, result(), { failingTaskLogs: [], check: check({ errorLines: lines }) });
    const details =
      /<details><summary>First error-level log lines \(7\)<\/summary><pre>([\s\S]*?)<\/pre><\/details>/.exec(html);
    expect(details?.[1]?.split('\n')).toEqual([
      'web (task 0a1b2c3d4e5f60718293a4b5c6d7e8f9) 06:00:01.000Z {&quot;level&quot;:50,&quot;msg&quot;:&quot;failure &lt;1&gt;&quot;}',
      expect.stringContaining('06:00:02.000Z'),
      expect.stringContaining('06:00:03.000Z'),
      expect.stringContaining('06:00:04.000Z'),
      expect.stringContaining('06:00:05.000Z'),
      '… and 2 more',
    ]);
  });

  it('shows exactly five error-level lines without a count of more', () => {
    const lines = [1, 2, 3, 4, 5].map(errorLine);
    const html = render(context, result(), { failingTaskLogs: [], check: check({ errorLines: lines }) });
    expect(html).toContain('First error-level log lines (5)');
    expect(html).toContain('06:00:05.000Z');
    expect(html).not.toContain('more');
  });

  it('adds a collapsed section with the log lines of each task behind a failing target', () => {
    const tasks = ['0a1b2c3d4e5f60718293a4b5c6d7e8f9', 'ffeeddccbbaa99887766554433221100'].map((taskId) => ({
      taskId,
      reads: [],
    }));
    const html = render({ ...context, logLines: 20 }, result({ verified: false }), { failingTaskLogs: tasks });
    for (const task of tasks) {
      const { label, html: content } = taskLogsDetails(task, 20);
      expect(label).toBe(`Log lines of task ${task.taskId}`);
      expect(html).toContain(`<details><summary>${label}</summary>${content}</details>`);
    }
  });
});
