import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';

describe('the test network guard', () => {
  it('fails a stray HTTPS request before it leaves the machine', async () => {
    const request = new Promise((resolve, reject) => {
      https.get('https://ecs.eu-west-1.amazonaws.com/', resolve).on('error', reject);
    });
    await expect(request).rejects.toThrow(/Disallowed net connect/);
  });

  it('fails an AWS SDK call that no test answered', async () => {
    const ecs = new ECSClient({
      region: 'eu-west-1',
      maxAttempts: 1,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    });
    await expect(ecs.send(new ListClustersCommand({}))).rejects.toThrow(/Disallowed net connect/);
  });
});

describe('the TLS session guard (test/setup/tls-session.mjs)', () => {
  const guard = new URL('./setup/tls-session.mjs', import.meta.url).href;
  let folder: string;

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'tls-session-guard-'));
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1'].concat([
        '-subj',
        '/CN=127.0.0.1',
        '-keyout',
        join(folder, 'key.pem'),
        '-out',
        join(folder, 'cert.pem'),
      ]),
      { stdio: 'pipe' },
    );
  });

  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  /**
   * Runs a TLS handshake with a server on 127.0.0.1 in a child process (a SIGSEGV would end this one), with nock
   * intercepting as in every test or not, and returns what the client saw of the key exchange.
   */
  function handshake(withNock: boolean) {
    const script = `
      import { readFileSync } from 'node:fs';
            if (${withNock}) {
        const { default: nock } = await import('nock');
        nock.disableNetConnect();
        nock.enableNetConnect(/^127\\./);
      }
      const key = readFileSync(process.env.TLS_DIR + '/key.pem'), cert = readFileSync(process.env.TLS_DIR + '/cert.pem');
      const server = tls.createServer({ key, cert }, (socket) => socket.end());
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
      const socket = tls.connect({ host: '127.0.0.1', port: server.address().port, ca: cert, checkServerIdentity: () => undefined }, () => {
        console.log(JSON.stringify(socket.getEphemeralKeyInfo()));
        socket.destroy();
        server.close();
      });`;
    const child = spawnSync(process.execPath, ['--import', guard, '--input-type=module', '-e', script], {
      cwd: process.cwd(),
      env: { PATH: process.env.PATH, TLS_DIR: folder },
      encoding: 'utf8',
      timeout: 20_000,
    });
    return { status: child.status, signal: child.signal, stdout: child.stdout.trim(), stderr: child.stderr };
  }

  it('keeps a TLS connection to a loopback server alive under nock, where Node 24 dies with SIGSEGV', () => {
    // nock's interceptors hand Node's handshake check a socket with no TLS session: the guard answers {} for it.
    expect(handshake(true)).toMatchObject({ status: 0, signal: null, stdout: '{}' });
  });

  it('fails the verification of a TLS socket that never had a handshake instead of dying with SIGSEGV', () => {
    const script =
      "const tls = require('node:tls'), net = require('node:net');" +
      'const socket = new tls.TLSSocket(new net.Socket());' +
      'console.log(JSON.stringify([socket.getEphemeralKeyInfo(), socket._handle.verifyError().code]));';
    const child = spawnSync(process.execPath, ['--import', guard, '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect({ status: child.status, signal: child.signal, stdout: child.stdout.trim() }).toEqual({
      status: 0,
      signal: null,
      stdout: '[{},"ERR_TLS_NO_SESSION"]',
    });
  });

  it("leaves a real handshake's key exchange to Node", () => {
    const { status, stdout } = handshake(false);
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ name: expect.any(String) });
  });
});

describe('the test environment (test/setup/environment.mjs)', () => {
  /** Runs jest over the fixture files in one process, as Stryker does, keeping only the tests named by `filter`. */
  function jestOver(files: string[], filter: string, env: Record<string, string> = {}) {
    return spawnSync(
      process.execPath,
      ['node_modules/jest/bin/jest.js', '--runInBand', '--testMatch', '**/*.fixture.ts', '-t', filter, ...files],
      {
        cwd: process.cwd(),
        env: { ...process.env, NODE_OPTIONS: '--experimental-vm-modules', ...env },
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
  }

  function closeListeners(files: string[], filter: string): number {
    const child = jestOver(files, filter);
    const counts = [...child.stdout.matchAll(/close listeners: (\d+)/g)].map((match) => Number(match[1]));
    expect({ status: child.status, counts: counts.length }).toEqual({ status: 0, counts: 1 });
    return counts[0]!;
  }

  it('removes the interceptor of a file whose tests a name filter skipped, as Stryker does for each mutant', () => {
    const alone = closeListeners(['test/fixtures/filtered-files/z.fixture.ts'], '^measured$');
    // Without the environment's teardown, the skipped file left its interceptor behind: one more set of listeners.
    const afterSkipped = closeListeners(['test/fixtures/filtered-files/'], '^measured$');
    expect(afterSkipped).toBe(alone);
  }, 240_000);

  /** The tests that ran, by the line each prints. */
  const ran = (stdout: string) => [...stdout.matchAll(/^ran: (.+)$/gm)].map((match) => match[1]!).sort();

  it('skips the remaining tests, in this file and the next, once a test fails under a Stryker mutant', () => {
    const child = jestOver(['test/fixtures/bail/'], '', { __STRYKER_ACTIVE_MUTANT__: '7' });
    expect(child.status).toBe(1);
    // Either file may run first: its first test fails, and nothing runs after it.
    expect(ran(child.stdout)).toEqual([expect.stringMatching(/^(first|second) fails$/)]);
    expect(child.stderr).toMatch(/Tests: +1 failed, 3 skipped, 4 total/);
  }, 240_000);

  it('runs every test outside Stryker', () => {
    const child = jestOver(['test/fixtures/bail/'], '');
    expect(child.status).toBe(1);
    expect(ran(child.stdout)).toEqual(['first fails', 'first passes', 'second fails', 'second passes']);
  }, 240_000);
});
