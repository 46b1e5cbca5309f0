import { describe, expect, it } from '@jest/globals';
import { inputVariable, parseOutputFile } from '../src/run-bundle.js';
import { startSlackReceiver } from '../src/slack-receiver.js';

describe('parseOutputFile', () => {
  it('reads name=value lines and delimited blocks', () => {
    const text = 'status=succeeded\nvars<<ghadelimiter_1\nA=1\nB=x=y\nghadelimiter_1\nempty<<EOF\n\nEOF\n';
    expect(parseOutputFile(text)).toEqual({ status: 'succeeded', vars: 'A=1\nB=x=y', empty: '' });
  });
});

describe('inputVariable', () => {
  it('names inputs as a runner does', () => {
    expect(inputVariable('timeout-minutes')).toBe('INPUT_TIMEOUT-MINUTES');
    expect(inputVariable('my input')).toBe('INPUT_MY_INPUT');
  });
});

describe('the local Slack receiver', () => {
  it('answers chat.postMessage with a ts and records chat.update against it', async () => {
    const slack = await startSlackReceiver();
    try {
      const post = await fetch(`${slack.url}chat.postMessage`, {
        method: 'POST',
        headers: { authorization: 'Bearer xoxb-demo', 'content-type': 'application/json' },
        body: JSON.stringify({ channel: 'C1', text: 'deploying' }),
      }).then((response) => response.json() as Promise<{ ok: boolean; ts: string }>);
      expect(post.ok).toBe(true);
      await fetch(`${slack.url}chat.update`, {
        method: 'POST',
        headers: { authorization: 'Bearer xoxb-demo', 'content-type': 'application/json' },
        body: JSON.stringify({ channel: 'C1', ts: post.ts, text: 'succeeded' }),
      });
      expect(slack.messages.map((message) => [message.method, message.ts, message.body.text])).toEqual([
        ['chat.postMessage', post.ts, 'deploying'],
        ['chat.update', post.ts, 'succeeded'],
      ]);
    } finally {
      await slack.close();
    }
  });

  it('refuses a Web API call without a token, as Slack does', async () => {
    const slack = await startSlackReceiver();
    try {
      const reply = await fetch(`${slack.url}chat.postMessage`, { method: 'POST', body: '{}' }).then((r) => r.json());
      expect(reply).toEqual({ ok: false, error: 'not_authed' });
    } finally {
      await slack.close();
    }
  });
});
