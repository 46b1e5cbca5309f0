import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JobSummary, code, escapeHtml, formatDuration } from '@ecs-actions/action-kit';
import { type CheckResult, NOT_RUN, type Outcome } from './checks.js';

/** The JSON report behind the `report` output; its shape is documented in smoke-test/README.md. */
export interface SmokeTestReport {
  baseUrl: string;
  expectedVersion: string | null;
  passed: boolean;
  counts: Record<'passed' | 'failed' | 'skipped', number>;
  startedAt: string;
  /** From the first request to the report, waiting included. */
  durationMs: number;
  /** Wall time of the checks alone, which run concurrently once the service answers. */
  checksDurationMs: number;
  wait: { ready: boolean; elapsedMs: number; lastState: string | null };
  checks: CheckResult[];
}

export function buildReport(options: {
  baseUrl: URL;
  expectedVersion?: string;
  startedAt: number;
  durationMs: number;
  checksDurationMs: number;
  wait: SmokeTestReport['wait'];
  results: CheckResult[];
}): SmokeTestReport {
  const count = (outcome: Outcome) => options.results.filter((result) => result.outcome === outcome).length;
  const counts = { passed: count('pass'), failed: count('fail'), skipped: count('skip') };
  return {
    baseUrl: options.baseUrl.href,
    expectedVersion: options.expectedVersion ?? null,
    passed: counts.failed === 0,
    counts,
    startedAt: new Date(options.startedAt).toISOString(),
    durationMs: Math.round(options.durationMs),
    checksDurationMs: Math.round(options.checksDurationMs),
    wait: options.wait,
    checks: options.results,
  };
}

/** Writes the report under RUNNER_TEMP (cleaned after the job), in a folder of its own so two runs never collide. */
export async function writeReport(
  report: SmokeTestReport,
  directory = process.env.RUNNER_TEMP || tmpdir(),
): Promise<string> {
  const folder = await mkdtemp(join(directory, 'smoke-test-'));
  const path = join(folder, 'report.json');
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
  return path;
}

const RESULT_CELLS: Record<Outcome, string> = { pass: '✅ pass', fail: '❌ fail', skip: '⏭️ skipped' };

export function reportSummary(report: SmokeTestReport): JobSummary {
  const { passed, failed, skipped } = report.counts;
  const verdict = report.passed ? '✅ passed' : `❌ ${failed} failed`;
  const waited = report.wait.ready ? '' : ` (not ready: ${report.wait.lastState})`;
  return new JobSummary()
    .heading(`Smoke test ${verdict}`)
    .facts([
      ['Service', code(report.baseUrl)],
      ['Expected version', report.expectedVersion ? code(report.expectedVersion) : 'not set'],
      ['Checks', `${passed} passed, ${failed} failed, ${skipped} skipped`],
      ['Waited for the service', escapeHtml(`${formatDuration(report.wait.elapsedMs)}${waited}`)],
      ['Checks took', `${report.checksDurationMs} ms`],
    ])
    .table(
      ['Check', 'Result', 'Details', 'Time'],
      report.checks.map((check) => [
        escapeHtml(check.name),
        RESULT_CELLS[check.outcome],
        // When nothing answered, the reason is in the facts above, once, not in every row.
        escapeHtml(
          check.outcome === 'fail' && check.detail !== NOT_RUN
            ? `${check.detail}: expected ${check.expected}, got ${check.actual}`
            : check.detail,
        ),
        `${check.durationMs} ms`,
      ]),
    );
}
