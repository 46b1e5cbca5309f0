import {
  checkHttpUrl,
  getBoolean,
  getDuration,
  getOptional,
  getRequired,
  getText,
  inputError,
  parseImageReference,
  type ImageReference,
} from '@ecs-actions/action-kit';
import {
  TASK_DEFINITION_ARN_FORM,
  parseRevisionReference,
  type RevisionReference,
} from '@ecs-actions/taskdef/revision';
import type { Secrets } from './secrets.js';
import { loadPayloadTemplate, type PayloadTemplate } from './template.js';

export const STATUSES = ['started', 'success', 'failure', 'cancelled', 'rolled-back'] as const;
export type Status = (typeof STATUSES)[number];

/** `${{ job.status }}` gives success, failure or cancelled; deploy-ecs and people also write these. */
const STATUS_ALIASES: Record<string, Status> = {
  succeeded: 'success',
  failed: 'failure',
  canceled: 'cancelled',
  rolled_back: 'rolled-back',
  rollback: 'rolled-back',
};

/** A task definition revision, from an ARN or `family:revision`; region and partition link the AWS console. */
export interface Revision extends RevisionReference {
  /** As given. */
  reference: string;
}

export interface Inputs {
  status: Status;
  'webhook-url'?: string;
  'bot-token'?: string;
  channel?: string;
  'message-ts'?: string;
  'thread-ts'?: string;
  'slack-api-url': string;
  environment?: string;
  service?: string;
  image?: { reference: string; parsed: ImageReference };
  version?: string;
  'task-definition-arn'?: Revision;
  'deployment-url'?: string;
  /** Milliseconds. */
  'duration-seconds'?: number;
  'failure-reason'?: string;
  'rolled-back-to'?: Revision;
  /** Slack mrkdwn listing the commits of the deploy (the changelog action's slack output). */
  changes?: string;
  'payload-file'?: PayloadTemplate;
  'fail-on-error': boolean;
}

export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';

const MESSAGE_TS = /^\d{9,}\.\d{1,9}$/;

/**
 * Reads every input. The webhook URL and token are masked before anything else can print them.
 * A mistake in the step itself fails here, before any request, whatever fail-on-error says.
 */
export function readInputs(secrets: Secrets): Inputs {
  const webhookUrl = getOptional('webhook-url');
  const botToken = getOptional('bot-token');
  secrets.add(webhookUrl);
  secrets.add(botToken);
  const status = readStatus();

  const inputs: Inputs = {
    status,
    'webhook-url': webhookUrl === undefined ? undefined : credentialUrl('webhook-url', webhookUrl),
    'bot-token': botToken === undefined ? undefined : checkToken(botToken),
    channel: getOptional('channel'),
    'message-ts': messageTs('message-ts'),
    'thread-ts': messageTs('thread-ts'),
    'slack-api-url': credentialUrl('slack-api-url', getOptional('slack-api-url') ?? DEFAULT_SLACK_API_URL),
    environment: getOptional('environment'),
    service: getOptional('service'),
    image: image('image'),
    version: getOptional('version'),
    'task-definition-arn': revision('task-definition-arn'),
    'deployment-url': deploymentUrl('deployment-url'),
    'duration-seconds': getDuration('duration-seconds', { defaultUnit: 's' }),
    'failure-reason': getText('failure-reason'),
    'rolled-back-to': revision('rolled-back-to'),
    changes: getText('changes'),
    'payload-file': payloadFile('payload-file'),
    'fail-on-error': getBoolean('fail-on-error', false),
  };
  checkBotMode(inputs);
  return inputs;
}

function readStatus(): Status {
  const value = getRequired('status');
  const word = value.toLowerCase();
  const status = (STATUSES as readonly string[]).includes(word) ? (word as Status) : STATUS_ALIASES[word];
  if (status) return status;
  throw inputError(
    'status',
    `"${value}" is not a status; expected started, success, failure, cancelled or rolled-back ` +
      '(the values of ${{ job.status }} work as they are)',
  );
}

/**
 * Any https URL (Slack's own hosts, GovSlack, a proxy, a Slack-compatible chat) or http on loopback for the
 * local rehearsal's receiver. Never plain http elsewhere: the URL is a credential. The value is never quoted.
 */
function credentialUrl(name: string, value: string): string {
  const expected =
    name === 'webhook-url'
      ? 'expected an https URL such as https://hooks.slack.com/services/T…/B…/…'
      : 'expected an https URL such as https://slack.com/api/';
  if (!URL.canParse(value) && name === 'webhook-url' && value.startsWith('xox')) {
    throw inputError(name, `is not a URL (a bot token goes in bot-token); ${expected}`);
  }
  return checkHttpUrl(name, value, { expected, http: 'loopback', secret: true }).href;
}

function checkToken(value: string): string {
  if (/^https?:\/\//.test(value))
    throw inputError('bot-token', 'is a URL; an incoming webhook URL goes in webhook-url');
  // Tokens are xoxb- (bot), xoxp- (user) or xoxe.xox…- (rotating); anything else is a pasted wrong secret.
  if (!/^xox[a-z.]*-[\w.-]+$/.test(value)) {
    throw inputError('bot-token', 'is not a Slack token; expected a bot token starting with xoxb-');
  }
  return value;
}

function messageTs(name: string): string | undefined {
  const value = getOptional(name);
  if (value === undefined || MESSAGE_TS.test(value)) return value;
  throw inputError(
    name,
    `"${value}" is not a Slack message timestamp; expected a value such as 1712345678.123456 (the ts output of an earlier notify-slack step)`,
  );
}

function checkBotMode(inputs: Inputs): void {
  const bot = inputs['bot-token'] !== undefined;
  if (bot && inputs.channel === undefined) {
    throw inputError('channel', 'is required with bot-token; expected a channel ID such as C0123456789 or a name');
  }
  for (const name of ['message-ts', 'thread-ts'] as const) {
    if (inputs[name] !== undefined && !bot) {
      throw inputError(
        name,
        `needs bot-token and channel: an incoming webhook cannot ${name === 'message-ts' ? 'update a message' : 'reply in a thread'}`,
      );
    }
  }
  if (inputs['message-ts'] !== undefined && inputs['thread-ts'] !== undefined) {
    throw inputError(
      'thread-ts',
      'cannot be combined with message-ts; to update a reply, pass the reply’s ts as message-ts alone',
    );
  }
}

function image(name: string): Inputs['image'] {
  const value = getOptional(name);
  if (value === undefined) return undefined;
  const parsed = parseImageReference(value);
  if (!parsed) {
    throw inputError(
      name,
      `"${value}" is not an image reference; expected <repository>@sha256:<64 hex> or <repository>:<tag>`,
    );
  }
  return { reference: value, parsed };
}

function revision(name: string): Revision | undefined {
  const value = getOptional(name);
  if (value === undefined) return undefined;
  const parsed = parseRevisionReference(value);
  if (parsed) return { reference: value, ...parsed };
  throw inputError(
    name,
    `"${value}" is not a task definition revision; expected ${TASK_DEFINITION_ARN_FORM} or <family>:<revision>`,
  );
}

function deploymentUrl(name: string): string | undefined {
  const value = getOptional(name);
  if (value === undefined) return undefined;
  checkHttpUrl(name, value, {
    expected: 'expected http:// or https://, e.g. https://shop.example.com',
    http: 'anywhere',
  });
  return value;
}

function payloadFile(name: string): PayloadTemplate | undefined {
  const path = getOptional(name);
  if (path === undefined) return undefined;
  return loadPayloadTemplate(name, path);
}

/** Where the message goes, for the log; never the URL's path or the token. */
export function destinationSummary(inputs: Inputs): string {
  if (inputs['bot-token'] !== undefined) {
    const method = inputs['message-ts'] ? 'chat.update' : 'chat.postMessage';
    return `${method} to ${inputs.channel}${inputs['thread-ts'] ? ' (thread reply)' : ''}`;
  }
  if (inputs['webhook-url'] !== undefined) return `incoming webhook on ${new URL(inputs['webhook-url']).host}`;
  return 'nowhere';
}
