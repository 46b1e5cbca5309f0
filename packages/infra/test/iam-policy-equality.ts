import { readFileSync } from 'node:fs';

/** docs/iam/<name>.json as a user copies it, with the placeholders replaced as the docs tell them to. */
export function docsPolicy(name: string, replacements: Array<[string, string]>): unknown {
  let text = readFileSync(new URL(`../../../docs/iam/${name}.json`, import.meta.url), 'utf8');
  for (const [placeholder, value] of replacements) text = text.replaceAll(placeholder, value);
  return normalizePolicy(JSON.parse(text));
}

/** IAM reads "Action": "x" and "Action": ["x"] alike; CloudFormation templates from CDK write the first. */
export function normalizePolicy(document: unknown): unknown {
  const { Version, Statement } = document as { Version: string; Statement: Array<Record<string, unknown>> };
  return {
    Version,
    Statement: Statement.map((statement) =>
      Object.fromEntries(
        Object.entries(statement).map(([key, value]) =>
          ['Action', 'Resource', 'NotAction', 'NotResource'].includes(key)
            ? [key, [value].flat().sort()]
            : [key, value],
        ),
      ),
    ),
  };
}
