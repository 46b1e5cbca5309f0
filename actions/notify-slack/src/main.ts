import * as core from '@actions/core';
import {
  CancelledError,
  code,
  escapeHtml,
  group,
  isCancelled,
  JobSummary,
  RunContext,
  setOutputs,
  systemClock,
  UserError,
  type Clock,
  foreignLine,
} from '@ecs-actions/action-kit';
import { readRunContext } from './context.js';
import { DEFAULT_RETRY_POLICY, SlackDeliveryError, type RetryPolicy } from './http.js';
import { destinationSummary, readInputs, type Inputs } from './inputs.js';
import { buildMessage, buildTemplatedMessage, fallbackText } from './message.js';
import { useProxyFromEnv } from './proxy.js';
import { Secrets } from './secrets.js';
import { sendMessage, type Destination, type SentMessage } from './slack.js';

export interface Dependencies {
  clock: Clock;
  policy: RetryPolicy;
  env: NodeJS.ProcessEnv;
  /** Cancel signal and final phase, from runAction. */
  context: RunContext;
}

export async function run(dependencies: Partial<Dependencies> = {}): Promise<void> {
  const { clock = systemClock, policy = DEFAULT_RETRY_POLICY, env = process.env } = dependencies;
  // The final message of a cancelled job comes from a step of its own (if: always()), a process no signal reached:
  // only a cancel of this very step stops its requests.
  const runContext = dependencies.context ?? new RunContext();
  const secrets = new Secrets();
  const inputs = readInputs(secrets);
  const context = readRunContext(env);

  const sentence = fallbackText(inputs, context);
  const message = await group('Message', async () => {
    const template = inputs['payload-file'];
    const built = template ? buildTemplatedMessage(inputs, context) : buildMessage(inputs, context);
    // The sentence quotes environment, service, version and failure-reason: foreign text.
    core.info(foreignLine(template ? `${sentence} (blocks from ${template.path})` : sentence));
    core.debug(`Payload: ${secrets.redact(JSON.stringify(built))}`);
    return built;
  });

  const destination = destinationOf(inputs);
  if (!destination) {
    const problem =
      'neither webhook-url nor bot-token is set (is the secret defined for this repository or environment?)';
    return notSent(inputs, problem, sentence);
  }

  const where = destinationSummary(inputs);
  let sent: SentMessage;
  const restoreProxy = useProxyFromEnv(env);
  try {
    sent = await group(`Send: ${where}`, async () => {
      if (inputs['webhook-url'] && inputs['bot-token'])
        core.info('Both webhook-url and bot-token are set; using bot-token.');
      const result = await sendMessage(destination, message, {
        clock,
        policy,
        secrets,
        log: (line) => core.info(foreignLine(line)),
        signal: runContext.signal,
      });
      core.info(
        `Slack accepted the message${result.ts ? ` (ts ${result.ts} in ${result.channel})` : ''}` +
          `${result.attempts > 1 ? ` after ${result.attempts} attempts` : ''}`,
      );
      return result;
    });
  } catch (error) {
    if (isCancelled(error)) return cancelled(inputs, error, sentence);
    if (!(error instanceof SlackDeliveryError)) throw error;
    return notSent(inputs, error.message, sentence);
  } finally {
    restoreProxy?.();
  }

  setOutputs({ ok: true, ts: sent.ts, channel: sent.channel });
  await new JobSummary()
    .heading('notify-slack: sent', 3)
    .facts([
      ['Status', inputs.status],
      ['Sent with', escapeHtml(where)],
      ['Message', escapeHtml(sentence)],
      ...(sent.ts ? ([['Message ts', code(sent.ts)]] as Array<[string, string]>) : []),
    ])
    .write();
}

function destinationOf(inputs: Inputs): Destination | undefined {
  const token = inputs['bot-token'];
  if (token !== undefined) {
    return {
      kind: 'bot',
      apiUrl: inputs['slack-api-url'],
      token,
      channel: inputs.channel!,
      messageTs: inputs['message-ts'],
      threadTs: inputs['thread-ts'],
    };
  }
  const url = inputs['webhook-url'];
  return url === undefined ? undefined : { kind: 'webhook', url };
}

/** Cancelled while sending: the outputs and summary say the message may not have gone out, then one cancelled line. */
async function cancelled(inputs: Inputs, error: CancelledError, text: string): Promise<never> {
  const problem =
    `${error.message}: the message may not have been sent` +
    (inputs['message-ts'] ? ' (Slack may still show the earlier status)' : '');
  await writeNotSent('notify-slack: cancelled', inputs, problem, text);
  throw new CancelledError(problem, error.by, { cause: error });
}

/** A notification is never the reason a deploy fails, unless the workflow asks for that with fail-on-error. */
async function notSent(inputs: Inputs, problem: string, text: string): Promise<void> {
  if (inputs['fail-on-error']) throw new UserError(`Slack notification not sent: ${problem}`);
  core.warning(`Slack notification not sent (fail-on-error is false, so the step succeeds): ${problem}`);
  await writeNotSent('notify-slack: not sent', inputs, problem, text);
}

async function writeNotSent(heading: string, inputs: Inputs, problem: string, text: string): Promise<void> {
  setOutputs({ ok: false });
  await new JobSummary()
    .heading(heading, 3)
    .facts([
      ['Status', inputs.status],
      ['Message', escapeHtml(text)],
      ['Problem', escapeHtml(problem)],
    ])
    .write();
}
