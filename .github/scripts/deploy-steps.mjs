// Decisions the deploy workflows make between steps, as plain functions so that jest and the local rehearsal
// (npm run demo) use exactly what deploy-environment.yml runs.
import { appendFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';

const DIGEST = /@(sha256:[a-f0-9]{64})$/;

/**
 * Validates the deploy request and builds render-taskdef's vars (they override the environment's vars-file).
 * Throws an Error whose message names the input.
 */
export function planDeploy(env) {
  const image = (env.IMAGE ?? '').trim();
  const taskDefinition = (env.TASK_DEFINITION ?? '').trim();
  if ((image === '') === (taskDefinition === '')) {
    throw new Error(
      "give exactly one of the inputs 'image' (a digest-pinned image to render and deploy) and 'task-definition' (an existing revision to deploy as it is)",
    );
  }
  if (taskDefinition !== '') {
    singleLine('task-definition', taskDefinition);
    return { mode: 'revision', digest: '', vars: '' };
  }
  // Each var is one NAME=VALUE line: a line break in a value would add variables of its own.
  singleLine('image', image);
  if (image.length > MAX_IMAGE_LENGTH) {
    throw new Error(`input 'image': is ${image.length} characters long; expected at most ${MAX_IMAGE_LENGTH}`);
  }
  const digest = DIGEST.exec(image)?.[1];
  if (!digest || /\s/.test(image))
    throw new Error(
      `input 'image': ${quoted(image)} is not pinned by digest; expected <registry>/<repository>@sha256:<64 hex>`,
    );
  if (!(env.TEMPLATE ?? '').trim())
    throw new Error("input 'template' is required with 'image': the task-definition template to render");
  const environment = env.ENVIRONMENT ?? '';
  if (!/^[A-Za-z0-9_-]*$/.test(environment)) {
    throw new Error(
      `input 'environment': ${quoted(environment)} is not an environment name; expected letters, digits, - and _`,
    );
  }
  const vars = [`ENVIRONMENT=${environment}`, `IMAGE=${image}`];
  if (env.ACCOUNT_ID) {
    if (!/^\d{12}$/.test(env.ACCOUNT_ID)) throw new Error(`account-id: ${quoted(env.ACCOUNT_ID)} is not 12 digits`);
    vars.push(`ACCOUNT_ID=${env.ACCOUNT_ID}`);
  }
  if (env.REGION) {
    if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(env.REGION))
      throw new Error(`region: ${quoted(env.REGION)} is not an AWS region`);
    vars.push(`REGION=${env.REGION}`);
  }
  return { mode: 'image', digest, vars: vars.join('\n') };
}

/** A docker reference is at most 255 characters of name, a 128-character tag and a 71-character digest. */
const MAX_IMAGE_LENGTH = 512;

function singleLine(input, value) {
  if (/[\r\n\u2028\u2029]/.test(value)) throw new Error(`input '${input}': holds a line break; expected a single line`);
}

/** A value from the caller, quoted on one line and shortened, for a message. */
function quoted(value) {
  const text = JSON.stringify(String(value));
  return text.length > 120 ? `${text.slice(0, 100)}..." (${String(value).length} characters)` : text;
}

/**
 * An `::error::` line: the message escaped as the runner reads command data (%, CR and LF), so no text in it can
 * end the annotation and start a command of its own. (These scripts run without the repository's packages, so
 * they cannot import action-kit; @actions/core escapes the same way.)
 */
/**
 * Text quoting step outputs, made safe for one log line: line breaks become spaces and the legacy `##[command]`
 * form, which the runner reads anywhere in a line, is broken with a backslash.
 */
export function logLine(text) {
  return String(text)
    .replace(/[\r\n\u2028\u2029]+/g, ' ')
    .replace(/##\[/g, '##\\[');
}

export function errorCommand(message) {
  const data = String(message).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  return `::error::${data}`;
}

/** What a cancel during deploy-ecs left, from its cancel-result and cancel-detail outputs. */
function cancelledDuringDeploy(env, deployed, previous, result) {
  const detail = env.DEPLOY_CANCEL_DETAIL ? `: ${env.DEPLOY_CANCEL_DETAIL}` : '';
  const see = ' (see the deploy-ecs summary)';
  switch (env.DEPLOY_CANCEL_RESULT) {
    case 'rollback-started':
    case 'rollback-continues':
      return result(
        'cancelled',
        `cancelled during deploy-ecs; the rollout of ${revisionName(deployed)} is being rolled back to ${revisionName(previous)}${detail}${see}`,
        '',
        previous,
      );
    case 'completed':
      return result(
        'cancelled',
        `cancelled during deploy-ecs after the rollout completed: ${revisionName(deployed)} is live but unverified; ` +
          `run rollback.yml to go back to ${revisionName(previous)}`,
        '',
        deployed,
      );
    case 'left-in-progress':
      return result(
        'cancelled',
        `cancelled during deploy-ecs; the rollout of ${revisionName(deployed)} was left in progress (on-cancel: leave)${detail}${see}`,
        '',
        deployed,
      );
    case 'needs-attention':
      return result(
        'cancelled',
        `cancelled during deploy-ecs; the service needs attention${detail}${see}`,
        '',
        deployed || previous,
      );
    case 'nothing-changed':
      return result(
        'cancelled',
        `cancelled before deploy-ecs changed anything: the service runs ${revisionName(previous) || 'what it ran'}`,
        '',
        previous,
      );
    default:
      // A deploy-ecs that could not say (killed before its final phase): only what is known.
      return result(
        'cancelled',
        env.DEPLOYMENT_ID
          ? `cancelled during deploy-ecs after deployment ${env.DEPLOYMENT_ID} of ${revisionName(deployed)} started; ` +
              `deploy-ecs did not report what it left: check the service${see}`
          : `cancelled before deploy-ecs changed anything: the service runs ${revisionName(previous) || 'what it ran'}`,
        '',
        env.DEPLOYMENT_ID ? deployed : previous,
      );
  }
}

/** Why the paused deploy-ecs of test-before-production (step start, wait-until: paused) ended the job. */
function stoppedBeforePause(env, result) {
  const deployed = env.START_DEPLOYED ?? '';
  const previous = env.START_PREVIOUS ?? '';
  if (env.START_OUTCOME === 'cancelled' || env.START_STATUS === 'cancelled') {
    const cancel = {
      DEPLOY_CANCEL_RESULT: env.START_CANCEL_RESULT,
      DEPLOY_CANCEL_DETAIL: env.START_CANCEL_DETAIL,
      DEPLOYMENT_ID: env.START_DEPLOYMENT_ID,
    };
    return cancelledDuringDeploy(cancel, deployed, previous, result);
  }
  const checks = "the checks on the test listener and the production traffic shift did not run (see the step 'start')";
  if (env.START_STATUS === 'rolled-back') {
    return result(
      'rolled-back',
      `deploy-ecs (wait-until: paused): the rollout of ${revisionName(deployed)} was rolled back to ${revisionName(previous)} before the pause; ${checks}`,
      previous,
      previous,
    );
  }
  const status = env.START_STATUS ? ` (status ${env.START_STATUS})` : '';
  const started = env.START_DEPLOYMENT_ID
    ? `after deployment ${env.START_DEPLOYMENT_ID} started`
    : 'before any deployment started';
  return result(
    'failed',
    `deploy-ecs (wait-until: paused) failed${status} ${started}, before the pause; ${checks}`,
    '',
    env.START_DEPLOYMENT_ID ? deployed : previous,
  );
}

/**
 * The job's final word: what the service runs now, the status to report, and why.
 * A rollout that completed but failed its checks and was rolled back is `rolled-back`, never `succeeded`.
 */
export function decideOutcome(env) {
  const deployed = env.DEPLOYED ?? '';
  const previous = env.PREVIOUS ?? '';
  const result = (status, reason, rolledBackTo, runs) => ({
    status,
    'notify-status':
      status === 'rolled-back'
        ? 'rolled-back'
        : status === 'failed'
          ? 'failure'
          : status === 'cancelled'
            ? 'cancelled'
            : 'success',
    reason,
    'rolled-back-to': rolledBackTo,
    'task-definition-arn': runs,
  });
  // A migration that did not succeed stops the deploy before deploy-ecs: the service and its traffic are untouched.
  if (env.MIGRATE_OUTCOME === 'failure') {
    const exitCodes =
      env.MIGRATE_EXIT_CODES && env.MIGRATE_EXIT_CODES !== '{}' ? `, exit codes ${env.MIGRATE_EXIT_CODES}` : '';
    return result(
      'failed',
      `the migration (run-task) ${env.MIGRATE_STATUS || 'failed'}${exitCodes}; deploy-ecs did not run and no traffic changed`,
      '',
      previous,
    );
  }
  const cancelled = env.JOB_STATUS === 'cancelled';
  if (env.DEPLOY_OUTCOME === 'cancelled' || env.DEPLOY_STATUS === 'cancelled') {
    // deploy-ecs settled the cancel itself and says what it left (cancel-result): the message repeats that, never
    // a rollback it did not start.
    return cancelledDuringDeploy(env, deployed, previous, result);
  }
  if (env.DEPLOY_OUTCOME === 'skipped' || !env.DEPLOY_OUTCOME) {
    // test-before-production: the paused deploy-ecs (step start) ended the job, so the final one was skipped.
    if (env.START_OUTCOME === 'failure' || env.START_OUTCOME === 'cancelled') return stoppedBeforePause(env, result);
    if (cancelled) return result('cancelled', 'cancelled before deploy-ecs started: nothing was changed', '', previous);
    return result('failed', 'nothing was deployed: a step before deploy-ecs failed (see the log)', '', previous);
  }
  if (env.DEPLOY_OUTCOME !== 'success') {
    return env.DEPLOY_STATUS === 'rolled-back'
      ? result(
          'rolled-back',
          'deploy-ecs: the rollout failed and the service was rolled back (see the deploy-ecs step)',
          previous,
          previous,
        )
      : result('failed', 'deploy-ecs failed (see the deploy-ecs step)', '', deployed);
  }
  if (cancelled || env.VERIFY_OUTCOME === 'cancelled' || env.SMOKE_OUTCOME === 'cancelled') {
    // The rollout completed; the checks were cut short. It is kept, reported as unverified (docs/setup.md).
    const during =
      env.VERIFY_OUTCOME === 'cancelled' || env.VERIFY_OUTCOME === 'skipped' || !env.VERIFY_OUTCOME
        ? 'verify-targets'
        : 'smoke-test';
    return result(
      'cancelled',
      `cancelled during ${during} after the rollout completed: ${revisionName(deployed)} is live but unverified; ` +
        `run rollback.yml to go back to ${revisionName(previous)}`,
      '',
      deployed,
    );
  }
  const failedCheck =
    env.VERIFY_OUTCOME === 'failure' ? 'verify-targets' : env.SMOKE_OUTCOME === 'failure' ? 'smoke-test' : undefined;
  if (failedCheck === undefined) {
    return result(env.DEPLOY_STATUS === 'unchanged' ? 'unchanged' : 'succeeded', '', '', deployed);
  }
  if (env.ROLLBACK_OUTCOME === 'success') {
    const target = env.ROLLBACK_TASK_DEFINITION || previous;
    return result(
      'rolled-back',
      `${failedCheck} failed after the rollout completed; rolled back to ${revisionName(target)}`,
      target,
      target,
    );
  }
  if (env.ROLLBACK_OUTCOME === 'skipped' || !env.ROLLBACK_OUTCOME) {
    // deploy-ecs changed nothing (unchanged): there is no earlier revision this run could go back to.
    return result(
      'failed',
      `${failedCheck} failed on ${revisionName(deployed)}, which the service already ran before this deploy (deploy-ecs: ${env.DEPLOY_STATUS || 'unknown'}); nothing to roll back to: fix forward, or run rollback.yml with an earlier revision`,
      '',
      deployed,
    );
  }
  return result(
    'failed',
    `${failedCheck} failed after the rollout completed and the rollback to ${revisionName(previous)} did not finish: check the service now`,
    '',
    deployed,
  );
}

/** `family:revision` from a task-definition ARN, for messages. */
export function revisionName(arn) {
  return String(arn ?? '').replace(/^arn:aws[\w-]*:ecs:[^:]+:\d+:task-definition\//, '');
}

export function writeOutputs(outputs, file = process.env.GITHUB_OUTPUT) {
  if (!file) throw new Error('GITHUB_OUTPUT is not set');
  for (const [name, value] of Object.entries(outputs)) {
    const delimiter = `EOF_${randomUUID()}`;
    appendFileSync(file, `${name}<<${delimiter}\n${value}\n${delimiter}\n`);
  }
}
