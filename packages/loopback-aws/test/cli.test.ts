import { afterEach, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function runCli(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const match = /export AWS_ENDPOINT_URL=(http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) resolve(match[1]);
    });
    child.on('exit', () => reject(new Error(`The CLI exited before listening:\n${output}`)));
  });
  return { child, url, exited, output: () => output };
}

describe('the CLI', () => {
  it('prints the URL, answers requests and stops cleanly on SIGTERM', async () => {
    const cli = runCli(['--scenario', 'wrong-digest', '--step-ms', '20']);
    const url = await cli.url;
    expect(cli.output()).toContain(`Loopback AWS listening on ${url} (scenario wrong-digest`);
    const response = await fetch(url, { method: 'POST', body: 'Action=GetCallerIdentity&Version=2011-06-15' });
    expect(await response.text()).toContain('<Account>123456789012</Account>');
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });

  it('refuses an unknown scenario and lists the known ones', async () => {
    const cli = runCli(['--scenario', 'meteor-strike']);
    cli.url.catch(() => undefined);
    expect(await cli.exited).toBe(2);
    expect(cli.output()).toContain('Unknown scenario "meteor-strike"');
    expect(cli.output()).toContain('circuit-breaker-rollback');
  });
});
