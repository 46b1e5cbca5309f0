// Prints the `gh variable set` commands of the GitHub environments from stack outputs:
//   cdk deploy --all --outputs-file outputs.json
//   tsx packages/infra/src/print-github-variables.ts outputs.json [--environment dev] [--repo OWNER/REPOSITORY]
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ghVariableSetCommands, githubVariablesFromOutputs } from './github-variables.js';

export function printGitHubVariables(argv: string[]): string {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { environment: { type: 'string' }, repo: { type: 'string' } },
  });
  if (positionals.length !== 1) {
    throw new Error('usage: print-github-variables <outputs.json> [--environment NAME] [--repo OWNER/REPOSITORY]');
  }
  const [path] = positionals;
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`, { cause: error });
  }
  const commands = ghVariableSetCommands(githubVariablesFromOutputs(document, path), {
    environment: values.environment,
    repository: values.repo,
  });
  return `${commands.join('\n')}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    process.stdout.write(printGitHubVariables(process.argv.slice(2)));
  } catch (error) {
    console.error(`print-github-variables: ${(error as Error).message}`);
    process.exit(1);
  }
}
