import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { FakeClock, RunContext } from '@ecs-actions/action-kit';
import { run } from '../src/main.js';
import { actionEnvironment } from './support/action.js';
import {
  ALLOWED_ORIGIN,
  GIT_SHA,
  type Handler,
  type LocalServer,
  json,
  startServer,
  wellBehavedService,
} from './support/servers.js';

const { setInputs, outputs, report, summary, lines, failure, folder } = actionEnvironment();
let service: LocalServer | undefined;

afterEach(async () => {
  await service?.close();
  service = undefined;
});

describe('smoke-test', () => {
  it('passes against a well-behaved service, sets the outputs and writes the report and summary', async () => {
    service = await startServer(wellBehavedService());
    setInputs({ 'base-url': service.url.href, 'expected-version': GIT_SHA, 'cors-origin': ALLOWED_ORIGIN });

    await run({ clock: new FakeClock() });

    expect(outputs()).toEqual({
      passed: 'true',
      failed: '0',
      report: expect.stringMatching(/smoke-test-\w+\/report\.json$/),
    });
    expect(outputs().report!.startsWith(folder())).toBe(true);
    const written = report();
    expect(written).toMatchObject({
      baseUrl: service.url.href,
      expectedVersion: GIT_SHA,
      passed: true,
      counts: { passed: 9, failed: 0, skipped: 1 },
      wait: { ready: true, elapsedMs: 0, lastState: null },
    });
    expect(written.checks.map((check) => check.name)).toEqual([
      'version',
      'health',
      'readiness',
      'https-redirect',
      'auth-required',
      'cors',
      'security-headers',
      'latency',
      'unknown-path',
      'root',
    ]);
    // One line per check, each saying pass or skip.
    const checkLines = lines().filter((line) => /^(PASS|FAIL|SKIP) /.test(line));
    expect(checkLines).toHaveLength(10);
    expect(checkLines).toContain(
      'SKIP https-redirect: base-url is http://; the redirect to https is checked when base-url is https://',
    );
    expect(summary()).toContain('<h2>Smoke test ✅ passed</h2>');
    expect(summary()).toContain('<th>Check</th><th>Result</th><th>Details</th><th>Time</th>');
    expect(summary()).toContain('<td>latency</td><td>✅ pass</td>');
  });

  it('fails naming each failed check, after setting the outputs and one error line per failure', async () => {
    service = await startServer(
      wellBehavedService(
        { 'GET /version': (_, response) => json(response, 200, { gitSha: 'bbbbbbbbbbbbbbbb' }) },
        { 'x-content-type-options': undefined },
      ),
    );
    setInputs({ 'base-url': service.url.href, 'expected-version': GIT_SHA, 'timeout-seconds': '0' });

    expect(await failure(run())).toBe('2 of 10 smoke checks failed: version, security-headers (see the lines above)');
    expect(outputs()).toMatchObject({ passed: 'false', failed: '2' });
    expect(lines()).toContain(
      `::error title=smoke-test version::FAIL version: GET /version reports another build: expected gitSha ${GIT_SHA}, got gitSha bbbbbbbbbbbbbbbb`,
    );
    expect(lines()).toContain(
      '::error title=smoke-test security-headers::FAIL security-headers: GET /health lacks security headers: expected X-Content-Type-Options: nosniff, got no X-Content-Type-Options',
    );
    expect(report().checks.find((check) => check.name === 'version')).toMatchObject({
      outcome: 'fail',
      expected: `gitSha ${GIT_SHA}`,
      actual: 'gitSha bbbbbbbbbbbbbbbb',
    });
    expect(summary()).toContain('<h2>Smoke test ❌ 2 failed</h2>');
  });

  it('adds the checks file to the built-in checks', async () => {
    service = await startServer(wellBehavedService());
    const file = join(folder(), 'smoke.yml');
    writeFileSync(
      file,
      'checks:\n  - name: create with token\n    method: POST\n    path: /api/projects\n    headers: { Authorization: Bearer token }\n    body: { name: x }\n    expect: { status: 201, json: { id: 1 } }\n',
    );
    setInputs({ 'base-url': service.url.href, checks: file });

    await run();

    expect(
      report()
        .checks.map((check) => [check.name, check.outcome])
        .slice(-2),
    ).toEqual([
      ['root', 'pass'],
      ['create with token', 'pass'],
    ]);
    expect(report().counts).toEqual({ passed: 9, failed: 0, skipped: 2 });
  });

  it('runs only the checks file when builtin-checks is false', async () => {
    service = await startServer(wellBehavedService());
    const file = join(folder(), 'smoke.yml');
    writeFileSync(file, 'checks:\n  - name: home\n    path: /\n');
    setInputs({ 'base-url': service.url.href, checks: file, 'builtin-checks': 'false' });

    await run();

    expect(report().checks.map((check) => check.name)).toEqual(['home']);
    expect(service.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['GET /health', 'GET /']);
  });

  it('fails with one clear line when the service never answers', async () => {
    service = await startServer(wellBehavedService());
    const { url } = service;
    await service.close();
    service = undefined;
    setInputs({ 'base-url': url.href, 'timeout-seconds': '3' });

    const clock = new FakeClock();
    expect(await failure(run({ clock }))).toBe(
      `${url.href} did not answer within 3s (no answer: connection refused (ECONNREFUSED)); check that the service is deployed, its load balancer listener and security group admit this runner, or raise timeout-seconds`,
    );
    expect(clock.sleeps).toEqual([1000, 1000, 1000]);
    expect(outputs()).toMatchObject({ passed: 'false', failed: '10' });
    expect(report().checks[0]).toMatchObject({ name: 'version', outcome: 'fail', detail: 'not run' });
    expect(lines().filter((line) => line.startsWith('::error'))).toEqual([]);
    expect(summary()).toContain('3s (not ready: no answer: connection refused (ECONNREFUSED))');
    expect(summary()).toContain('<td>version</td><td>❌ fail</td><td>not run</td>');
  });

  it('stops at once on a cancel, even mid-request, and writes a partial report', async () => {
    // The health endpoint accepts the request and never answers.
    service = await startServer(wellBehavedService({ 'GET /health': () => undefined }));
    setInputs({ 'base-url': service.url.href, 'timeout-seconds': '60' });
    const context = new RunContext();
    setTimeout(() => context.cancel('SIGINT'), 100);
    const started = Date.now();

    const message = await failure(run({ context }));

    expect(Date.now() - started).toBeLessThan(2000);
    expect(message).toMatch(
      /^Cancelled \(SIGINT\) while waiting for the service; partial report written to .*report\.json$/,
    );
    expect(outputs()).toMatchObject({ passed: 'false', failed: '10' });
    expect(report().checks[0]).toMatchObject({ name: 'version', outcome: 'fail', detail: 'not run' });
    context.dispose();
  });

  it('runs the checks anyway when the service answers but is not ready by the timeout', async () => {
    let healthCalls = 0;
    service = await startServer(
      wellBehavedService({
        // Three polls (0s, 1s, 2s) see 503; the health check after them sees 200.
        'GET /health': (_, response) => json(response, healthCalls++ < 3 ? 503 : 200, { status: 'starting' }),
        'GET /ready': (_, response) => json(response, 503, { database: 'disconnected' }),
      }),
    );
    setInputs({ 'base-url': service.url.href, 'timeout-seconds': '2', 'builtin-checks': 'health, readiness' });

    expect(await failure(run({ clock: new FakeClock() }))).toBe(
      '1 of 2 smoke checks failed: readiness (see the lines above)',
    );
    expect(lines()).toContain('::warning::Not ready after 2s (/health answered 503); running the checks anyway');
    expect(report().wait).toEqual({ ready: false, elapsedMs: 2000, lastState: '/health answered 503' });
  });

  it('fails a check whose body is over max-body-size, as it does at the default limit, and reads one at the limit', async () => {
    const body =
      (bytes: number): Handler =>
      (_, response) => {
        response.writeHead(200, { 'content-type': 'text/plain' }).end('a'.repeat(bytes));
      };
    service = await startServer(wellBehavedService({ 'GET /at-limit': body(4096), 'GET /over-limit': body(4097) }));
    const file = join(folder(), 'smoke.yml');
    writeFileSync(
      file,
      'checks:\n  - name: at-limit\n    path: /at-limit\n  - name: over-limit\n    path: /over-limit\n',
    );
    setInputs({ 'base-url': service.url.href, checks: file, 'builtin-checks': 'false', 'max-body-size': '4KiB' });

    expect(await failure(run())).toBe('1 of 2 smoke checks failed: over-limit (see the lines above)');
    expect(lines()).toContain(
      `::error title=smoke-test over-limit::FAIL over-limit: ${service.url.origin}/over-limit answered a body over the 4 KiB limit: ` +
        'expected a body of at most 4 KiB, got more than 4 KiB; reading stopped there',
    );
    expect(report().checks.map((check) => [check.name, check.outcome])).toEqual([
      ['at-limit', 'pass'],
      ['over-limit', 'fail'],
    ]);
  });

  it('rejects a max-body-size that is not a size before sending any request', async () => {
    service = await startServer(wellBehavedService());
    setInputs({ 'base-url': service.url.href, 'max-body-size': '1MB' });

    expect(await failure(run())).toBe(
      `Input 'max-body-size': "1MB" is not a size; expected a size such as 512KiB or 1MiB (units B, KiB, MiB, GiB) or a number of bytes`,
    );
    expect(service.requests).toEqual([]);
    expect(outputs()).toEqual({});
  });

  it('rejects a bad checks file before sending any request', async () => {
    service = await startServer(wellBehavedService());
    const file = join(folder(), 'smoke.yml');
    writeFileSync(file, 'checks:\n  - name: home\n    path: home\n');
    setInputs({ 'base-url': service.url.href, checks: file });

    expect(await failure(run())).toBe(
      `Input 'checks': ${file}: check 1 ("home"): path: "home" is not a path; expected a path under base-url starting with /, e.g. /api/projects`,
    );
    expect(service.requests).toEqual([]);
    expect(outputs()).toEqual({});
  });
});
