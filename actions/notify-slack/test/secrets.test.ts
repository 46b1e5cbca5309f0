import { beforeEach, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import {
  BOT_TOKEN,
  captureEachTest,
  runStep,
  setInputs,
  visibleLog,
  WEBHOOK_HOST,
  WEBHOOK_PATH,
  WEBHOOK_URL,
  type Captured,
} from './helpers.js';

const captured = captureEachTest();

/** Every form in which the secrets could leak: whole, the webhook path, the secret segment, the token's tail. */
const SECRET_FORMS = [WEBHOOK_URL, WEBHOOK_PATH, 's3cretW3bhookPath0123', BOT_TOKEN, 's3cretBotToken'];

function expectNoSecretIn(captured: Captured): void {
  const shown = visibleLog(captured) + captured.summary();
  for (const secret of SECRET_FORMS) expect(shown).not.toContain(secret);
}

describe('the webhook URL', () => {
  beforeEach(() => setInputs({ 'webhook-url': WEBHOOK_URL, status: 'failure', service: 'web' }));

  it('is masked before the first request is made', async () => {
    let logBeforeRequest = '';
    nock(WEBHOOK_HOST)
      .post(WEBHOOK_PATH)
      .reply(() => ((logBeforeRequest = captured.stdout), [200, 'ok']));

    await runStep();

    expect(logBeforeRequest).toContain(`::add-mask::${WEBHOOK_URL}\n`);
    expect(logBeforeRequest).toContain(`::add-mask::${WEBHOOK_PATH}\n`);
    expect(logBeforeRequest).toContain('::add-mask::s3cretW3bhookPath0123\n');
    expectNoSecretIn(captured);
  });

  it('is masked even when another input is wrong', async () => {
    setInputs({ status: 'done' });

    await runStep();

    expect(process.exitCode).toBe(1);
    expect(captured.stdout.indexOf(`::add-mask::${WEBHOOK_URL}`)).toBe(0);
    expectNoSecretIn(captured);
  });

  it('never appears when Slack’s error body quotes it', async () => {
    nock(WEBHOOK_HOST).post(WEBHOOK_PATH).reply(400, `invalid_payload posting to ${WEBHOOK_URL}`);

    await runStep();

    expect(captured.stdout).toContain('::warning::Slack notification not sent');
    expect(captured.stdout).toContain('rejected the message: HTTP 400 invalid_payload.');
    expectNoSecretIn(captured);
  });

  it('never appears when a network error quotes it, in the retry lines and the final error', async () => {
    setInputs({ 'fail-on-error': 'true' });
    nock(WEBHOOK_HOST).post(WEBHOOK_PATH).times(4).replyWithError(`connect ECONNREFUSED ${WEBHOOK_URL}`);

    await runStep();

    expect(process.exitCode).toBe(1);
    expect(captured.stdout).toContain(
      '::error::Slack notification not sent: incoming webhook failed after 4 attempts: network error: fetch failed: ' +
        'connect ECONNREFUSED ***\n',
    );
    expect(captured.stdout.match(/retrying in/g)).toHaveLength(3);
    expectNoSecretIn(captured);
  });

  it('never appears when a 5xx page quotes it', async () => {
    nock(WEBHOOK_HOST).post(WEBHOOK_PATH).times(4).reply(502, `<h1>Bad gateway</h1> upstream for ${WEBHOOK_PATH}`);

    await runStep();

    expect(captured.stdout).toContain('HTTP 502 <h1>Bad gateway</h1> upstream for ***');
    expectNoSecretIn(captured);
  });
});

describe('the bot token', () => {
  beforeEach(() =>
    setInputs({
      'bot-token': BOT_TOKEN,
      channel: '#deploys',
      status: 'success',
      service: 'web',
      'fail-on-error': 'true',
    }),
  );

  it('is masked before the first request and sent only in the Authorization header', async () => {
    let logBeforeRequest = '';
    let body = '';
    nock('https://slack.com')
      .post('/api/chat.postMessage', (received) => ((body = JSON.stringify(received)), true))
      .matchHeader('authorization', `Bearer ${BOT_TOKEN}`)
      .reply(() => ((logBeforeRequest = captured.stdout), [200, { ok: true, channel: 'C0DEPLOYS', ts: '1.2' }]));

    await runStep();

    expect(logBeforeRequest).toContain(`::add-mask::${BOT_TOKEN}\n`);
    expect(body).not.toContain(BOT_TOKEN);
    expectNoSecretIn(captured);
  });

  it('never appears when Slack’s error details quote it', async () => {
    nock('https://slack.com')
      .post('/api/chat.postMessage')
      .reply(200, {
        ok: false,
        error: 'invalid_auth',
        response_metadata: { messages: [`token ${BOT_TOKEN} is invalid`] },
      });

    await runStep();

    expect(process.exitCode).toBe(1);
    expect(captured.stdout).toContain(
      '::error::Slack notification not sent: Slack chat.postMessage rejected the message: invalid_auth token *** is ' +
        'invalid. The bot token is not valid: check the secret passed as bot-token',
    );
    expectNoSecretIn(captured);
  });

  it('never appears when a network error quotes it', async () => {
    nock('https://slack.com').post('/api/chat.postMessage').times(4).replyWithError(`bad header Bearer ${BOT_TOKEN}`);

    await runStep();

    expect(process.exitCode).toBe(1);
    expect(captured.stdout).toContain('network error: fetch failed: bad header Bearer ***');
    expectNoSecretIn(captured);
  });
});

describe('a secret in the wrong input', () => {
  it('is not quoted when the webhook URL uses plain http to another host', async () => {
    setInputs({ 'webhook-url': `http://hooks.slack.com${WEBHOOK_PATH}`, status: 'success' });

    await runStep();

    expect(process.exitCode).toBe(1);
    expect(captured.stdout).toContain(
      "::error::Input 'webhook-url': uses plain http to hooks.slack.com, which would send the secret unencrypted; " +
        'http is only allowed to 127.0.0.1 or localhost; expected an https URL such as https://hooks.slack.com/services/T…/B…/…',
    );
    expectNoSecretIn(captured);
  });

  it('is not quoted when the bot token is pasted as the webhook URL', async () => {
    setInputs({ 'webhook-url': BOT_TOKEN, status: 'success' });

    await runStep();

    expect(captured.stdout).toContain(
      "::error::Input 'webhook-url': is not a URL (a bot token goes in bot-token); expected an https URL",
    );
    expectNoSecretIn(captured);
  });

  it('is not quoted when the webhook URL is pasted as the bot token', async () => {
    setInputs({ 'bot-token': WEBHOOK_URL, channel: 'C1', status: 'success' });

    await runStep();

    expect(captured.stdout).toContain(
      "::error::Input 'bot-token': is a URL; an incoming webhook URL goes in webhook-url",
    );
    expectNoSecretIn(captured);
  });
});
