import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const root = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

describe('npm run check-dist', () => {
  it('fails naming the bundle that no longer matches its source', async () => {
    const dist = mkdtempSync(join(tmpdir(), 'stale-dist-'));
    cpSync(join(root, 'dist', 'notify-slack'), join(dist, 'notify-slack'), { recursive: true });
    // The same as editing a source line without rebuilding: source and bundle disagree by one line.
    appendFileSync(join(dist, 'notify-slack', 'index.js'), '\n// edited without rebuilding\n');
    const result = await run(
      process.execPath,
      ['scripts/build-bundles.mjs', '--check', 'notify-slack', '--dist', dist],
      {
        cwd: root,
      },
    ).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'Stale bundles: dist/ does not match the source. Run `npm run build` and commit dist/.',
    );
    expect(result.stderr).toContain('dist/notify-slack/index.js');
  }, 120_000);
});
