#!/usr/bin/env node
// Bundles each action with ncc into dist/<action>/ (index.js + licenses.txt).
//   node scripts/build-bundles.mjs [action ...]         rebuild dist/
//   node scripts/build-bundles.mjs --check [action ...] rebuild into a temporary folder and fail if dist/ differs
//   --dist <dir>                                        compare against (or build into) another folder than dist/
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { listActions, mapLimit, root } from './actions.mjs';

const run = promisify(execFile);
const args = process.argv.slice(2);
const check = args.includes('--check');
const distFlag = args.indexOf('--dist');
const distRoot = distFlag === -1 ? join(root, 'dist') : args[distFlag + 1];
const named = args.filter((arg, index) => !arg.startsWith('--') && (distFlag === -1 || index !== distFlag + 1));
const all = listActions();
for (const name of named) {
  if (!all.includes(name)) {
    console.error(`Unknown action "${name}"; expected one of: ${all.join(', ')}`);
    process.exit(2);
  }
}
const actions = named.length ? named : all;
const ncc = join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');
const outRoot = check ? mkdtempSync(join(tmpdir(), 'ecs-actions-dist-')) : distRoot;

async function build(name) {
  const out = join(outRoot, name);
  rmSync(out, { recursive: true, force: true });
  const started = Date.now();
  await run(
    process.execPath,
    [ncc, 'build', join('actions', name, 'src', 'index.ts'), '-o', out, '--license', 'licenses.txt', '--quiet'],
    { cwd: root, maxBuffer: 64 * 1024 * 1024 },
  );
  const size = readFileSync(join(out, 'index.js')).length;
  console.log(
    `${check ? 'checked' : 'built'} ${name}: ${(size / 1024).toFixed(0)} KiB in ${((Date.now() - started) / 1000).toFixed(1)}s`,
  );
}

function listFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

await mapLimit(actions, 2, build);

if (check) {
  const stale = [];
  for (const name of actions) {
    const built = join(outRoot, name);
    const committed = join(distRoot, name);
    const files = new Set([...listFiles(built), ...listFiles(committed)]);
    for (const file of files) {
      const a = join(built, file);
      const b = join(committed, file);
      if (!existsSync(a) || !existsSync(b) || !readFileSync(a).equals(readFileSync(b)))
        stale.push(`dist/${name}/${file}`);
    }
  }
  if (!named.length) {
    for (const dir of listFiles(distRoot).map((file) => file.split('/')[0])) {
      if (!all.includes(dir)) stale.push(`dist/${dir} (no action source under actions/${dir})`);
    }
  }
  rmSync(outRoot, { recursive: true, force: true });
  if (stale.length) {
    console.error(`Stale bundles: dist/ does not match the source. Run \`npm run build\` and commit dist/.`);
    for (const file of [...new Set(stale)]) console.error(`  ${file}`);
    process.exit(1);
  }
  console.log(`dist/ is up to date for ${actions.length} action(s)`);
}
