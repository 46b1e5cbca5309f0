import { beforeEach, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeClock, RunContext } from '@ecs-actions/action-kit';
import { BOT_TOKEN, captureEachTest, runStep, setInputs, WEBHOOK_HOST, WEBHOOK_PATH, WEBHOOK_URL } from './helpers.js';

// A cancel (context.cancel, as runAction does on SIGINT) ends notify-slack's requests and waits; the final message
// of a cancelled job is sent by a step of its own that no signal reached, and goes out.
const captured = captureEachTest();
let context: RunContext;
beforeEach(() => {
  setInputs({ 'webhook-url': WEBHOOK_URL, status: 'started', service: 'web', environment: 'production' });
  context = new RunContext();
});

const errors = (): string[] => captured.stdout.split('\n').filter((line) => line.startsWith('::error::'));

describe('notify-slack cancelled', () => {
  it('ends a request that is in flight at the cancel, long before its timeout, and says so', async () => {
    // A real loopback server that takes the request and never answers; the cancel comes once it arrived.
    const server = createServer(() => context.cancel('SIGINT'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      setInputs({ 'webhook-url': `http://127.0.0.1:${port}/hooks/rehearsal` });
      const started = Date.now();

      await runStep({ context, policy: { requestTimeoutMs: 60_000 } });

      expect(Date.now() - started).toBeLessThan(10_000);
      expect(process.exitCode).toBe(1);
      expect(errors()).toEqual([
        '::error::Cancelled (SIGINT) during incoming webhook (attempt 1 of 4): the message may not have been sent',
      ]);
      expect(captured.outputs()).toEqual({ ok: 'false' });
      expect(captured.summary()).toContain('notify-slack: cancelled');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('does not retry when the cancel comes during the wait before a retry', async () => {
    nock(WEBHOOK_HOST).post(WEBHOOK_PATH).reply(503, 'Service Unavailable');
    // The runner's signal arrives as the back-off starts.
    const clock = new (class extends FakeClock {
      override sleep(ms: number, signal?: AbortSignal): Promise<void> {
        context.cancel('SIGTERM');
        return super.sleep(ms, signal);
      }
    })();

    await runStep({ context, clock });

    // One request only: a second would find no interceptor; pendingMocks is empty after the test.
    expect(errors()).toEqual([
      '::error::Cancelled (SIGTERM) during the wait before retrying incoming webhook (after 1 failed attempts: HTTP 503 Service Unavailable): the message may not have been sent',
    ]);
    expect(captured.outputs()).toEqual({ ok: 'false' });
  });

  it('sends the final message of a cancelled job, which runs in a step no signal reached', async () => {
    setInputs({
      'bot-token': BOT_TOKEN,
      channel: 'C0DEPLOYS',
      'message-ts': '1712345678.000100',
      status: 'cancelled',
      'failure-reason': 'cancelled during deploy-ecs: a rollback to web:41 started',
    });
    const received: { body?: Record<string, unknown> } = {};
    nock('https://slack.com')
      .post('/api/chat.update', (body) => ((received.body = body), true))
      .reply(200, { ok: true, channel: 'C0DEPLOYS', ts: '1712345678.000100' });

    await runStep({ context });

    expect(process.exitCode).toBeUndefined();
    expect(String(received.body?.text)).toMatch(/cancelled/i);
    expect(captured.outputs()).toEqual({ ok: 'true', ts: '1712345678.000100', channel: 'C0DEPLOYS' });
  });
});
