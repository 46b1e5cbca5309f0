import { once } from 'node:events';
import { afterEach, describe, expect, it } from '@jest/globals';
import { BUILTIN_CHECK_NAMES } from '../src/builtin-checks.js';
import { type CheckResult, formatResult, runChecks } from '../src/checks.js';
import { parseChecksFile } from '../src/checks-file.js';
import { customCheck } from '../src/custom-checks.js';
import { DEFAULT_MAX_BODY_BYTES, send } from '../src/http.js';
import {
  type Handler,
  type LocalServer,
  type Routes,
  delay,
  json,
  startServer,
  wellBehavedService,
} from './support/servers.js';

let service: LocalServer | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
});

/** Runs the single check of a checks file against a local service with these routes. */
async function runCustom(yaml: string, routes: Routes = {}): Promise<CheckResult> {
  service = await startServer(wellBehavedService(routes));
  const [definition] = parseChecksFile('smoke.yml', `checks:\n${yaml}`, BUILTIN_CHECK_NAMES);
  const [result] = await runChecks([customCheck(definition!, service.url, send, 5000)], () => {});
  return result!;
}

const projects: Routes = {
  'GET /api/projects': (_, response) =>
    json(response, 200, { items: [{ id: 42, name: 'demo' }], total: 1 }, { 'cache-control': 'no-store' }),
};

describe('custom checks', () => {
  it('passes when every expectation holds', async () => {
    const result = await runCustom(
      `  - name: projects
    path: /api/projects
    expect:
      status: 200
      headers:
        content-type: { matches: ^application/json }
        cache-control: no-store
        x-powered-by: { absent: true }
      json:
        items.0.id: 42
        items.0.name: { matches: ^de }
        total: { equals: 1 }
      body:
        contains: [demo, total]
        matches: '"id":\\s*42'
      max-time-ms: 5000
`,
      projects,
    );
    expect(result).toMatchObject({
      outcome: 'pass',
      detail: expect.stringMatching(/^GET \/api\/projects answered 200 in \d+ ms as expected$/),
    });
  });

  it('sends the method, headers and JSON body of the check', async () => {
    const result = await runCustom(
      `  - name: create
    method: POST
    path: /api/projects
    headers: { Authorization: Bearer token }
    body: { name: demo }
    expect: { status: 201 }
`,
    );
    expect(result.outcome).toBe('pass');
    expect(service!.requests).toEqual([
      expect.objectContaining({ method: 'POST', path: '/api/projects', body: '{"name":"demo"}' }),
    ]);
    expect(service!.requests[0]!.headers).toMatchObject({
      authorization: 'Bearer token',
      'content-type': 'application/json',
    });
  });

  it('lists every unmet expectation with expected and actual', async () => {
    const result = await runCustom(
      `  - name: projects
    path: /api/projects
    expect:
      status: [201, 204]
      headers:
        cache-control: { matches: ^public }
        x-request-id: yes
      json:
        items.0.id: 7
        items.3.id: 1
      body: { contains: nothing-like-this }
`,
      projects,
    );
    expect(result).toMatchObject({
      outcome: 'fail',
      detail: 'GET /api/projects answered 200',
      expected:
        'status 201 or 204; cache-control matching /^public/; x-request-id = yes; json items.0.id = 7; json items.3.id = 1; body containing "nothing-like-this"',
      actual:
        'status 200 {"items":[{"id":42,"name":"demo"}],"total":1}; cache-control = no-store; no x-request-id; json items.0.id = 42; json items.3.id missing; body {"items":[{"id":42,"name":"demo"}],"total":1}',
    });
  });

  it('fails a status outside 2xx when the check sets no status', async () => {
    const result = await runCustom('  - name: missing\n    path: /nowhere\n');
    expect(result).toMatchObject({
      outcome: 'fail',
      expected: 'status 2xx',
      actual: expect.stringMatching(/^status 404 /),
    });
  });

  it('fails JSON expectations on a body that is not JSON', async () => {
    const result = await runCustom('  - name: text\n    path: /text\n    expect: { json: { ok: true } }\n', {
      'GET /text': (_, response) => {
        response.writeHead(200, { 'content-type': 'text/plain' }).end('plain words');
      },
    });
    expect(result).toMatchObject({ outcome: 'fail', actual: 'json ok a body that is not JSON: plain words' });
  });

  it('fails a header that must be absent but is present', async () => {
    const result = await runCustom(
      '  - name: powered\n    path: /\n    expect: { headers: { x-powered-by: { absent: true } } }\n',
      {
        'GET /': (_, response) => json(response, 200, {}, { 'x-powered-by': 'Express' }),
      },
    );
    expect(result).toMatchObject({
      outcome: 'fail',
      expected: 'x-powered-by absent',
      actual: 'x-powered-by = Express',
    });
  });

  it('fails a check that answers after max-time-ms, saying how long it took', async () => {
    const result = await runCustom('  - name: slow\n    path: /slow\n    expect: { max-time-ms: 30 }\n', {
      'GET /slow': async (_, response) => {
        await delay(60);
        json(response, 200, {});
      },
    });
    expect(result).toMatchObject({
      outcome: 'fail',
      expected: 'time ≤ 30 ms',
      actual: expect.stringMatching(/^\d+ ms$/),
    });
  });

  it('gives up on a hung answer soon after max-time-ms', async () => {
    const result = await runCustom('  - name: hung\n    path: /hung\n    expect: { max-time-ms: 20 }\n', {
      'GET /hung': () => new Promise(() => {}),
    });
    expect(result).toMatchObject({
      outcome: 'fail',
      detail: expect.stringMatching(/\/hung did not answer$/),
      expected: 'an HTTP answer',
      actual: 'no answer within 140 ms',
    });
  });
});

describe('response body size', () => {
  /** A service that streams 64 KiB chunks until the client hangs up; `written` counts what it sent. */
  function endlessBody() {
    let hangUp = () => {};
    const stream = { written: 0, hungUp: new Promise<void>((resolve) => (hangUp = resolve)) };
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const handler: Handler = async (_, response) => {
      response.once('close', () => hangUp());
      response.writeHead(200, { 'content-type': 'text/plain' });
      while (!response.destroyed) {
        stream.written += chunk.length;
        if (!response.write(chunk)) await Promise.race([once(response, 'drain'), stream.hungUp]);
      }
    };
    return { stream, handler };
  }

  it('fails the check that gets an endless body, naming the check and the limit, and hangs up', async () => {
    const { stream, handler } = endlessBody();
    const result = await runCustom('  - name: huge\n    path: /huge\n', { 'GET /huge': handler });
    expect(result).toMatchObject({
      outcome: 'fail',
      detail: expect.stringMatching(/\/huge answered a body over the 1 MiB limit$/),
      expected: 'a body of at most 1 MiB',
      actual: 'more than 1 MiB; reading stopped there',
    });
    expect(formatResult(result)).toMatch(
      /^FAIL huge: http:\/\/127\.0\.0\.1:\d+\/huge answered a body over the 1 MiB limit/,
    );
    await stream.hungUp;
    // What the kernel's socket buffers took in before the hang-up, not gigabytes.
    expect(stream.written).toBeLessThan(64 * DEFAULT_MAX_BODY_BYTES);
  });

  it('reads a body of exactly the limit', async () => {
    const body = 'a'.repeat(DEFAULT_MAX_BODY_BYTES - 'ok'.length) + 'ok';
    const result = await runCustom('  - name: big\n    path: /big\n    expect: { body: { contains: [aok] } }\n', {
      'GET /big': (_, response) => {
        response.writeHead(200, { 'content-type': 'text/plain' }).end(body);
      },
    });
    expect(result.outcome).toBe('pass');
  });
});
