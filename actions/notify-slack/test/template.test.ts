import { beforeEach, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BOT_TOKEN,
  captureEachTest,
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
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'notify-slack-payload-'));
});

function payloadFile(content: string): string {
  const path = join(dir, 'payload.json');
  writeFileSync(path, content);
  return path;
}

function webhookReceives(): { body?: unknown } {
  const received: { body?: unknown } = {};
  nock(WEBHOOK_HOST)
    .post(WEBHOOK_PATH, (body) => ((received.body = body), true))
    .reply(200, 'ok');
  return received;
}

const REASON = 'smoke-test: GET /version said "1.4.1" \\ expected "1.5.0"\nsecond line';

describe('payload-file', () => {
  it('fills every placeholder, JSON-escaping quotes, backslashes and newlines inside strings', async () => {
    const path = payloadFile(`{
      "text": "{{status-emoji}} {{service}} {{version}} -> {{environment}}",
      "blocks": [
        { "type": "section", "text": { "type": "mrkdwn", "text": "*{{title}}*\\n<{{run-url}}|run> {{ task-definition }} {{image-digest}} {{duration}}" } },
        { "type": "section", "text": { "type": "plain_text", "text": "{{failure-reason}}" } },
        { "type": "context", "elements": [{ "type": "mrkdwn", "text": "{{actor}} {{repository}} [{{deployment-url}}] {{status}}" }] }
      ]
    }`);
    setInputs({
      'webhook-url': WEBHOOK_URL,
      'payload-file': path,
      status: 'FAILURE',
      service: 'web',
      version: '1.5.0',
      environment: 'prod',
      image: IMAGE,
      'task-definition-arn': TASK_DEFINITION_ARN,
      'duration-seconds': '61',
      'failure-reason': REASON,
    });
    const received = webhookReceives();

    await runStep();

    expect(received.body).toEqual({
      unfurl_links: false,
      unfurl_media: false,
      text: '❌ web 1.5.0 -> prod',
      blocks: [
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: `*Deploy of web to prod failed*\n<${RUN_URL}|run> web:42 sha256:ab12cd34ef56 1m 01s`,
          },
        },
        { type: 'section', text: { type: 'plain_text', text: REASON } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: 'octocat acme/shop [] failure' }] },
      ],
    });
    expect(captured.stdout).toContain(`(blocks from ${path})`);
  });

  it('takes a bare array as the blocks and adds the built-in fallback text', async () => {
    const path = payloadFile('[{ "type": "section", "text": { "type": "mrkdwn", "text": "{{service}} is live" } }]');
    setInputs({ 'webhook-url': WEBHOOK_URL, 'payload-file': path, status: 'success', service: 'web' });
    const received = webhookReceives();

    await runStep();

    expect(received.body).toEqual({
      unfurl_links: false,
      unfurl_media: false,
      text: '✅ Deployed web',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'web is live' } }],
    });
  });

  it('keeps the payload’s fields in bot mode and sets the channel and thread', async () => {
    const path = payloadFile('{ "blocks": [{ "type": "divider" }], "unfurl_links": true, "channel": "C0OTHER" }');
    setInputs({
      'bot-token': BOT_TOKEN,
      channel: 'C0DEPLOYS',
      'thread-ts': '1712345678.000100',
      'payload-file': path,
      status: 'started',
    });
    const received: { body?: unknown } = {};
    nock('https://slack.com')
      .post('/api/chat.postMessage', (body) => ((received.body = body), true))
      .reply(200, { ok: true, channel: 'C0DEPLOYS', ts: '1712345999.000200' });

    await runStep();

    expect(received.body).toEqual({
      unfurl_links: true,
      unfurl_media: false,
      blocks: [{ type: 'divider' }],
      text: '🚀 Deploying (started by octocat)',
      channel: 'C0DEPLOYS',
      thread_ts: '1712345678.000100',
    });
  });

  it('rejects an unknown placeholder, naming it and where it is, before any request', async () => {
    const path = payloadFile(
      '{ "blocks": [{ "type": "section", "text": { "type": "mrkdwn", "text": "{{verison}}" } }] }',
    );
    setInputs({ 'webhook-url': WEBHOOK_URL, 'payload-file': path, status: 'success' });

    await runStep();

    expect(process.exitCode).toBe(1);
    expect(captured.stdout).toContain(
      `::error::Input 'payload-file': ${path} uses the unknown placeholder {{verison}} at /blocks/0/text/text; ` +
        'expected one of status, environment, service, image, version, task-definition-arn, deployment-url, ',
    );
  });

  it('fails on a payload file that is not JSON, also with fail-on-error false', async () => {
    const path = payloadFile('{ "text": {{version}} }');
    setInputs({ 'webhook-url': WEBHOOK_URL, 'payload-file': path, status: 'success', 'fail-on-error': 'false' });

    await runStep();

    expect(process.exitCode).toBe(1);
    expect(captured.stdout).toMatch(
      new RegExp(
        `::error::Input 'payload-file': ${path}: not valid JSON \\(.+\\); expected the path of a Block Kit JSON file, relative to the workspace \\(put \\{\\{name\\}\\} placeholders inside strings, e\\.g\\. "\\{\\{version\\}\\}"\\)`,
      ),
    );
  });

  it('fails on a payload file that does not exist', async () => {
    setInputs({ 'webhook-url': WEBHOOK_URL, 'payload-file': join(dir, 'missing.json'), status: 'success' });

    await runStep();

    expect(captured.stdout).toContain(
      `::error::Input 'payload-file': cannot read ${join(dir, 'missing.json')} (no such file); expected the path of a Block Kit JSON file`,
    );
  });
});
