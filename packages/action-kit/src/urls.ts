import { inputError } from './inputs.js';

export interface HttpUrlOptions {
  /** The form expected, ending every message, e.g. "expected an https URL such as https://hooks.slack.com/…". */
  expected: string;
  /** Where plain http is allowed: anywhere (a service URL) or on loopback only (a URL that carries a secret). */
  http: 'anywhere' | 'loopback';
  /** A URL that is itself a credential is never quoted in a message. */
  secret?: boolean;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const WHITESPACE_OR_CONTROL = /[\s\u0000-\u001f\u007f-\u009f]/;

/**
 * Checks an input that must be an http(s) URL. The WHATWG parser silently drops tabs and line breaks and
 * keeps `user:password@`, so both are refused here, with the reason, before any request.
 */
export function checkHttpUrl(name: string, value: string, options: HttpUrlOptions): URL {
  // JSON quoting shows a control character as an escape (\u001f) instead of printing it invisibly.
  const shown = options.secret ? '' : `${JSON.stringify(value)} `;
  const { expected } = options;
  if (WHITESPACE_OR_CONTROL.test(value)) {
    throw inputError(name, `${shown}holds whitespace or a control character; ${expected}`);
  }
  const url = URL.parse(value);
  if (!url) throw inputError(name, `${shown}is not a URL; ${expected}`);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw inputError(name, `${shown}uses ${url.protocol.replace(/:$/, '')}, not http(s); ${expected}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw inputError(
      name,
      `holds a user name or password before the host (user:password@), which would be printed and sent along ` +
        `with every request; ${expected}`,
    );
  }
  if (url.protocol === 'http:' && options.http === 'loopback' && !LOOPBACK_HOSTS.has(url.hostname)) {
    throw inputError(
      name,
      `uses plain http to ${url.hostname}, which would send the secret unencrypted; http is only allowed to ` +
        `127.0.0.1 or localhost; ${expected}`,
    );
  }
  return url;
}
