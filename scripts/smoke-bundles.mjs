#!/usr/bin/env node
// Runs every committed bundle once, as a runner would, with its first required input missing.
// A bundle that cannot even load (ncc fed CommonJS, a missing asset) fails here.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { listActions, mapLimit, root } from './actions.mjs';

const run = promisify(execFile);
const failures = [];

async function smoke(name) {
  const bundle = join(root, 'dist', name, 'index.js');
  const metadataPath = join(root, name, 'action.yml');
  if (!existsSync(bundle)) return failures.push(`${name}: dist/${name}/index.js is missing (run npm run build)`);
  if (!existsSync(metadataPath)) return failures.push(`${name}: ${name}/action.yml is missing`);
  const metadata = parse(readFileSync(metadataPath, 'utf8'));
  if (metadata.runs?.using !== 'node24')
    failures.push(`${name}: action.yml runs.using is ${metadata.runs?.using}, expected node24`);
  if (metadata.runs?.main !== `../dist/${name}/index.js`)
    failures.push(`${name}: action.yml runs.main should be ../dist/${name}/index.js`);
  const required = Object.entries(metadata.inputs ?? {}).find(
    ([, spec]) => spec.required && spec.default === undefined,
  );
  if (!required) return failures.push(`${name}: action.yml declares no required input to leave out`);
  const [input] = required;
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('INPUT_') && !key.startsWith('GITHUB_')),
  );
  const result = await run(process.execPath, [bundle], { env, timeout: 30_000 }).then(
    (ok) => ({ code: 0, ...ok }),
    (error) => error,
  );
  const errorLine = String(result.stdout)
    .split('\n')
    .find((line) => line.startsWith('::error::'));
  if (result.code !== 1 || !errorLine || !errorLine.includes(`'${input}'`)) {
    failures.push(
      `${name}: expected exit 1 with an ::error:: line naming '${input}', got exit ${result.code}\n${result.stdout}${result.stderr}`,
    );
  } else {
    console.log(`${name}: ${errorLine}`);
  }
}

const actions = listActions();
await mapLimit(actions, 2, smoke);
if (failures.length) {
  for (const failure of failures) console.error(`FAIL ${failure}`);
  process.exit(1);
}
console.log(`${actions.length} bundle(s) load and reject a missing input`);
