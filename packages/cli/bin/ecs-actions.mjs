#!/usr/bin/env node
// The CLI is TypeScript, like the rest of the repository: tsx loads it (no build step for a manual deploy).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
