import { getInteger, getOptional, getRequired, inputError } from '@ecs-actions/action-kit';

export interface ChangelogInputs {
  environment: string;
  token: string;
  /** The commit this run deploys. */
  commit: string;
  /** This run's number: the previous deploy is the newest deployed/<environment>/<run> tag below it. */
  'run-number': number;
  repository: { owner: string; repo: string };
}

/** Reads and checks every input before any GitHub call; the defaults come from the runner. */
export function readInputs(env: NodeJS.ProcessEnv = process.env): ChangelogInputs {
  const environment = getRequired('environment');
  if (!/^[\w.-]{1,64}$/.test(environment)) {
    throw inputError('environment', `"${environment}" is not an environment name; expected letters, digits, _ . -`);
  }
  const token = getRequired('token');
  const commit = getOptional('commit') ?? env.GITHUB_SHA ?? '';
  if (!/^[0-9a-f]{40}$/.test(commit)) {
    throw inputError('commit', `"${commit}" is not a full commit SHA; expected 40 hex digits (default: GITHUB_SHA)`);
  }
  const runNumber = getInteger('run-number', { min: 1 }) ?? Number(env.GITHUB_RUN_NUMBER);
  if (!Number.isInteger(runNumber) || runNumber < 1) {
    throw inputError(
      'run-number',
      'is required outside a workflow run; expected a positive integer (default: GITHUB_RUN_NUMBER)',
    );
  }
  const slug = getOptional('repository') ?? env.GITHUB_REPOSITORY ?? '';
  const match = /^([\w.-]+)\/([\w.-]+)$/.exec(slug);
  if (!match) throw inputError('repository', `"${slug}" is not <owner>/<repository> (default: GITHUB_REPOSITORY)`);
  return { environment, token, commit, 'run-number': runNumber, repository: { owner: match[1]!, repo: match[2]! } };
}
