/** What the runner tells about this run, for the links and the "started by" field. */
export interface RunContext {
  /** `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}`, e.g. https://github.com/acme/shop. */
  repositoryUrl?: string;
  repository?: string;
  sha?: string;
  runId?: string;
  runNumber?: string;
  actor?: string;
  /** Who re-ran the workflow, when not the actor who started it. */
  triggeringActor?: string;
}

export function readRunContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const value = (name: string): string | undefined => env[name]?.trim() || undefined;
  const server = (value('GITHUB_SERVER_URL') ?? 'https://github.com').replace(/\/+$/, '');
  const repository = value('GITHUB_REPOSITORY');
  return {
    repositoryUrl: repository ? `${server}/${repository}` : undefined,
    repository,
    sha: value('GITHUB_SHA'),
    runId: value('GITHUB_RUN_ID'),
    runNumber: value('GITHUB_RUN_NUMBER'),
    actor: value('GITHUB_ACTOR'),
    triggeringActor: value('GITHUB_TRIGGERING_ACTOR'),
  };
}

export function commitUrl(context: RunContext): string | undefined {
  return context.repositoryUrl && context.sha ? `${context.repositoryUrl}/commit/${context.sha}` : undefined;
}

export function runUrl(context: RunContext): string | undefined {
  return context.repositoryUrl && context.runId ? `${context.repositoryUrl}/actions/runs/${context.runId}` : undefined;
}
