#!/usr/bin/env node
// `npm run mutate [-- [--force] <package>...]`: StrykerJS over deploy-ecs, verify-targets and action-kit, one package after the
// other (stryker.config.mjs sets each run's test processes), then the mutation score of each. Reports are written to
// reports/mutation/<package>.json; stryker.config.mjs holds the settings.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGES = ['actions/deploy-ecs', 'actions/verify-targets', 'packages/action-kit'];

const args = process.argv.slice(2);
// --force re-tests every mutant instead of reusing the incremental results of the last run on this machine.
const force = args.includes('--force');
const asked = args.filter((arg) => arg !== '--force');
const unknown = asked.filter((name) => !PACKAGES.some((pkg) => pkg === name || pkg.endsWith(`/${name}`)));
if (unknown.length > 0) {
  console.error(`mutate: unknown package ${unknown.join(', ')}; expected some of ${PACKAGES.join(', ')}`);
  process.exit(2);
}
const selected = asked.length === 0 ? PACKAGES : PACKAGES.filter((pkg) => asked.some((name) => pkg.endsWith(name)));

/** Counts per status from a mutation-testing-elements JSON report, and the score Stryker prints. */
function scoreOf(report) {
  const counts = {};
  for (const file of Object.values(report.files)) {
    for (const mutant of file.mutants) counts[mutant.status] = (counts[mutant.status] ?? 0) + 1;
  }
  const n = (status) => counts[status] ?? 0;
  const detected = n('Killed') + n('Timeout');
  const undetected = n('Survived') + n('NoCoverage');
  const valid = detected + undetected;
  const undetectedMutants = [];
  for (const [fileName, file] of Object.entries(report.files)) {
    for (const mutant of file.mutants) {
      if (mutant.status !== 'Survived' && mutant.status !== 'NoCoverage') continue;
      const { line, column } = mutant.location.start;
      const replacement = (mutant.replacement ?? '').replace(/\s+/g, ' ');
      undetectedMutants.push(
        `${fileName}:${line}:${column} ${mutant.status === 'Survived' ? 'survived' : 'no coverage'}: ` +
          `${mutant.mutatorName} -> ${replacement.length > 60 ? `${replacement.slice(0, 59)}…` : replacement}`,
      );
    }
  }
  return {
    counts,
    undetectedMutants,
    detected,
    undetected,
    score: valid === 0 ? NaN : (100 * detected) / valid,
    coveredScore: detected + n('Survived') === 0 ? NaN : (100 * detected) / (detected + n('Survived')),
  };
}

const rows = [];
let failed = false;
for (const pkg of selected) {
  const name = pkg.split('/').at(-1);
  const started = Date.now();
  console.log(`\nmutate: ${pkg}`);
  const run = spawnSync('npx', ['stryker', 'run', 'stryker.config.mjs', ...(force ? ['--force'] : [])], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, MUTATE_PACKAGE: pkg },
  });
  const minutes = (Date.now() - started) / 60_000;
  if (run.status !== 0) {
    failed = true;
    rows.push({ pkg, minutes, error: `stryker exited ${run.status ?? run.signal}` });
    continue;
  }
  const report = JSON.parse(readFileSync(join(root, 'reports', 'mutation', `${name}.json`), 'utf8'));
  rows.push({ pkg, minutes, ...scoreOf(report) });
}

console.log('\nMutation score per package (killed + timed out, of all valid mutants; static mutants ignored):');
for (const row of rows) {
  if (row.error) {
    console.log(`  ${row.pkg.padEnd(24)} ${row.error}`);
    continue;
  }
  const c = row.counts;
  console.log(
    `  ${row.pkg.padEnd(24)} ${row.score.toFixed(1).padStart(5)}%  (killed ${c.Killed ?? 0}, timeout ` +
      `${c.Timeout ?? 0}, survived ${c.Survived ?? 0}, no coverage ${c.NoCoverage ?? 0}, compile errors ` +
      `${c.CompileError ?? 0}, runtime errors ${c.RuntimeError ?? 0}, ignored ${c.Ignored ?? 0}; ${row.minutes.toFixed(1)} min)`,
  );
}

// What to look at next: the mutants no test noticed, first in file order.
const SHOWN = 15;
for (const row of rows) {
  if (row.error || row.undetectedMutants.length === 0) continue;
  console.log(`\n${row.pkg}: ${row.undetectedMutants.length} mutants no test detected`);
  for (const line of row.undetectedMutants.slice(0, SHOWN)) console.log(`  ${line}`);
  if (row.undetectedMutants.length > SHOWN)
    console.log(
      `  … and ${row.undetectedMutants.length - SHOWN} more in reports/mutation/${row.pkg.split('/').at(-1)}.json`,
    );
}
process.exit(failed ? 1 : 0);
