import { describe, expect, it } from '@jest/globals';
import { isUserError } from '../src/errors.js';
import { checkHttpUrl, type HttpUrlOptions } from '../src/urls.js';

const EXPECTED = 'expected an https URL such as https://hooks.slack.com/services/…';
const SERVICE: HttpUrlOptions = { expected: EXPECTED, http: 'anywhere' };
const WEBHOOK: HttpUrlOptions = { expected: EXPECTED, http: 'loopback', secret: true };

/** The message of the UserError checkHttpUrl throws, failing when it throws anything else or nothing. */
function refusal(value: string, options: HttpUrlOptions, name = 'url'): string {
  try {
    checkHttpUrl(name, value, options);
  } catch (error) {
    expect(isUserError(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error(`checkHttpUrl accepted ${JSON.stringify(value)}`);
}

describe('checkHttpUrl', () => {
  it('returns the parsed URL of an https or http service URL', () => {
    const url = checkHttpUrl('url', 'https://api.example.com:8443/health?x=1', SERVICE);
    expect(url).toBeInstanceOf(URL);
    expect(url.href).toBe('https://api.example.com:8443/health?x=1');
    expect(checkHttpUrl('url', 'http://api.example.com/health', SERVICE).protocol).toBe('http:');
  });

  it.each(['http://127.0.0.1:8080/hook', 'http://localhost/hook', 'http://[::1]:9/hook', 'https://hooks.slack.com/x'])(
    'accepts %s for a secret URL: https anywhere, http only on loopback',
    (value) => {
      expect(checkHttpUrl('webhook-url', value, WEBHOOK).href).toBe(new URL(value).href);
    },
  );

  it.each([
    ['a space', 'https://api.example.com/a b'],
    ['a tab', 'https://api.example.com/\tadmin'],
    ['a line break', 'https://api.example.com/\nadmin'],
    ['a carriage return', 'https://api.example.com\r/'],
    ['a NUL', 'https://api.example.com/\u0000'],
    ['a unit separator (U+001F)', 'https://api.example.com/\u001f'],
    ['DEL (U+007F)', 'https://api.example.com/\u007f'],
    ['a C1 control (U+0085)', 'https://api.example.com/\u0085'],
    ['the last C1 control (U+009F)', 'https://api.example.com/\u009f'],
  ])('refuses %s before the parser can drop it', (_what, value) => {
    expect(refusal(value, SERVICE)).toBe(
      `Input 'url': ${JSON.stringify(value)} holds whitespace or a control character; ${EXPECTED}`,
    );
  });

  it('keeps printable characters just past the control ranges', () => {
    // U+0020 is whitespace and U+00A0 (no-break space) too, but U+00A1 and U+007E are neither.
    expect(checkHttpUrl('url', 'https://api.example.com/~\u00a1', SERVICE).pathname).toBe('/~%C2%A1');
  });

  it('refuses what is not a URL, naming the input and quoting the value', () => {
    expect(refusal('api.example.com/health', SERVICE, 'health-url')).toBe(
      `Input 'health-url': "api.example.com/health" is not a URL; ${EXPECTED}`,
    );
  });

  it.each([
    ['ftp://files.example.com/x', 'ftp'],
    ['file:///etc/passwd', 'file'],
    ['javascript:alert(1)', 'javascript'],
  ])('refuses %s, naming its scheme', (value, scheme) => {
    expect(refusal(value, SERVICE)).toBe(`Input 'url': "${value}" uses ${scheme}, not http(s); ${EXPECTED}`);
  });

  it.each(['https://user:pass@api.example.com/', 'https://user@api.example.com/', 'https://:pass@api.example.com/'])(
    'refuses credentials before the host in %s, and never quotes them',
    (value) => {
      const message = refusal(value, SERVICE);
      expect(message).toBe(
        "Input 'url': holds a user name or password before the host (user:password@), which would be printed " +
          `and sent along with every request; ${EXPECTED}`,
      );
      expect(message).not.toContain('pass@');
    },
  );

  it.each(['http://hooks.slack.com/services/T/B/secret', 'http://127.0.0.2/hook', 'http://localhost.evil.com/'])(
    'refuses plain http off loopback for a secret URL: %s',
    (value) => {
      const host = new URL(value).hostname;
      expect(refusal(value, WEBHOOK, 'webhook-url')).toBe(
        `Input 'webhook-url': uses plain http to ${host}, which would send the secret unencrypted; http is only ` +
          `allowed to 127.0.0.1 or localhost; ${EXPECTED}`,
      );
    },
  );

  it('allows plain http off loopback for a URL that is not a secret', () => {
    expect(
      checkHttpUrl('url', 'http://hooks.slack.com/x', { expected: EXPECTED, http: 'anywhere', secret: true }).host,
    ).toBe('hooks.slack.com');
  });

  it('never quotes a secret URL in any refusal', () => {
    for (const value of [
      'https://hooks.slack.com/services/T/B/sec ret',
      'hooks.slack.com/services/T/B/secret',
      'ftp://x/secret',
    ]) {
      const message = refusal(value, WEBHOOK, 'webhook-url');
      expect(message).not.toContain('secret');
      expect(message).toMatch(/^Input 'webhook-url': (holds|is not|uses)/);
    }
  });
});
