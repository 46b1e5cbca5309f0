import { formatDuration, shortDigest } from '@ecs-actions/action-kit';
import { ecsTaskDefinitionConsoleUrl } from '@ecs-actions/aws/console';
import { commitUrl, runUrl, type RunContext } from './context.js';
import type { Inputs, Revision, Status } from './inputs.js';
import type { SlackMessage } from './slack.js';
import { renderTemplate, type Placeholder } from './template.js';

/** Unicode rather than :shortcodes:, so the fallback text reads the same in a phone notification. */
const STATUS_EMOJI: Record<Status, string> = {
  started: '🚀',
  success: '✅',
  failure: '❌',
  cancelled: '🚫',
  'rolled-back': '⏪',
};

// Slack's limits: header text 150 characters, a section's text 3000, a field 2000.
const HEADER_LIMIT = 150;
const SECTION_LIMIT = 3000;

/** "Deployed web to production", "Deploy of web to production failed", "Rolled back web in production". */
export function headline(status: Status, service?: string, environment?: string): string {
  const name = service ? ` ${service}` : '';
  const to = environment ? ` to ${environment}` : '';
  switch (status) {
    case 'started':
      return `Deploying${name}${to}`;
    case 'success':
      return `Deployed${name}${to}`;
    case 'failure':
      return `Deploy${service ? ` of ${service}` : ''}${to} failed`;
    case 'cancelled':
      return `Deploy${service ? ` of ${service}` : ''}${to} cancelled`;
    case 'rolled-back':
      return `Rolled back${name}${environment ? ` in ${environment}` : ''}`;
  }
}

/** The built-in message: a header, the reason when there is one, the facts, and links. */
export function buildMessage(inputs: Inputs, context: RunContext): SlackMessage {
  const { status, service, environment } = inputs;
  const blocks: unknown[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: truncate(`${STATUS_EMOJI[status]} ${headline(status, service, environment)}`, HEADER_LIMIT),
        emoji: true,
      },
    },
  ];
  const reason = inputs['failure-reason'];
  if (reason) {
    const label = status === 'success' || status === 'started' ? 'Details' : 'Why';
    blocks.push(section(`*${label}:* ${escape(reason)}`));
  }
  const fields = facts(inputs, context).map(([label, value]) => ({ type: 'mrkdwn', text: `*${label}*\n${value}` }));
  if (fields.length > 0) blocks.push({ type: 'section', fields });
  // Already mrkdwn, with commit titles escaped by the changelog action that wrote it.
  if (inputs.changes) blocks.push(section(`*Changes:*\n${inputs.changes}`));
  const links = linkLine(inputs, context);
  if (links) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: links }] });
  return { text: escape(fallbackText(inputs, context)), blocks };
}

/** The payload file with its placeholders filled; a bare array is taken as the blocks. */
export function buildTemplatedMessage(inputs: Inputs, context: RunContext): SlackMessage {
  const template = inputs['payload-file']!;
  const rendered = renderTemplate(template, placeholderValues(inputs, context));
  const text = escape(fallbackText(inputs, context));
  if (Array.isArray(rendered)) return { text, blocks: rendered };
  const message = rendered as Record<string, unknown>;
  // Slack shows `text` in notifications and screen readers; a payload without one gets the built-in sentence.
  return { ...message, text: typeof message.text === 'string' && message.text !== '' ? message.text : text };
}

/** One sentence for notifications, logs and the job summary: "✅ Deployed web 1.5.0 to production (3m 05s)". Not escaped. */
export function fallbackText(inputs: Inputs, context: RunContext): string {
  const { status, environment } = inputs;
  const service = [inputs.service, inputs.version].filter(Boolean).join(' ') || undefined;
  let text = `${STATUS_EMOJI[status]} ${headline(status, service, environment)}`;
  const rolledBackTo = inputs['rolled-back-to'];
  if (status === 'rolled-back' && rolledBackTo) text += ` to ${revisionName(rolledBackTo)}`;
  const durationMs = inputs['duration-seconds'];
  if (durationMs !== undefined && status !== 'started') text += ` (${formatDuration(durationMs)})`;
  if (status === 'started' && context.actor) text += ` (started by ${context.actor})`;
  const reason = inputs['failure-reason']?.split('\n')[0]?.trim();
  if (reason) text += `: ${truncate(reason, 200)}`;
  return text;
}

/** Values as they are, not escaped: the payload file decides whether a string is mrkdwn or plain text. */
export function placeholderValues(inputs: Inputs, context: RunContext): Record<Placeholder, string | undefined> {
  const { image } = inputs;
  const durationMs = inputs['duration-seconds'];
  return {
    status: inputs.status,
    environment: inputs.environment,
    service: inputs.service,
    image: image?.reference,
    version: inputs.version,
    'task-definition-arn': inputs['task-definition-arn']?.reference,
    'deployment-url': inputs['deployment-url'],
    'duration-seconds': durationMs === undefined ? undefined : String(Math.round(durationMs / 1000)),
    'failure-reason': inputs['failure-reason'],
    'rolled-back-to': inputs['rolled-back-to']?.reference,
    'status-emoji': STATUS_EMOJI[inputs.status],
    title: headline(inputs.status, inputs.service, inputs.environment),
    text: fallbackText(inputs, context),
    'image-digest': image?.parsed.digest ? `sha256:${shortDigest(image.parsed.digest)}` : undefined,
    'task-definition': inputs['task-definition-arn'] && revisionName(inputs['task-definition-arn']),
    duration: durationMs === undefined ? undefined : formatDuration(durationMs),
    actor: context.actor,
    repository: context.repository,
    'commit-url': commitUrl(context),
    'run-url': runUrl(context),
  };
}

function facts(inputs: Inputs, context: RunContext): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  const commit = commitUrl(context);
  const sha = context.sha?.slice(0, 7);
  const version = inputs.version;
  if (version || sha) {
    const label = truncate(version && sha && !version.startsWith(sha) ? `${version} (${sha})` : (version ?? sha!), 200);
    rows.push(['Version', commit ? slackLink(commit, label) : escape(label)]);
  }
  if (inputs.image) rows.push(['Image', `\`${escape(imageName(inputs.image))}\``]);
  const deployed = inputs['task-definition-arn'];
  // Only a rolled-back deploy has a rollback target worth showing, whatever a workflow passes otherwise.
  const rolledBackTo = inputs.status === 'rolled-back' ? inputs['rolled-back-to'] : undefined;
  // After a rollback, workflows pass either the revision that failed or the one the service runs now.
  if (deployed && !(rolledBackTo && revisionName(deployed) === revisionName(rolledBackTo))) {
    // After a cancel the workflow passes what the service runs (or is going back to), not what was deployed.
    const label = rolledBackTo
      ? 'Rolled back from'
      : inputs.status === 'cancelled'
        ? 'Service runs'
        : 'Task definition';
    rows.push([label, revisionLink(deployed)]);
  }
  if (rolledBackTo) rows.push(['Rolled back to', revisionLink(rolledBackTo)]);
  if (context.actor) {
    const rerun =
      context.triggeringActor && context.triggeringActor !== context.actor
        ? ` (re-run by ${context.triggeringActor})`
        : '';
    rows.push(['Started by', escape(`${context.actor}${rerun}`)]);
  }
  if (inputs['duration-seconds'] !== undefined) rows.push(['Duration', formatDuration(inputs['duration-seconds'])]);
  return rows;
}

function linkLine(inputs: Inputs, context: RunContext): string | undefined {
  const parts: string[] = [];
  const run = runUrl(context);
  if (run) parts.push(slackLink(run, `Workflow run${context.runNumber ? ` #${context.runNumber}` : ''}`));
  if (inputs['deployment-url']) parts.push(slackLink(inputs['deployment-url'], 'Open deployment'));
  if (context.repository) parts.push(escape(context.repository));
  return parts.length > 0 ? parts.join(' · ') : undefined;
}

/** `web@sha256:0123456789ab`: enough to recognise a digest, short enough for a field. */
function imageName(image: NonNullable<Inputs['image']>): string {
  const { repository, digest, tag } = image.parsed;
  const name = repository.split('/').at(-1)!;
  if (digest) return `${name}@sha256:${shortDigest(digest)}`;
  return tag ? `${name}:${tag}` : name;
}

function revisionName(revision: Revision): string {
  return `${revision.family}:${revision.revision}`;
}

function revisionLink(revision: Revision): string {
  // Only an ARN tells the region, and so the console page.
  if (!revision.region) return `\`${revisionName(revision)}\``;
  return slackLink(
    ecsTaskDefinitionConsoleUrl(revision.region, revision.family, revision.revision),
    revisionName(revision),
  );
}

function section(text: string): unknown {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, SECTION_LIMIT) } };
}

/** Slack's mrkdwn treats &, < and > as control characters. */
function escape(text: string): string {
  return text.replace(/[&<>]/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[char]!);
}

function slackLink(url: string, label: string): string {
  return `<${escape(url).replace(/\|/g, '%7C')}|${escape(label).replace(/\|/g, '¦')}>`;
}

function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}
