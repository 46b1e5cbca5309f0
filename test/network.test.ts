import { describe, expect, it } from '@jest/globals';
import https from 'node:https';
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
