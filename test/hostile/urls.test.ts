import { describeRefusals } from './fixtures.js';

/*
 * Issue 18, URLs and headers: control characters in header names and values are refused up front, a URL with
 * userinfo is refused with the reason, only http(s) is accepted where a URL is expected, and a build context is a
 * path, a git URL (https or ssh) or `-`.
 */

const SMOKE = { 'base-url': 'http://127.0.0.1:9', checks: 'checks.yml', 'builtin-checks': 'false' };
const header = (name: string, value: string) =>
  `checks:\n  - name: h\n    path: /\n    headers: { ${JSON.stringify(name)}: ${JSON.stringify(value)} }\n`;

describeRefusals('a URL or header that would fail later or leak', [
  {
    name: 'a base URL with a user and password',
    action: 'smoke-test',
    inputs: { 'base-url': 'https://deploy:hunter2@api.example.com' },
    error:
      /^Input 'base-url': holds a user name or password before the host \(user:password@\), which would be printed/,
  },
  {
    name: 'an ftp base URL',
    action: 'smoke-test',
    inputs: { 'base-url': 'ftp://api.example.com/' },
    error: /^Input 'base-url': "ftp:\/\/api\.example\.com\/" uses ftp, not http\(s\); expected an http\(s\) URL/,
  },
  {
    name: 'a header value with CR LF that would add a header',
    action: 'smoke-test',
    inputs: SMOKE,
    files: { 'checks.yml': header('X-Trace', 'a\r\nX-Injected: 1') },
    error:
      /^Input 'checks': checks\.yml: check 1 \("h"\): headers\.X-Trace: holds a line break or control character; expected text on one line$/,
  },
  {
    name: 'a header name with a space',
    action: 'smoke-test',
    inputs: SMOKE,
    files: { 'checks.yml': header('X Trace', 'a') },
    error: /^Input 'checks': checks\.yml: check 1 \("h"\): headers\.X Trace: is not a valid header name$/,
  },
  {
    name: 'a webhook URL with userinfo',
    action: 'notify-slack',
    inputs: { status: 'success', 'webhook-url': 'https://u:p@hooks.slack.com/services/T0/B0/x' },
    masks: ['https://u:p@hooks.slack.com/services/T0/B0/x', '/services/T0/B0/x'],
    error: /^Input 'webhook-url': holds a user name or password before the host/,
  },
  {
    name: 'a webhook URL over plain http to another host',
    action: 'notify-slack',
    inputs: { status: 'success', 'webhook-url': 'http://hooks.slack.com/services/T0/B0/x' },
    masks: ['http://hooks.slack.com/services/T0/B0/x', '/services/T0/B0/x'],
    error: /^Input 'webhook-url': uses plain http to hooks\.slack\.com, which would send the secret unencrypted/,
  },
  {
    name: 'a Slack API URL of another scheme',
    action: 'notify-slack',
    inputs: { status: 'success', 'bot-token': 'xoxb-1', channel: 'C1', 'slack-api-url': 'file:///etc/passwd' },
    masks: ['xoxb-1'],
    error:
      /^Input 'slack-api-url': uses file, not http\(s\); expected an https URL such as https:\/\/slack\.com\/api\/$/,
  },
  {
    name: 'an ftp build context',
    action: 'build-push-digest',
    inputs: { repository: 'web', context: 'ftp://example.com/context.tar' },
    error: /^Input 'context': .*ftp/,
  },
]);
