import { afterEach, describe, expect, it } from '@jest/globals';
import { DescribeServicesCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { startLoopbackAws, startSilentServer, type LoopbackAws } from '../src/index.js';
import { clientsFor } from './clients.js';

let aws: LoopbackAws | undefined;
afterEach(async () => {
  await aws?.close();
  aws = undefined;
});

describe('endpoints that stop answering', () => {
  it('holds the chosen operations open once the `after` operation went by, and answers the others', async () => {
    aws = await startLoopbackAws({ stepMs: 10 });
    aws.stopAnswering({ operations: ['DescribeServices'], after: 'ListTasks' });
    const { ecs } = clientsFor(aws);
    const describe = (timeoutMs = 5000) =>
      ecs.send(new DescribeServicesCommand({ cluster: 'demo-dev', services: ['sample-service'] }), {
        abortSignal: AbortSignal.timeout(timeoutMs),
      });
    await expect(describe()).resolves.toMatchObject({ services: [{ serviceName: 'sample-service' }] });
    await ecs.send(new ListTasksCommand({ cluster: 'demo-dev' }));
    await expect(describe(300)).rejects.toThrow();
    expect(aws.requests.at(-1)).toMatchObject({ operation: 'DescribeServices', status: 0 });
    aws.answerAgain();
    await expect(describe()).resolves.toMatchObject({ services: [{ serviceName: 'sample-service' }] });
  });

  it('a silent server accepts connections and never answers', async () => {
    const silent = await startSilentServer();
    try {
      const error = await fetch(silent.url, { signal: AbortSignal.timeout(200) }).catch((caught: unknown) => caught);
      expect((error as Error).name).toBe('TimeoutError');
      expect(silent.connections).toBe(1);
    } finally {
      await silent.close();
    }
  });
});
