import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { call, LEAK_PATTERN } from './support/http.js';
import { describeWithPostgres } from './support/describe-postgres.js';
import { createMigratedTestDatabase, DatabaseLink, type TestDatabase } from './support/postgres.js';
import { startSampleService, type SampleService } from './support/start-service.js';

// Needs a database server that can go away while the service runs, so real PostgreSQL (scripts/ci-postgres.sh).
describeWithPostgres('readiness when the database goes away and comes back', (serverUrl) => {
  let database: TestDatabase;
  let link: DatabaseLink;
  let service: SampleService;

  beforeAll(async () => {
    database = await createMigratedTestDatabase(serverUrl);
    link = DatabaseLink.to(database.url);
    await link.up();
    service = await startSampleService({ env: { DATABASE_URL: link.urlFor(database.url) } });
  }, 90_000);

  afterAll(async () => {
    await service?.stop();
    await link?.cut();
    await database?.drop();
  }, 60_000);

  it('is ready while the database answers', async () => {
    const ready = await call(`${service.url}/ready`);
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', database: 'connected' });
  });

  it('answers /ready with 503 once the database stops', async () => {
    await link.cut();
    const ready = await call(`${service.url}/ready`);
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({ status: 'unavailable', database: 'disconnected' });
    await service.waitForLog((line) => line.msg === 'readiness: database unreachable');
  });

  it('stays alive on /health while the database is down, so ECS does not replace the task', async () => {
    const health = await call(`${service.url}/health`);
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok' });
  });

  it('answers a request that needs the database with 500 JSON and no stack trace or path', async () => {
    const list = await call(`${service.url}/api/projects`);
    expect(list.status).toBe(500);
    expect(list.body).toMatchObject({ statusCode: 500, error: 'Internal Server Error', requestId: expect.any(String) });
    expect(list.text).not.toMatch(LEAK_PATTERN);
    expect(list.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
    // The cause goes to the log, where the operator looks it up by request id.
    const logged = await service.waitForLog((line) => line.msg === 'request failed');
    expect(logged.requestId).toBe((list.body as { requestId: string }).requestId);
  });

  it('is ready again once the database is back', async () => {
    await link.up();
    const ready = await call(`${service.url}/ready`);
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', database: 'connected' });
    expect((await call(`${service.url}/api/projects`)).status).toBe(200);
  });
});
