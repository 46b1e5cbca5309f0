import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { healthcheckScript } from './support/dockerfile.js';
import { call, jsonRequest, LEAK_PATTERN } from './support/http.js';
import { describeWithPostgres } from './support/describe-postgres.js';
import { createMigratedTestDatabase, type TestDatabase } from './support/postgres.js';
import { startSampleService, TEST_API_TOKEN, type SampleService } from './support/start-service.js';

interface Project {
  id: string;
  title: string;
  description: string | null;
  url: string | null;
  github: string | null;
  technologies: string[];
  createdAt: string;
  updatedAt: string;
}

const STARTUP_MS = 90_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('sample service on embedded PGlite (no DATABASE_URL)', () => sampleServiceSuite());
describeWithPostgres('sample service on PostgreSQL (TEST_DATABASE_URL)', (serverUrl) => sampleServiceSuite(serverUrl));

/** The whole API, end to end; on a database of its own on `serverUrl` when given, else on the embedded PGlite. */
function sampleServiceSuite(serverUrl?: string): void {
  let service: SampleService;
  let database: TestDatabase | undefined;
  const errorBodies: string[] = [];
  const api = (path: string, init?: RequestInit) =>
    call<Record<string, unknown>>(`${service.url}${path}`, init).then((answer) => {
      if (answer.status >= 400) errorBodies.push(answer.text);
      return answer;
    });

  beforeAll(async () => {
    if (serverUrl) database = await createMigratedTestDatabase(serverUrl);
    service = await startSampleService({
      env: { DATABASE_URL: database?.url, GIT_SHA: 'a1b2c3d', BUILD_TIME: '2026-01-02T03:04:05Z' },
    });
  }, STARTUP_MS);

  afterAll(async () => {
    const exit = await service?.stop();
    await database?.drop();
    expect(exit).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('answers /health with status and uptime', async () => {
    const health = await api('/health');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok', uptime: expect.any(Number) });
  });

  it("passes the Dockerfile's HEALTHCHECK command", () => {
    const check = spawnSync(process.execPath, ['-e', healthcheckScript()], {
      env: { PORT: String(service.port) },
      timeout: 10_000,
    });
    expect(check.status).toBe(0);
  });

  it('answers /ready with the database connected', async () => {
    const ready = await api('/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', database: 'connected' });
  });

  it('reports the build it runs in /version', async () => {
    const version = await api('/version');
    expect(version.body).toEqual({
      service: 'sample-service',
      version: '1.0.0',
      gitSha: 'a1b2c3d',
      buildTime: '2026-01-02T03:04:05Z',
    });
  });

  it('creates a project with 201, its Location and every field', async () => {
    const created = await api(
      '/api/projects',
      jsonRequest(
        'POST',
        {
          title: '  Billing  ',
          description: 'Invoices and payments',
          url: 'https://billing.example.com',
          github: 'https://github.com/example/billing',
          technologies: ['NestJS', ' PostgreSQL '],
        },
        TEST_API_TOKEN,
      ),
    );
    expect(created.status).toBe(201);
    const project = created.body as unknown as Project;
    expect(project).toEqual({
      id: expect.stringMatching(UUID),
      title: 'Billing',
      description: 'Invoices and payments',
      url: 'https://billing.example.com',
      github: 'https://github.com/example/billing',
      technologies: ['NestJS', 'PostgreSQL'],
      createdAt: expect.any(String),
      updatedAt: project.createdAt,
    });
    expect(created.headers.get('location')).toBe(`/api/projects/${project.id}`);
    expect((await api(`/api/projects/${project.id}`)).body).toEqual(project);
    const list = await api('/api/projects?limit=100');
    expect(list.body).toEqual({ items: expect.arrayContaining([project]), limit: 100, offset: 0 });
  });

  it('creates a project from a title alone, the other fields empty', async () => {
    const created = await api('/api/projects', jsonRequest('POST', { title: 'Only a title' }, TEST_API_TOKEN));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ title: 'Only a title', description: null, url: null, github: null });
    expect(created.body.technologies).toEqual([]);
  });

  it('updates only the fields a PUT names, and clears a field set to null', async () => {
    const created = (
      await api(
        '/api/projects',
        jsonRequest(
          'POST',
          { title: 'Search', description: 'full text', url: 'http://search.example.com', technologies: ['Go'] },
          TEST_API_TOKEN,
        ),
      )
    ).body as unknown as Project;

    const renamed = await api(
      `/api/projects/${created.id}`,
      jsonRequest('PUT', { title: 'Search v2' }, TEST_API_TOKEN),
    );
    expect(renamed.status).toBe(200);
    expect(renamed.body).toEqual({ ...created, title: 'Search v2', updatedAt: expect.any(String) });

    const changed = await api(
      `/api/projects/${created.id}`,
      jsonRequest('PUT', { url: null, technologies: ['Go', 'OpenSearch'] }, TEST_API_TOKEN),
    );
    expect(changed.body).toEqual({
      ...created,
      title: 'Search v2',
      url: null,
      technologies: ['Go', 'OpenSearch'],
      updatedAt: expect.any(String),
    });
    expect((await api(`/api/projects/${created.id}`)).body).toEqual(changed.body);
  });

  it('deletes a project with 204, after which it is 404', async () => {
    const created = (await api('/api/projects', jsonRequest('POST', { title: 'Doomed' }, TEST_API_TOKEN))).body;
    const deleted = await api(`/api/projects/${created.id as string}`, { method: 'DELETE', headers: auth() });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect((await api(`/api/projects/${created.id as string}`)).status).toBe(404);
    const again = await api(`/api/projects/${created.id as string}`, { method: 'DELETE', headers: auth() });
    expect(again.status).toBe(404);
  });

  it('answers a PUT or DELETE of an unknown project with 404', async () => {
    const id = '00000000-0000-4000-8000-000000000001';
    const put = await api(`/api/projects/${id}`, jsonRequest('PUT', { title: 'ghost' }, TEST_API_TOKEN));
    expect(put.status).toBe(404);
    expect(put.body).toMatchObject({ statusCode: 404, message: `Project ${id} not found` });
    expect((await api(`/api/projects/${id}`, { method: 'DELETE', headers: auth() })).status).toBe(404);
  });

  it('pages the list with limit and offset in creation order', async () => {
    const titles = ['page-a', 'page-b', 'page-c'];
    for (const title of titles) await api('/api/projects', jsonRequest('POST', { title }, TEST_API_TOKEN));
    const all = (await api('/api/projects?limit=100')).body.items as Project[];
    const start = all.findIndex((project) => project.title === 'page-a');
    const page = await api(`/api/projects?limit=2&offset=${start + 1}`);
    expect((page.body.items as Project[]).map((project) => project.title)).toEqual(['page-b', 'page-c']);
    expect(page.body).toMatchObject({ limit: 2, offset: start + 1 });
  });

  it('refuses a write without a bearer token with 401 JSON', async () => {
    const answer = await api('/api/projects', jsonRequest('POST', { title: 'x' }));
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe('Bearer');
    expect(answer.body).toMatchObject({
      statusCode: 401,
      error: 'Unauthorized',
      message: expect.stringMatching(/Authorization/),
    });
  });

  it('refuses a write with a wrong token with 401 and writes nothing', async () => {
    const answer = await api('/api/projects', jsonRequest('POST', { title: 'intruder' }, 'wrong-token'));
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ message: 'Invalid bearer token' });
    const titles = ((await api('/api/projects?limit=100')).body.items as Project[]).map((project) => project.title);
    expect(titles).not.toContain('intruder');
  });

  it('refuses updates and deletes without the token', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    expect((await api(`/api/projects/${id}`, jsonRequest('PUT', { title: 'x' }))).status).toBe(401);
    expect((await api(`/api/projects/${id}`, { method: 'DELETE' })).status).toBe(401);
  });

  it('answers a POST without a title with 400 naming it, and unknown fields too', async () => {
    const answer = await api(
      '/api/projects',
      jsonRequest('POST', { description: 'no title', color: 'red' }, TEST_API_TOKEN),
    );
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ statusCode: 400, message: 'Validation failed' });
    expect(Object.keys(answer.body.fields as object).sort()).toEqual(['color', 'title']);
    expect(answer.body.fields).toMatchObject({ color: ['property color should not exist'] });
  });

  it('answers a body with every field wrong with 400 naming each one, and writes nothing', async () => {
    const answer = await api(
      '/api/projects',
      jsonRequest(
        'POST',
        {
          title: 'x'.repeat(201),
          description: 42,
          url: 'javascript:alert(1)',
          github: 'github.com/no-scheme',
          technologies: ['ok', 7, ''],
        },
        TEST_API_TOKEN,
      ),
    );
    expect(answer.status).toBe(400);
    const fields = answer.body.fields as Record<string, string[]>;
    expect(Object.keys(fields).sort()).toEqual(['description', 'github', 'technologies', 'title', 'url']);
    expect(fields.title).toEqual(['title must be shorter than or equal to 200 characters']);
    expect(fields.url).toEqual(['url must be an http(s) URL, e.g. https://example.com']);
    expect(fields.github).toEqual(['github must be an http(s) URL, e.g. https://example.com']);
    expect(fields.technologies).toEqual(
      expect.arrayContaining([
        'each value in technologies must be a string',
        'each value in technologies should not be empty',
      ]),
    );
    const titles = ((await api('/api/projects?limit=100')).body.items as Project[]).map((project) => project.title);
    expect(titles).not.toContain('x'.repeat(201));
  });

  it('answers technologies that is not a list, and an empty title, with 400', async () => {
    const answer = await api(
      '/api/projects',
      jsonRequest('POST', { title: '   ', technologies: 'NestJS' }, TEST_API_TOKEN),
    );
    expect(answer.body).toMatchObject({
      statusCode: 400,
      fields: {
        title: ['title should not be empty'],
        technologies: expect.arrayContaining(['technologies must be an array']),
      },
    });
  });

  it('answers a PUT that sets nothing, or sets the title to null, with 400', async () => {
    const created = (await api('/api/projects', jsonRequest('POST', { title: 'Keep' }, TEST_API_TOKEN))).body;
    const path = `/api/projects/${created.id as string}`;
    const empty = await api(path, jsonRequest('PUT', {}, TEST_API_TOKEN));
    expect(empty.status).toBe(400);
    expect(empty.body.fields).toEqual({
      body: ['a partial update must set at least one of title, description, url, github, technologies'],
    });
    const nullTitle = await api(path, jsonRequest('PUT', { title: null }, TEST_API_TOKEN));
    expect(nullTitle.status).toBe(400);
    expect(Object.keys(nullTitle.body.fields as object)).toEqual(['title']);
    expect((await api(path)).body).toEqual(created);
  });

  it('answers malformed JSON with 400', async () => {
    const answer = await api('/api/projects', jsonRequest('POST', '{"name":', TEST_API_TOKEN));
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
  });

  it('answers a project id that is not a UUID with 400 and a bad page size with 400', async () => {
    expect((await api('/api/projects/42')).body).toMatchObject({
      statusCode: 400,
      fields: { id: ['id must be a UUID'] },
    });
    const page = await api('/api/projects?limit=1000');
    expect(page.status).toBe(400);
    expect(page.body).toMatchObject({ fields: { limit: ['limit must not be greater than 100'] } });
  });

  it('answers an unknown project with 404 JSON', async () => {
    const answer = await api('/api/projects/00000000-0000-4000-8000-000000000000');
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
  });

  it('answers an unknown route with 404 JSON', async () => {
    const answer = await api('/no/such/route');
    expect(answer.status).toBe(404);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.body).toMatchObject({ statusCode: 404, error: 'Not Found', requestId: expect.any(String) });
  });

  it('exposes Prometheus metrics with request durations by route and status', async () => {
    await api('/api/projects/00000000-0000-4000-8000-000000000000');
    const metrics = await api('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(metrics.text).toContain(
      'http_request_duration_seconds_count{method="GET",route="/api/projects/:id",status_code="404"}',
    );
    expect(metrics.text).toMatch(/http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/health"/);
    expect(metrics.text).toContain('route="unmatched"');
    expect(metrics.text).toContain('process_cpu_seconds_total');
    expect(metrics.text).toContain('nodejs_heap_size_used_bytes');
  });

  it('writes one JSON log line per request with its request id', async () => {
    const answer = await api('/version', { headers: { 'x-request-id': 'trace-0042' } });
    expect(answer.headers.get('x-request-id')).toBe('trace-0042');
    const line = await service.waitForLog((log) => log.requestId === 'trace-0042');
    expect(line).toMatchObject({
      level: 'info',
      msg: 'request completed',
      method: 'GET',
      url: '/version',
      statusCode: 200,
    });
  });

  it('never puts a stack trace or a file path in an error body', () => {
    expect(errorBodies.length).toBeGreaterThan(8);
    for (const body of errorBodies) expect(body).not.toMatch(LEAK_PATTERN);
  });
}

function auth(): Record<string, string> {
  return { authorization: `Bearer ${TEST_API_TOKEN}` };
}
