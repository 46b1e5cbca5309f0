import { postJson, SlackDeliveryError, type Delivery } from './http.js';

/** A Slack message: fallback `text` plus Block Kit `blocks` (or whatever else a payload file sets). */
export interface SlackMessage {
  text: string;
  blocks?: unknown[];
  [field: string]: unknown;
}

export type Destination =
  | { kind: 'webhook'; url: string }
  | { kind: 'bot'; apiUrl: string; token: string; channel: string; messageTs?: string; threadTs?: string };

export interface SentMessage {
  /** `chat.postMessage`, `chat.update` or `incoming webhook`. */
  method: string;
  attempts: number;
  /** Bot mode only: incoming webhooks answer a bare "ok". */
  ts?: string;
  channel?: string;
}

/** Posts (or updates) the message; throws SlackDeliveryError with Slack's error and what to do about it. */
export async function sendMessage(
  destination: Destination,
  message: SlackMessage,
  delivery: Delivery,
): Promise<SentMessage> {
  return destination.kind === 'webhook'
    ? sendToWebhook(destination.url, message, delivery)
    : callChatApi(destination, message, delivery);
}

async function sendToWebhook(url: string, message: SlackMessage, delivery: Delivery): Promise<SentMessage> {
  const method = 'incoming webhook';
  // Links to the run and the deployment would otherwise unfurl into large previews under the message.
  const answer = await postJson(url, {}, { unfurl_links: false, unfurl_media: false, ...message }, method, delivery);
  if (answer.status >= 200 && answer.status < 300) return { method, attempts: answer.attempts };
  // Webhooks answer errors as a plain-text code: "invalid_payload", "no_service", "channel_is_archived".
  const code = answer.body.trim().split(/\s/)[0] ?? '';
  throw rejected(method, `HTTP ${answer.status}${code ? ` ${code}` : ''}`, code, answer.attempts, delivery);
}

interface ChatApiAnswer {
  ok?: boolean;
  error?: string;
  ts?: string;
  channel?: string;
  response_metadata?: { messages?: string[] };
}

async function callChatApi(
  destination: Extract<Destination, { kind: 'bot' }>,
  message: SlackMessage,
  delivery: Delivery,
): Promise<SentMessage> {
  const { apiUrl, token, channel, messageTs, threadTs } = destination;
  const method = messageTs ? 'chat.update' : 'chat.postMessage';
  const body = messageTs
    ? { ...message, channel, ts: messageTs }
    : {
        unfurl_links: false,
        unfurl_media: false,
        ...message,
        channel,
        ...(threadTs ? { thread_ts: threadTs } : {}),
      };
  const url = new URL(method, apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`).href;
  const answer = await postJson(url, { authorization: `Bearer ${token}` }, body, method, delivery);
  if (answer.status !== 200) {
    const text = answer.body.replace(/\s+/g, ' ').trim().slice(0, 200);
    throw rejected(method, `HTTP ${answer.status}${text ? ` ${text}` : ''}`, '', answer.attempts, delivery);
  }
  let result: ChatApiAnswer;
  try {
    result = JSON.parse(answer.body) as ChatApiAnswer;
  } catch {
    throw rejected(method, 'the answer is not JSON (is slack-api-url right?)', '', answer.attempts, delivery);
  }
  if (result.ok !== true) {
    const code = result.error ?? 'unknown_error';
    // invalid_blocks comes with the exact problem, e.g. "[ERROR] must be more than 0 characters [json-pointer:/blocks/0/text/text]".
    const details = result.response_metadata?.messages?.length
      ? ` ${result.response_metadata.messages.join('; ')}`
      : '';
    throw rejected(method, `${code}${details}`, code, answer.attempts, delivery);
  }
  return { method, attempts: answer.attempts, ts: result.ts, channel: result.channel };
}

function rejected(method: string, problem: string, code: string, attempts: number, delivery: Delivery): Error {
  const hint = HINTS[code];
  const advice = hint ? `. ${hint.charAt(0).toUpperCase()}${hint.slice(1)}` : '';
  const message = `Slack ${method} rejected the message: ${problem}${advice}`;
  return new SlackDeliveryError(delivery.secrets.redact(message), attempts);
}

const BAD_TOKEN = 'the bot token is not valid: check the secret passed as bot-token';
const REVOKED_TOKEN = 'the bot token was revoked or expired: reinstall the Slack app and update the secret';
const BAD_LAYOUT =
  'Slack rejected the message layout: check payload-file in the Block Kit Builder (https://app.slack.com/block-kit-builder)';
const GONE_WEBHOOK =
  'the incoming webhook was removed or its app uninstalled: create a new webhook and update the secret passed as webhook-url';

/** What to do about the errors a deploy notification meets in practice. */
const HINTS: Record<string, string> = {
  invalid_auth: BAD_TOKEN,
  not_authed: BAD_TOKEN,
  token_revoked: REVOKED_TOKEN,
  token_expired: REVOKED_TOKEN,
  account_inactive: REVOKED_TOKEN,
  missing_scope: 'the Slack app lacks the chat:write scope: add it under OAuth & Permissions and reinstall the app',
  channel_not_found:
    'the app cannot see this channel: use the channel ID (channel details, About) and invite the app (/invite @your-app)',
  not_in_channel: 'the app is not in the channel: invite it (/invite @your-app)',
  is_archived: 'the channel is archived: unarchive it or choose another channel',
  channel_is_archived: 'the channel is archived: unarchive it or choose another channel',
  message_not_found:
    'message-ts does not name a message in this channel: pass the ts and channel outputs of the step that posted it',
  cant_update_message:
    'a bot can only update its own messages: pass the ts output of a notify-slack step with the same bot-token',
  edit_window_closed: 'the workspace no longer allows editing this message: leave message-ts empty to post a new one',
  invalid_blocks: BAD_LAYOUT,
  invalid_blocks_format: BAD_LAYOUT,
  invalid_payload: BAD_LAYOUT,
  invalid_attachments: BAD_LAYOUT,
  msg_too_long: 'the message is too long: shorten failure-reason or the payload file',
  msg_blocks_too_long: 'the message is too long: shorten failure-reason or the payload file',
  no_text: 'the message has no text: give the payload file a "text" field',
  no_service: GONE_WEBHOOK,
  no_team: GONE_WEBHOOK,
  team_disabled: GONE_WEBHOOK,
  invalid_token: GONE_WEBHOOK,
  action_prohibited: 'a workspace admin restricted posting to this channel',
  posting_to_general_channel_denied: 'only admins may post to this channel: choose another channel',
};
