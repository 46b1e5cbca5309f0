import { describe, expect, it } from '@jest/globals';
import nock from 'nock';
import {
  captureEachTest,
  COMMIT_URL,
  IMAGE,
  RUN_URL,
  runStep,
  setInputs,
  TASK_DEFINITION_ARN,
  WEBHOOK_HOST,
  WEBHOOK_PATH,
  WEBHOOK_URL,
} from './helpers.js';

const captured = captureEachTest();

/** Answers the webhook like Slack and keeps the JSON body it received. */
function webhookReceives(): { body?: unknown } {
  const received: { body?: unknown } = {};
  nock(WEBHOOK_HOST)
    .post(WEBHOOK_PATH, (body) => ((received.body = body), true))
    .matchHeader('content-type', 'application/json; charset=utf-8')
    .reply(200, 'ok');
  return received;
}

/** The texts of the message's facts section. */
function fieldTexts(received: { body?: unknown }): string[] {
  const blocks = (received.body as { blocks: Array<{ fields?: Array<{ text: string }> }> }).blocks;
  return blocks[1]!.fields!.map((field) => field.text);
}

const CONSOLE_URL = 'https://eu-west-1.console.aws.amazon.com/ecs/v2/task-definitions/web/42?region=eu-west-1';
const LINKS = `<${RUN_URL}|Workflow run #57> · acme/shop`;

describe('the built-in message', () => {
  it('lists the changes the changelog action wrote under the facts, as mrkdwn', async () => {
    const changes =
      '• `fffffff` Fix the health check (ann) #7\n<https://github.com/acme/shop/compare/a...f|Compare a...f>';
    setInputs({ 'webhook-url': WEBHOOK_URL, status: 'success', environment: 'production', service: 'web', changes });
    const received = webhookReceives();

    await runStep();

    const blocks = (received.body as { blocks: Array<{ text?: { text: string } }> }).blocks;
    expect(blocks).toContainEqual({ type: 'section', text: { type: 'mrkdwn', text: `*Changes:*\n${changes}` } });
  });

  it('reports a success with every fact, the commit link and the deployment link', async () => {
    setInputs({
      'webhook-url': WEBHOOK_URL,
      status: 'success',
      environment: 'production',
      service: 'web',
      image: IMAGE,
      version: '1.5.0',
      'task-definition-arn': TASK_DEFINITION_ARN,
      'deployment-url': 'https://shop.example.com',
      'duration-seconds': '185',
    });
    const received = webhookReceives();

    await runStep();

    expect(received.body).toEqual({
      unfurl_links: false,
      unfurl_media: false,
      text: '✅ Deployed web 1.5.0 to production (3m 05s)',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: '✅ Deployed web to production', emoji: true } },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: `*Version*\n<${COMMIT_URL}|1.5.0 (0123456)>` },
            { type: 'mrkdwn', text: '*Image*\n`web@sha256:ab12cd34ef56`' },
            { type: 'mrkdwn', text: `*Task definition*\n<${CONSOLE_URL}|web:42>` },
            { type: 'mrkdwn', text: '*Started by*\noctocat' },
            { type: 'mrkdwn', text: '*Duration*\n3m 05s' },
          ],
        },
        {
          type: 'context',
          elements: [
            {
              type: 'mrkdwn',
              text: `<${RUN_URL}|Workflow run #57> · <https://shop.example.com|Open deployment> · acme/shop`,
            },
          ],
        },
      ],
    });
    expect(process.exitCode).toBeUndefined();
    expect(captured.outputs()).toEqual({ ok: 'true' });
  });

  it('announces a start with who started it', async () => {
    setInputs({
      'webhook-url': WEBHOOK_URL,
      status: 'started',
      environment: 'production',
      service: 'web',
      version: '1.5.0',
    });
    const received = webhookReceives();

    await runStep();

    expect(received.body).toEqual({
      unfurl_links: false,
      unfurl_media: false,
      text: '🚀 Deploying web 1.5.0 to production (started by octocat)',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: '🚀 Deploying web to production', emoji: true } },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: `*Version*\n<${COMMIT_URL}|1.5.0 (0123456)>` },
            { type: 'mrkdwn', text: '*Started by*\noctocat' },
          ],
        },
        { type: 'context', elements: [{ type: 'mrkdwn', text: LINKS }] },
      ],
    });
  });

  it('reports a failure with its reason, escaped for Slack', async () => {
    setInputs({
      'webhook-url': WEBHOOK_URL,
      status: 'failure',
      environment: 'staging',
      service: 'web',
      version: '1.5.0',
      'duration-seconds': '95',
      'failure-reason': 'verify-targets: 2 of 3 targets <unhealthy> & draining',
    });
    const received = webhookReceives();

    await runStep();

    expect(received.body).toEqual({
      unfurl_links: false,
      unfurl_media: false,
      text: '❌ Deploy of web 1.5.0 to staging failed (1m 35s): verify-targets: 2 of 3 targets &lt;unhealthy&gt; &amp; draining',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: '❌ Deploy of web to staging failed', emoji: true } },
        {
          type: 'section',
          text: { type: 'mrkdwn', text: '*Why:* verify-targets: 2 of 3 targets &lt;unhealthy&gt; &amp; draining' },
        },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: `*Version*\n<${COMMIT_URL}|1.5.0 (0123456)>` },
            { type: 'mrkdwn', text: '*Started by*\noctocat' },
            { type: 'mrkdwn', text: '*Duration*\n1m 35s' },
          ],
        },
        { type: 'context', elements: [{ type: 'mrkdwn', text: LINKS }] },
      ],
    });
  });

  it('accepts job.status values in any case and reports a cancellation', async () => {
    setInputs({ 'webhook-url': WEBHOOK_URL, status: 'Cancelled', environment: 'production', service: 'web' });
    const received = webhookReceives();

    await runStep();

    expect(received.body).toEqual({
      unfurl_links: false,
      unfurl_media: false,
      text: '🚫 Deploy of web to production cancelled',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: '🚫 Deploy of web to production cancelled', emoji: true } },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: `*Version*\n<${COMMIT_URL}|0123456>` },
            { type: 'mrkdwn', text: '*Started by*\noctocat' },
          ],
        },
        { type: 'context', elements: [{ type: 'mrkdwn', text: LINKS }] },
      ],
    });
  });

  it('says a rollback happened, why, and to which revision', async () => {
    setInputs({
      'webhook-url': WEBHOOK_URL,
      status: 'rolled-back',
      environment: 'production',
      service: 'web',
      version: '1.5.0',
      'task-definition-arn': TASK_DEFINITION_ARN,
      'rolled-back-to': 'web:41',
      'failure-reason': 'smoke-test failed: /version answered 1.4.1, expected 1.5.0',
    });
    const received = webhookReceives();

    await runStep();

    expect(received.body).toEqual({
      unfurl_links: false,
      unfurl_media: false,
      text: '⏪ Rolled back web 1.5.0 in production to web:41: smoke-test failed: /version answered 1.4.1, expected 1.5.0',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: '⏪ Rolled back web in production', emoji: true } },
        {
          type: 'section',
          text: { type: 'mrkdwn', text: '*Why:* smoke-test failed: /version answered 1.4.1, expected 1.5.0' },
        },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: `*Version*\n<${COMMIT_URL}|1.5.0 (0123456)>` },
            { type: 'mrkdwn', text: `*Rolled back from*\n<${CONSOLE_URL}|web:42>` },
            { type: 'mrkdwn', text: '*Rolled back to*\n`web:41`' },
            { type: 'mrkdwn', text: '*Started by*\noctocat' },
          ],
        },
        { type: 'context', elements: [{ type: 'mrkdwn', text: LINKS }] },
      ],
    });
  });

  it('shows one revision when the workflow passes the rolled-back-to revision as the task definition too', async () => {
    const previous = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:41';
    setInputs({
      'webhook-url': WEBHOOK_URL,
      status: 'rolled-back',
      service: 'web',
      'task-definition-arn': previous,
      'rolled-back-to': previous,
    });
    const received = webhookReceives();

    await runStep();

    expect(fieldTexts(received)).toEqual([
      `*Version*\n<${COMMIT_URL}|0123456>`,
      '*Rolled back to*\n<https://eu-west-1.console.aws.amazon.com/ecs/v2/task-definitions/web/41?region=eu-west-1|web:41>',
      '*Started by*\noctocat',
    ]);
  });

  it('shows no rollback target on a deploy that was not rolled back', async () => {
    setInputs({
      'webhook-url': WEBHOOK_URL,
      status: 'success',
      service: 'web',
      'task-definition-arn': 'web:42',
      'rolled-back-to': 'web:41',
    });
    const received = webhookReceives();

    await runStep();

    expect(fieldTexts(received)).toEqual([
      `*Version*\n<${COMMIT_URL}|0123456>`,
      '*Task definition*\n`web:42`',
      '*Started by*\noctocat',
    ]);
  });

  it('says cancelled, why, and what the service runs after a cancel', async () => {
    setInputs({
      'webhook-url': WEBHOOK_URL,
      status: 'cancelled',
      service: 'web',
      'task-definition-arn': 'web:41',
      'failure-reason':
        'cancelled during deploy-ecs: the rollout of web:42 was stopped and a rollback to web:41 started',
    });
    const received = webhookReceives();

    await runStep();

    expect(JSON.stringify(received.body)).toContain(JSON.stringify('*Service runs*\n`web:41`').slice(1, -1));
    expect(JSON.stringify(received.body)).toContain(
      'cancelled: cancelled during deploy-ecs: the rollout of web:42 was stopped and a rollback to web:41 started',
    );
  });

  it('links a GovCloud revision to the GovCloud console and leaves a family:revision unlinked', async () => {
    setInputs({
      'webhook-url': WEBHOOK_URL,
      status: 'rolled-back',
      service: 'web',
      'task-definition-arn': 'arn:aws-us-gov:ecs:us-gov-west-1:123456789012:task-definition/web:42',
      'rolled-back-to': 'web:41',
    });
    const received = webhookReceives();

    await runStep();

    expect(fieldTexts(received)).toEqual([
      `*Version*\n<${COMMIT_URL}|0123456>`,
      '*Rolled back from*\n<https://us-gov-west-1.console.amazonaws-us-gov.com/ecs/v2/task-definitions/web/42?region=us-gov-west-1|web:42>',
      '*Rolled back to*\n`web:41`',
      '*Started by*\noctocat',
    ]);
  });

  it('writes a job summary with the sentence it sent', async () => {
    setInputs({ 'webhook-url': WEBHOOK_URL, status: 'success', service: 'web', environment: 'dev' });
    webhookReceives();

    await runStep();

    const summary = captured.summary();
    expect(summary).toContain('<h3>notify-slack: sent</h3>');
    expect(summary).toContain('<td><b>Message</b></td><td>✅ Deployed web to dev</td>');
    expect(summary).toContain('<td><b>Sent with</b></td><td>incoming webhook on hooks.slack.com</td>');
  });
});
