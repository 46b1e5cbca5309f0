import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CliOptions } from './args.js';
import type { DeployOutcome } from './deploy.js';

/** The deployment report: what was asked, what happened, and the job summary the actions wrote. */
export function deploymentReport(options: CliOptions, outcome: DeployOutcome, at: Date): string {
  const rows = [
    ['Command', `${options.command}${options.dryRun ? ' (dry run)' : ''}`],
    ['Environment', options.environment],
    [
      'What',
      (options.image ?? options.taskDefinition ?? outcome.plan ?? 'the previous successful deploy').replace(
        /\|/g,
        '\\|',
      ),
    ],
    ['Status', outcome.status],
    ['Why', outcome.reason.replace(/\|/g, '\\|')],
    ['When', at.toISOString()],
    ['Duration', `${((outcome.job?.durationMs ?? 0) / 1000).toFixed(1)} s`],
  ];
  const steps = (outcome.job?.steps ?? []).map((step) => `| ${step.name} | ${step.outcome} |`);
  return [
    `# Deployment report: ${options.environment}`,
    '',
    '| | |',
    '| --- | --- |',
    ...rows.map(([name, value]) => `| ${name} | ${value} |`),
    '',
    '## Steps',
    '',
    '| Step | Outcome |',
    '| --- | --- |',
    ...steps,
    '',
    '## Job summary',
    '',
    outcome.job?.summary || '(no step wrote a summary)',
    '',
  ].join('\n');
}

/** Saves the report as reports/<environment>-<time>.md; returns its path. */
export function saveReport(directory: string, options: CliOptions, report: string, at: Date): string {
  mkdirSync(directory, { recursive: true });
  const stamp = at.toISOString().replace(/[:.]/g, '-');
  const path = resolve(join(directory, `${options.environment}-${options.command}-${stamp}.md`));
  writeFileSync(path, report);
  return path;
}
