import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackMessage {
  /** `webhook`, `chat.postMessage` or `chat.update` */
  method: string;
  body: Record<string, unknown>;
  ts: string;
}

export interface SlackReceiver {
  url: string;
  webhookUrl: string;
  messages: SlackMessage[];
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of request) text += chunk;
  if ((request.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/**
 * A stand-in for Slack on 127.0.0.1: an incoming webhook at /webhook and the Web API methods the
 * notify-slack action uses (chat.postMessage, chat.update), answering as Slack does.
 */
export async function startSlackReceiver(): Promise<SlackReceiver> {
  const messages: SlackMessage[] = [];
  let counter = 0;
  const server = createServer(async (request, response) => {
    const body = await readBody(request).catch(() => undefined);
    const reply = (status: number, payload: unknown, type = 'application/json') => {
      response.writeHead(status, { 'content-type': type });
      response.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
    };
    if (body === undefined) return reply(400, 'invalid_payload', 'text/plain');
    const path = (request.url ?? '/').split('?')[0]!;
    if (path.startsWith('/webhook')) {
      messages.push({ method: 'webhook', body, ts: '' });
      return reply(200, 'ok', 'text/plain');
    }
    const method = path.replace(/^\/api\//, '');
    if (method !== 'chat.postMessage' && method !== 'chat.update')
      return reply(200, { ok: false, error: 'unknown_method' });
    if (!String(request.headers.authorization ?? '').startsWith('Bearer '))
      return reply(200, { ok: false, error: 'not_authed' });
    const ts = method === 'chat.update' ? String(body.ts) : `${1_700_000_000 + ++counter}.000100`;
    messages.push({ method, body, ts });
    return reply(200, { ok: true, channel: body.channel ?? 'C0DEMO', ts, message: { text: body.text } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/`,
    webhookUrl: `http://127.0.0.1:${port}/webhook`,
    messages,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
