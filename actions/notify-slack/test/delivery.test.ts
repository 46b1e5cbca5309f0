import { beforeEach, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { captureEachTest, runStep, setInputs, WEBHOOK_HOST, WEBHOOK_PATH, WEBHOOK_URL } from './helpers.js';

const captured = captureEachTest();
beforeEach(() => {
  setInputs({ 'webhook-url': WEBHOOK_URL, status: 'success', service: 'web', environment: 'production' });
});

const warnings = (): string[] => captured.stdout.split('\n').filter((line) => line.startsWith('::warning::'));

describe('retries', () => {
  it('waits for Retry-After after a 429 and then succeeds', async () => {
    nock(WEBHOOK_HOST)
      .post(WEBHOOK_PATH)
      .reply(429, 'rate_limited', { 'Retry-After': '7' })
      .post(WEBHOOK_PATH)
      .reply(200, 'ok');

    const clock = await runStep();

    expect(clock.sleeps).toEqual([7_000]);
    expect(process.exitCode).toBeUndefined();
    expect(captured.outputs()).toEqual({ ok: 'true' });
    expect(captured.stdout).toContain(
      'incoming webhook: attempt 1 of 4 failed (HTTP 429 rate limited); retrying in 7s',
    );
    expect(captured.stdout).toContain('Slack accepted the message after 2 attempts');
  });

  it('backs off exponentially on 5xx and network errors until Slack answers', async () => {
    nock(WEBHOOK_HOST)
      .post(WEBHOOK_PATH)
      .reply(503, '<html>Service Unavailable</html>')
      .post(WEBHOOK_PATH)
      .replyWithError('socket hang up')
      .post(WEBHOOK_PATH)
      .reply(200, 'ok');

    const clock = await runStep();

    expect(clock.sleeps).toEqual([1_000, 2_000]);
    expect(captured.outputs()).toEqual({ ok: 'true' });
    expect(captured.stdout).toContain('attempt 1 of 4 failed (HTTP 503 <html>Service Unavailable</html>)');
    expect(captured.stdout).toMatch(/attempt 2 of 4 failed \(network error: .*socket hang up.*\); retrying in 2s/);
  });

  it('aborts a request that does not answer within the request timeout and tries again', async () => {
    // A real loopback server: the first request is never answered, the second is. The timeout is real time,
    // generous enough for a loaded machine to answer the second request.
    const requests: string[] = [];
    const server = createServer((request, response) => {
      requests.push(`${request.method} ${request.url}`);
      if (requests.length === 1) return;
      request.resume();
      request.on('end', () => response.end('ok'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      setInputs({ 'webhook-url': `http://127.0.0.1:${port}/hooks/rehearsal` });

      const clock = await runStep({ policy: { requestTimeoutMs: 1_000 } });

      expect(requests).toEqual(['POST /hooks/rehearsal', 'POST /hooks/rehearsal']);
      expect(clock.sleeps).toEqual([1_000]);
      expect(captured.stdout).toContain('attempt 1 of 4 failed (no answer within 1s); retrying in 1s');
      expect(captured.outputs()).toEqual({ ok: 'true' });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('gives up at once when Retry-After asks for longer than the action waits', async () => {
    nock(WEBHOOK_HOST).post(WEBHOOK_PATH).reply(429, 'rate_limited', { 'Retry-After': '120' });

    const clock = await runStep();

    expect(clock.sleeps).toEqual([]);
    expect(warnings()).toEqual([
      '::warning::Slack notification not sent (fail-on-error is false, so the step succeeds): incoming webhook failed: ' +
        'HTTP 429 rate limited; Slack asked to wait 120s, longer than the 30s this action waits',
    ]);
  });
});

describe('behind a proxy', () => {
  async function listen(server: Server): Promise<number> {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  it('sends through the proxy in HTTPS_PROXY/HTTP_PROXY, as self-hosted runners behind one need', async () => {
    const seen: string[] = [];
    const receiver = createServer((request, response) => {
      seen.push(`receiver ${request.method} ${request.url}`);
      request.resume();
      request.on('end', () => response.end('ok'));
    });
    // A tunnelling proxy that sends every CONNECT to the receiver: the webhook host itself does not exist.
    const proxy = createServer();
    proxy.on('connect', (request, socket, head) => {
      seen.push(`proxy CONNECT ${request.url}`);
      const upstream = connect((receiver.address() as AddressInfo).port, '127.0.0.1', () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
    });
    await listen(receiver);
    const proxyPort = await listen(proxy);
    const closed = createServer();
    const unusedPort = await listen(closed);
    closed.close();
    try {
      setInputs({ 'webhook-url': `http://127.0.0.1:${unusedPort}/hooks/behind-proxy` });

      await runStep({ env: { HTTP_PROXY: `http://127.0.0.1:${proxyPort}` } });

      expect(seen).toEqual([`proxy CONNECT 127.0.0.1:${unusedPort}`, 'receiver POST /hooks/behind-proxy']);
      expect(captured.stdout).toContain('Using the proxy from HTTP_PROXY (hosts in NO_PROXY are called directly)');
      expect(captured.outputs()).toEqual({ ok: 'true' });
    } finally {
      for (const server of [proxy, receiver]) {
        server.closeAllConnections();
        server.close();
      }
    }
  });
});

describe('when Slack keeps failing', () => {
  function slackKeepsAnswering500(): void {
    nock(WEBHOOK_HOST).post(WEBHOOK_PATH).times(4).reply(500, 'rollup_error');
  }

  it('warns with Slack’s error, sets ok=false and lets the step succeed when fail-on-error is false', async () => {
    slackKeepsAnswering500();

    const clock = await runStep();

    expect(clock.sleeps).toEqual([1_000, 2_000, 4_000]);
    expect(process.exitCode).toBeUndefined();
    expect(warnings()).toEqual([
      '::warning::Slack notification not sent (fail-on-error is false, so the step succeeds): ' +
        'incoming webhook failed after 4 attempts: HTTP 500 rollup_error',
    ]);
    expect(captured.outputs()).toEqual({ ok: 'false' });
    expect(captured.summary()).toContain('<h3>notify-slack: not sent</h3>');
  });

  it('fails the step with Slack’s error when fail-on-error is true', async () => {
    setInputs({ 'fail-on-error': 'true' });
    slackKeepsAnswering500();

    await runStep();

    expect(process.exitCode).toBe(1);
    expect(captured.stdout).toContain(
      '::error::Slack notification not sent: incoming webhook failed after 4 attempts: HTTP 500 rollup_error\n',
    );
    expect(captured.stderr).toBe('');
    expect(warnings()).toEqual([]);
  });

  it('does not retry an error Slack will repeat, and says what to do about it', async () => {
    nock(WEBHOOK_HOST).post(WEBHOOK_PATH).reply(404, 'no_service');

    const clock = await runStep();

    expect(clock.sleeps).toEqual([]);
    expect(warnings()).toEqual([
      '::warning::Slack notification not sent (fail-on-error is false, so the step succeeds): ' +
        'Slack incoming webhook rejected the message: HTTP 404 no_service. The incoming webhook was removed or its app ' +
        'uninstalled: create a new webhook and update the secret passed as webhook-url',
    ]);
  });
});

describe('without a destination', () => {
  it('warns and succeeds when neither webhook-url nor bot-token is set', async () => {
    delete process.env['INPUT_WEBHOOK-URL'];

    await runStep();

    expect(process.exitCode).toBeUndefined();
    expect(warnings()).toEqual([
      '::warning::Slack notification not sent (fail-on-error is false, so the step succeeds): neither webhook-url nor ' +
        'bot-token is set (is the secret defined for this repository or environment?)',
    ]);
    expect(captured.outputs()).toEqual({ ok: 'false' });
  });

  it('fails when neither is set and fail-on-error is true', async () => {
    delete process.env['INPUT_WEBHOOK-URL'];
    setInputs({ 'fail-on-error': 'true' });

    await runStep();

    expect(process.exitCode).toBe(1);
    expect(captured.stdout).toContain('::error::Slack notification not sent: neither webhook-url nor bot-token is set');
  });
});
