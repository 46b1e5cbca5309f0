import { readFileSync } from 'node:fs';
import { PolicyDocument, PolicyStatement } from 'aws-cdk-lib/aws-iam';

/**
 * The IAM policies in docs/iam/ are the single source of the roles' permissions: the by-hand path copies the JSON,
 * the CDK path loads the same file and substitutes its placeholders, so the two can never disagree.
 */
export type IamDocumentName = 'deploy-role-policy' | 'build-role-policy' | 'github-oidc-trust-policy';

export interface IamJsonDocument {
  readonly Version: string;
  readonly Statement: ReadonlyArray<Record<string, unknown>>;
}

const docsFolder = new URL('../../../docs/iam/', import.meta.url);

export function readIamDocument(name: IamDocumentName): IamJsonDocument {
  return JSON.parse(readFileSync(new URL(`${name}.json`, docsFolder), 'utf8')) as IamJsonDocument;
}

/**
 * Placeholders the docs use, longest first so that TASK_EXECUTION_ROLE is not read as TASK_ROLE and
 * OWNER/REPOSITORY not as REPOSITORY.
 */
const PLACEHOLDERS = [
  'OWNER/REPOSITORY',
  'TASK_EXECUTION_ROLE',
  'TASK_ROLE',
  'ACCOUNT_ID',
  'ENVIRONMENT',
  'REPOSITORY',
  'FAMILY',
  'LOG_GROUP',
  'CLUSTER',
  'SERVICE',
  'REGION',
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

const PLACEHOLDER_PATTERN = new RegExp(PLACEHOLDERS.map((name) => name.replace('/', '\\/')).join('|'), 'g');
// An upper-case word in a Resource, Principal or Condition value is a placeholder; one this code does not know
// means the docs gained a placeholder the construct would leave in the policy verbatim.
const UPPER_CASE_WORD = /(?<![A-Za-z0-9_])[A-Z][A-Z0-9_]*[A-Z0-9](?![A-Za-z0-9_])/g;

/** Substitutes every placeholder in the values of Resource, Principal and Condition; throws on an unknown one. */
export function substitutePlaceholders(
  document: IamJsonDocument,
  values: Partial<Record<Placeholder, string>>,
  documentName: string,
): IamJsonDocument {
  const substitute = (text: string): string => {
    const unknown = text.replace(PLACEHOLDER_PATTERN, '').match(UPPER_CASE_WORD);
    if (unknown) {
      throw new Error(`docs/iam/${documentName}.json: unknown placeholder ${unknown[0]} in "${text}"`);
    }
    return text.replace(PLACEHOLDER_PATTERN, (name) => {
      const value = values[name as Placeholder];
      if (value === undefined) throw new Error(`docs/iam/${documentName}.json: no value for placeholder ${name}`);
      return value;
    });
  };
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return substitute(value);
    if (Array.isArray(value)) return value.map(walk);
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, walk(inner)]));
    }
    return value;
  };
  return {
    Version: document.Version,
    Statement: document.Statement.map((statement) =>
      Object.fromEntries(
        Object.entries(statement).map(([key, value]) =>
          ['Resource', 'Principal', 'Condition'].includes(key) ? [key, walk(value)] : [key, value],
        ),
      ),
    ),
  };
}

/** A permission policy from docs/iam/, placeholders substituted, statements kept as written (no merging). */
export function iamPolicyFromDocs(
  name: Exclude<IamDocumentName, 'github-oidc-trust-policy'>,
  values: Partial<Record<Placeholder, string>>,
): PolicyDocument {
  const document = substitutePlaceholders(readIamDocument(name), values, name);
  return new PolicyDocument({
    statements: document.Statement.map((statement) => PolicyStatement.fromJson(statement)),
    // Keep the statements (and their Sids) one to one with the file, so a reviewer can compare them.
    minimize: false,
  });
}

/** The resources of a docs policy, placeholders substituted, that end in a wildcard (other than a bare "*"). */
export function wildcardResources(
  name: Exclude<IamDocumentName, 'github-oidc-trust-policy'>,
  values: Partial<Record<Placeholder, string>>,
): Array<{ sid: string; resource: string }> {
  const document = substitutePlaceholders(readIamDocument(name), values, name);
  return document.Statement.flatMap((statement) =>
    [statement.Resource]
      .flat()
      .filter(
        (resource): resource is string => typeof resource === 'string' && resource !== '*' && resource.includes('*'),
      )
      .map((resource) => ({ sid: String(statement.Sid), resource })),
  );
}

/** The subject claim and audience of the trust policy in docs/iam/github-oidc-trust-policy.json. */
export function githubOidcTrustConditions(
  accountId: string,
  repository: string,
  environment: string,
): Record<string, Record<string, string>> {
  const document = substitutePlaceholders(
    readIamDocument('github-oidc-trust-policy'),
    { 'OWNER/REPOSITORY': repository, ENVIRONMENT: environment, ACCOUNT_ID: accountId },
    'github-oidc-trust-policy',
  );
  const [statement] = document.Statement;
  return statement.Condition as Record<string, Record<string, string>>;
}
