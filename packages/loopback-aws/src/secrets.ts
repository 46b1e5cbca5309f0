import { createHash, randomBytes } from 'node:crypto';
import { AwsError } from './errors.js';
import type { ParameterRecord, SecretRecord, World } from './world.js';

/**
 * Secrets Manager (`secretsmanager.<Operation>`) and SSM Parameter Store (`AmazonSSM.<Operation>`), JSON 1.1, and
 * the lookup ECS does for a container's `secrets` (valueFrom: a secret ARN, a parameter ARN or a parameter name).
 */

export interface SecretSeed {
  name: string;
  value: string;
  /** As a vars file names it (`...:secret:<name>-Xk3p9Q`); made from the name with a random suffix unless set. */
  arn?: string;
}

export interface ParameterSeed {
  /** `/sample-service/dev/api-token` */
  name: string;
  value: string;
  type?: 'String' | 'SecureString';
}

export function seedSecret(world: World, seed: SecretSeed): SecretRecord {
  const suffix = randomBytes(3).toString('base64url').replace(/[-_]/g, 'x').slice(0, 6);
  const arn = seed.arn ?? world.arn('secretsmanager', `secret:${seed.name}-${suffix}`);
  const record = { arn, name: seed.name, value: seed.value, createdAt: world.now() };
  world.secrets.set(arn, record);
  return record;
}

export function seedParameter(world: World, seed: ParameterSeed): ParameterRecord {
  const name = seed.name.startsWith('/') ? seed.name : `/${seed.name}`;
  const previous = world.parameters.get(name);
  const record: ParameterRecord = {
    name,
    value: seed.value,
    type: seed.type ?? 'SecureString',
    version: (previous?.version ?? 0) + 1,
    lastModifiedAt: world.now(),
  };
  world.parameters.set(name, record);
  return record;
}

/** A secret by ARN (any account, as a cross-account execution role reads it) or by name. */
function findSecret(world: World, id: string): SecretRecord | undefined {
  const exact = world.secrets.get(id);
  if (exact) return exact;
  return [...world.secrets.values()].find((secret) => secret.name === id);
}

/** `arn:aws:ssm:<region>:<account>:parameter/a/b` -> `/a/b`; a plain name is its own name. */
function parameterName(reference: string): string {
  const arn = /^arn:aws:ssm:[^:]*:\d*:parameter(\/.*)$/.exec(reference);
  if (arn) return arn[1];
  return reference.startsWith('/') ? reference : `/${reference}`;
}

/**
 * The value ECS injects for one `secrets` entry, or the reason the task fails to start, worded as the agent
 * words it (ResourceInitializationError).
 */
export function resolveSecret(world: World, valueFrom: string): { value: string } | { error: string } {
  if (valueFrom.startsWith('arn:aws:secretsmanager:')) {
    const secret = findSecret(world, valueFrom);
    if (secret) return { value: secret.value };
    return {
      error:
        `ResourceInitializationError: unable to pull secrets or registry auth: unable to retrieve secret from asm: ` +
        `failed to fetch secret ${valueFrom} from secrets manager: ResourceNotFoundException: ` +
        `Secrets Manager can't find the specified secret.`,
    };
  }
  const parameter = world.parameters.get(parameterName(valueFrom));
  if (parameter) return { value: parameter.value };
  return {
    error:
      `ResourceInitializationError: unable to pull secrets or registry auth: unable to retrieve secrets from ssm: ` +
      `invalid parameters: ${parameterName(valueFrom)}`,
  };
}

const seconds = (ms: number) => ms / 1000;

function GetSecretValue(world: World, input: { SecretId?: string }) {
  if (!input.SecretId) throw new AwsError('InvalidParameterException', 'You must provide a SecretId.');
  const secret = findSecret(world, input.SecretId);
  if (!secret) throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
  return {
    ARN: secret.arn,
    Name: secret.name,
    SecretString: secret.value,
    VersionId: createHash('sha256').update(secret.arn).digest('hex').slice(0, 32),
    VersionStages: ['AWSCURRENT'],
    CreatedDate: seconds(secret.createdAt),
  };
}

function GetParameters(world: World, input: { Names?: string[]; WithDecryption?: boolean }) {
  const names = input.Names ?? [];
  if (names.length === 0 || names.length > 10) {
    throw new AwsError('ValidationException', 'Names must contain between 1 and 10 parameter names.');
  }
  const found = names.map((name) => [name, world.parameters.get(parameterName(name))] as const);
  return {
    Parameters: found.flatMap(([, parameter]) =>
      parameter
        ? [
            {
              Name: parameter.name,
              Type: parameter.type,
              // Without decryption a SecureString comes back as its ciphertext, never the value.
              Value:
                parameter.type === 'SecureString' && !input.WithDecryption
                  ? createHash('sha256').update(parameter.value).digest('base64')
                  : parameter.value,
              Version: parameter.version,
              ARN: world.arn('ssm', `parameter${parameter.name}`),
              DataType: 'text',
              LastModifiedDate: seconds(parameter.lastModifiedAt),
            },
          ]
        : [],
    ),
    InvalidParameters: found.filter(([, parameter]) => !parameter).map(([name]) => name),
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each handler declares its own request type
type Handler = (world: World, input: any) => unknown;

const SECRETS_MANAGER: Record<string, Handler> = { GetSecretValue };
const SSM: Record<string, Handler> = { GetParameters };

export function secretsManagerOperation(operation: string): Handler | undefined {
  return Object.hasOwn(SECRETS_MANAGER, operation) ? SECRETS_MANAGER[operation] : undefined;
}

export function ssmOperation(operation: string): Handler | undefined {
  return Object.hasOwn(SSM, operation) ? SSM[operation] : undefined;
}
