import { describe, expect, it } from '@jest/globals';
import { readInputs } from '../src/inputs.js';
import { Secrets } from '../src/secrets.js';
import { BOT_TOKEN, captureEachTest, runStep, setInputs, TASK_DEFINITION_ARN, WEBHOOK_URL } from './helpers.js';

const captured = captureEachTest();

/** Runs the step and returns its one ::error:: line; no request may have been made (nock would refuse it). */
async function errorLine(): Promise<string | undefined> {
  await runStep();
  expect(process.exitCode).toBe(1);
  expect(captured.stdout).not.toContain('::group::Send');
  return captured.stdout.split('\n').find((line) => line.startsWith('::error::'));
}

describe('readInputs', () => {
  it('reads a full set of inputs into typed values', () => {
    setInputs({
      status: 'Succeeded',
      'bot-token': BOT_TOKEN,
      channel: 'C0DEPLOYS',
      'message-ts': '1712345678.000100',
      'task-definition-arn': TASK_DEFINITION_ARN,
      'rolled-back-to': 'web:41',
      'duration-seconds': '3m5s',
      'deployment-url': 'https://shop.example.com/health',
      'fail-on-error': 'true',
    });

    const inputs = readInputs(new Secrets());

    expect(inputs).toMatchObject({
      status: 'success',
      'bot-token': BOT_TOKEN,
      channel: 'C0DEPLOYS',
      'message-ts': '1712345678.000100',
      'slack-api-url': 'https://slack.com/api/',
      'task-definition-arn': {
        reference: TASK_DEFINITION_ARN,
        family: 'web',
        revision: 42,
        region: 'eu-west-1',
        partition: 'aws',
      },
      'rolled-back-to': { reference: 'web:41', family: 'web', revision: 41 },
      'duration-seconds': 185_000,
      'deployment-url': 'https://shop.example.com/health',
      'fail-on-error': true,
    });
  });

  it.each([
    ['success', 'success'],
    ['FAILURE', 'failure'],
    ['cancelled', 'cancelled'],
    ['canceled', 'cancelled'],
    ['failed', 'failure'],
    ['rolled-back', 'rolled-back'],
    ['Started', 'started'],
  ])('accepts the status %s as %s', (given, expected) => {
    setInputs({ status: given });
    expect(readInputs(new Secrets()).status).toBe(expected);
  });

  it('accepts any https webhook URL and plain http only on loopback', () => {
    for (const url of [
      'https://chat.example.com/hooks/abc123',
      'http://127.0.0.1:8125/slack',
      'http://localhost/hook',
    ]) {
      setInputs({ status: 'success', 'webhook-url': url });
      expect(readInputs(new Secrets())['webhook-url']).toBe(url);
    }
  });
});

describe('a wrong input fails before any request, naming the input and the expected form', () => {
  it('requires status', async () => {
    setInputs({ 'webhook-url': WEBHOOK_URL });
    expect(await errorLine()).toBe("::error::Input 'status': is required but was not set");
  });

  it('rejects an unknown status', async () => {
    setInputs({ 'webhook-url': WEBHOOK_URL, status: 'done' });
    expect(await errorLine()).toBe(
      '::error::Input \'status\': "done" is not a status; expected started, success, failure, cancelled or rolled-back ' +
        '(the values of ${{ job.status }} work as they are)',
    );
  });

  it('needs a channel with bot-token', async () => {
    setInputs({ 'bot-token': BOT_TOKEN, status: 'success' });
    expect(await errorLine()).toBe(
      "::error::Input 'channel': is required with bot-token; expected a channel ID such as C0123456789 or a name",
    );
  });

  it('refuses message-ts with an incoming webhook', async () => {
    setInputs({ 'webhook-url': WEBHOOK_URL, status: 'success', 'message-ts': '1712345678.000100' });
    expect(await errorLine()).toBe(
      "::error::Input 'message-ts': needs bot-token and channel: an incoming webhook cannot update a message",
    );
  });

  it('refuses thread-ts with an incoming webhook', async () => {
    setInputs({ 'webhook-url': WEBHOOK_URL, status: 'success', 'thread-ts': '1712345678.000100' });
    expect(await errorLine()).toBe(
      "::error::Input 'thread-ts': needs bot-token and channel: an incoming webhook cannot reply in a thread",
    );
  });

  it('refuses message-ts and thread-ts together', async () => {
    setInputs({
      'bot-token': BOT_TOKEN,
      channel: 'C1',
      status: 'success',
      'message-ts': '1712345678.000100',
      'thread-ts': '1712345678.000200',
    });
    expect(await errorLine()).toBe(
      "::error::Input 'thread-ts': cannot be combined with message-ts; to update a reply, pass the reply’s ts as message-ts alone",
    );
  });

  it('rejects a message-ts that is not a Slack timestamp', async () => {
    setInputs({ 'bot-token': BOT_TOKEN, channel: 'C1', status: 'success', 'message-ts': '2024-04-05' });
    expect(await errorLine()).toBe(
      '::error::Input \'message-ts\': "2024-04-05" is not a Slack message timestamp; expected a value such as ' +
        '1712345678.123456 (the ts output of an earlier notify-slack step)',
    );
  });

  it('rejects a webhook URL that is not http(s)', async () => {
    setInputs({ 'webhook-url': 'ftp://hooks.slack.com/services/x', status: 'success' });
    expect(await errorLine()).toBe(
      "::error::Input 'webhook-url': uses ftp, not http(s); expected an https URL such as https://hooks.slack.com/services/T…/B…/…",
    );
  });

  it('rejects a bot token that is not a Slack token, without quoting it', async () => {
    setInputs({ 'bot-token': 'ghp_notASlackToken', channel: 'C1', status: 'success' });
    expect(await errorLine()).toBe(
      "::error::Input 'bot-token': is not a Slack token; expected a bot token starting with xoxb-",
    );
  });

  it('rejects a task definition that is neither an ARN nor family:revision', async () => {
    setInputs({ 'webhook-url': WEBHOOK_URL, status: 'success', 'task-definition-arn': 'web' });
    expect(await errorLine()).toBe(
      '::error::Input \'task-definition-arn\': "web" is not a task definition revision; expected ' +
        'arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision> or <family>:<revision>',
    );
  });

  it('rejects a deployment URL that is not a URL', async () => {
    setInputs({ 'webhook-url': WEBHOOK_URL, status: 'success', 'deployment-url': 'shop.example.com' });
    expect(await errorLine()).toBe(
      '::error::Input \'deployment-url\': "shop.example.com" is not a URL; expected http:// or https://, e.g. https://shop.example.com',
    );
  });

  it('rejects a duration that is not a number of seconds', async () => {
    setInputs({ 'webhook-url': WEBHOOK_URL, status: 'success', 'duration-seconds': 'soon' });
    expect(await errorLine()).toBe(
      '::error::Input \'duration-seconds\': "soon" is not a duration; expected a duration such as 90s, 5m, 1h30m or a number of seconds',
    );
  });

  it('rejects an image that is not an image reference', async () => {
    setInputs({ 'webhook-url': WEBHOOK_URL, status: 'success', image: 'Not An Image' });
    expect(await errorLine()).toBe(
      '::error::Input \'image\': "Not An Image" is not an image reference; expected <repository>@sha256:<64 hex> or <repository>:<tag>',
    );
  });
});
