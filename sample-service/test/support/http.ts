import { request } from 'node:http';

/** Small fetch wrapper for the end-to-end tests: status, headers and the parsed JSON (or text) body. */
export interface Answer<Body = unknown> {
  status: number;
  headers: Headers;
  body: Body;
  text: string;
}

export async function call<Body = Record<string, unknown>>(url: string, init: RequestInit = {}): Promise<Answer<Body>> {
  const response = await fetch(url, { redirect: 'manual', ...init });
  const text = await response.text();
  let body: unknown = text;
  if (response.headers.get('content-type')?.includes('application/json') && text !== '') body = JSON.parse(text);
  return { status: response.status, headers: response.headers, body: body as Body, text };
}

export function jsonRequest(method: string, body: unknown, token?: string): RequestInit {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return { method, headers, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

/** What an error body must never contain: a stack frame, a source file or an absolute path. */
export const LEAK_PATTERN = /\bat [\w.<>]+ \(|\.(ts|js|mjs|cjs):\d+|\/(work|home|root|usr|app|tmp)\/|node_modules/;

/** node:http instead of fetch, which will not send a Host header of the caller's choosing. */
export function callWithHost(
  url: string,
  host: string,
  init: { method?: string; headers?: Record<string, string> } = {},
) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }>(
    (resolve, reject) => {
      const outgoing = request(
        url,
        { method: init.method ?? 'GET', headers: { ...init.headers, host } },
        (incoming) => {
          let text = '';
          incoming.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
          incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, text }));
        },
      );
      outgoing.on('error', reject);
      outgoing.end();
    },
  );
}
