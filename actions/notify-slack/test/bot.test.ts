import { beforeEach, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { BOT_TOKEN, captureEachTest, COMMIT_URL, RUN_URL, runStep, setInputs } from './helpers.js';

const captured = captureEachTest();
beforeEach(() => {
  setInputs({ 'bot-token': BOT_TOKEN, channel: 'C0DEPLOYS', status: 'started', service: 'web', environment: 'dev' });
});

const header = (text: string) => ({ type: 'header', text: { type: 'plain_text', text, emoji: true } });
const VERSION = { type: 'mrkdwn', text: `*Version*\n<${COMMIT_URL}|0123456>` };
const STARTED_BY = { type: 'mrkdwn', text: '*Started by*\noctocat' };
const LINKS = { type: 'context', elements: [{ type: 'mrkdwn', text: `<${RUN_URL}|Workflow run #57> · acme/shop` }] };

/** Answers a Web API method like Slack, checking the bearer token, and keeps the JSON body. */
function slackApi(method: string, answer: object, host = 'https://slack.com'): { body?: Record<string, unknown> } {
  const received: { body?: Record<string, unknown> } = {};
  nock(host)
    .post(`/api/${method}`, (body) => ((received.body = body), true))
    .matchHeader('authorization', `Bearer ${BOT_TOKEN}`)
    .matchHeader('content-type', 'application/json; charset=utf-8')
    .reply(200, answer);
  return received;
}

const warnings = (): string[] => captured.stdout.split('\n').filter((line) => line.startsWith('::warning::'));

describe('bot token mode', () => {
  it('posts with chat.postMessage and outputs the ts and channel id', async () => {
    const received = slackApi('chat.postMessage', { ok: true, channel: 'C0DEPLOYS', ts: '1712345678.000100' });

    await runStep();

    expect(received.body).toEqual({
      channel: 'C0DEPLOYS',
      unfurl_links: false,
      unfurl_media: false,
      text: '🚀 Deploying web to dev (started by octocat)',
      blocks: [header('🚀 Deploying web to dev'), { type: 'section', fields: [VERSION, STARTED_BY] }, LINKS],
    });
    expect(captured.outputs()).toEqual({ ok: 'true', ts: '1712345678.000100', channel: 'C0DEPLOYS' });
    expect(captured.summary()).toContain('<td><b>Message ts</b></td><td><code>1712345678.000100</code></td>');
  });

  it('updates the message named by message-ts with chat.update', async () => {
    setInputs({ status: 'success', 'message-ts': '1712345678.000100', 'duration-seconds': '200' });
    const received = slackApi('chat.update', { ok: true, channel: 'C0DEPLOYS', ts: '1712345678.000100' });

    await runStep();

    expect(received.body).toEqual({
      channel: 'C0DEPLOYS',
      ts: '1712345678.000100',
      text: '✅ Deployed web to dev (3m 20s)',
      blocks: [
        header('✅ Deployed web to dev'),
        { type: 'section', fields: [VERSION, STARTED_BY, { type: 'mrkdwn', text: '*Duration*\n3m 20s' }] },
        LINKS,
      ],
    });
    expect(captured.outputs()).toEqual({ ok: 'true', ts: '1712345678.000100', channel: 'C0DEPLOYS' });
    expect(captured.stdout).toContain('::group::Send: chat.update to C0DEPLOYS');
  });

  it('replies in the thread named by thread-ts', async () => {
    setInputs({ status: 'failure', 'thread-ts': '1712345678.000100', 'failure-reason': 'smoke-test failed' });
    const received = slackApi('chat.postMessage', { ok: true, channel: 'C0DEPLOYS', ts: '1712345999.000200' });

    await runStep();

    expect(received.body).toEqual({
      channel: 'C0DEPLOYS',
      thread_ts: '1712345678.000100',
      unfurl_links: false,
      unfurl_media: false,
      text: '❌ Deploy of web to dev failed: smoke-test failed',
      blocks: [
        header('❌ Deploy of web to dev failed'),
        { type: 'section', text: { type: 'mrkdwn', text: '*Why:* smoke-test failed' } },
        { type: 'section', fields: [VERSION, STARTED_BY] },
        LINKS,
      ],
    });
    expect(captured.outputs()).toEqual({ ok: 'true', ts: '1712345999.000200', channel: 'C0DEPLOYS' });
  });

  it('uses slack-api-url for another Slack API host', async () => {
    setInputs({ 'slack-api-url': 'https://slack-gov.com/api' });
    const received = slackApi(
      'chat.postMessage',
      { ok: true, channel: 'C0DEPLOYS', ts: '1.2' },
      'https://slack-gov.com',
    );

    await runStep();

    expect(received.body).toHaveProperty('channel', 'C0DEPLOYS');
  });

  it('prefers the bot token when a webhook URL is given too', async () => {
    setInputs({ 'webhook-url': 'https://hooks.slack.com/services/T1/B2/unusedWebhookPath' });
    slackApi('chat.postMessage', { ok: true, channel: 'C0DEPLOYS', ts: '1.2' });

    await runStep();

    expect(captured.stdout).toContain('Both webhook-url and bot-token are set; using bot-token.');
  });
});

describe('Slack API errors', () => {
  it('turns channel_not_found into a warning that says to invite the app', async () => {
    slackApi('chat.postMessage', { ok: false, error: 'channel_not_found' });

    const clock = await runStep();

    expect(clock.sleeps).toEqual([]);
    expect(process.exitCode).toBeUndefined();
    expect(warnings()).toEqual([
      '::warning::Slack notification not sent (fail-on-error is false, so the step succeeds): Slack chat.postMessage ' +
        'rejected the message: channel_not_found. The app cannot see this channel: use the channel ID (channel details, ' +
        'About) and invite the app (/invite @your-app)',
    ]);
    expect(captured.outputs()).toEqual({ ok: 'false' });
  });

  it('fails with Slack’s exact block error when fail-on-error is true', async () => {
    setInputs({ 'fail-on-error': 'yes' });
    slackApi('chat.postMessage', {
      ok: false,
      error: 'invalid_blocks',
      response_metadata: { messages: ['[ERROR] must be more than 0 characters [json-pointer:/blocks/1/text/text]'] },
    });

    await runStep();

    expect(process.exitCode).toBe(1);
    expect(captured.stdout).toContain(
      '::error::Slack notification not sent: Slack chat.postMessage rejected the message: invalid_blocks ' +
        '[ERROR] must be more than 0 characters [json-pointer:/blocks/1/text/text]. Slack rejected the message layout: ' +
        'check payload-file in the Block Kit Builder (https://app.slack.com/block-kit-builder)\n',
    );
  });

  it('retries a 429 from the Web API after Retry-After', async () => {
    nock('https://slack.com').post('/api/chat.update').reply(429, '', { 'Retry-After': '3' });
    setInputs({ 'message-ts': '1712345678.000100' });
    slackApi('chat.update', { ok: true, channel: 'C0DEPLOYS', ts: '1712345678.000100' });

    const clock = await runStep();

    expect(clock.sleeps).toEqual([3_000]);
    expect(captured.outputs()).toEqual({ ok: 'true', ts: '1712345678.000100', channel: 'C0DEPLOYS' });
  });
});
