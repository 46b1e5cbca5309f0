import {
  getBoolean,
  getChoice,
  getKeyValues,
  getMultiline,
  getOptional,
  getText,
  inputError,
  isDigestPinned,
  parseImageReference,
  parseKeyValues,
} from '@ecs-actions/action-kit';
import { checkEcsNameOrArn, resolveRegion } from '@ecs-actions/aws';
import { parseCommand } from './command.js';
import { ROLE_ARN_FORM, SECRET_REFERENCE_FORMS, isRoleArn, secretSource } from '@ecs-actions/taskdef';
import { VAR_NAME, VAR_RULE } from './vars.js';
import { FARGATE_MEMORY, parseCpuUnits, parseMemoryMiB } from '@ecs-actions/taskdef';

export interface Inputs {
  template?: string;
  family?: string;
  region?: string;
  images: Map<string, string>;
  'allow-mutable-tags': boolean;
  container?: string;
  environment?: Map<string, string>;
  'environment-mode': 'merge' | 'replace';
  secrets?: Map<string, string>;
  vars: Map<string, string>;
  'vars-file'?: string;
  cpu?: string;
  memory?: string;
  'task-role-arn'?: string;
  'execution-role-arn'?: string;
  command?: string[];
  'docker-labels'?: Map<string, string>;
  'log-options'?: Map<string, string>;
  cluster?: string;
  service?: string;
}

const CONTAINER_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const FAMILY = /^[A-Za-z0-9_-]{1,255}$/;

/** Reads and checks every input; any mistake fails here, before the template is read or AWS is called. */
export function readInputs(): Inputs {
  // images first: it is the one input every run needs.
  const allowMutableTags = getBoolean('allow-mutable-tags', false);
  const images = readImages(allowMutableTags);

  const template = getOptional('template');
  const family = getOptional('family');
  if (template !== undefined && family !== undefined) {
    throw inputError('family', "cannot be combined with 'template'; set one: a template file or a registered family");
  }
  if (template === undefined && family === undefined) {
    throw inputError('template', "is required (or set 'family' to start from the newest registered revision)");
  }
  if (family !== undefined && !FAMILY.test(family)) {
    throw inputError('family', `"${family}" is not a task definition family; expected letters, digits, - and _`);
  }

  const vars = getKeyValues('vars', { keyName: 'NAME', keyPattern: VAR_NAME, keyPatternDescription: VAR_RULE });
  const varsFile = getOptional('vars-file');
  if (family !== undefined && (vars.size > 0 || varsFile !== undefined)) {
    throw inputError(vars.size > 0 ? 'vars' : 'vars-file', "applies to a 'template' only, not to 'family'");
  }

  const environment = optionalKeyValues('environment');
  const environmentMode = getChoice('environment-mode', ['merge', 'replace'] as const, 'merge');
  if (environmentMode === 'replace' && environment === undefined) {
    throw inputError(
      'environment-mode',
      "replace needs the input 'environment': the container ends with exactly those variables",
    );
  }

  const cluster = getOptional('cluster');
  const service = getOptional('service');
  if ((cluster === undefined) !== (service === undefined)) {
    throw inputError(
      cluster === undefined ? 'cluster' : 'service',
      "is needed too: the diff needs both 'cluster' and 'service'",
    );
  }
  if (cluster !== undefined) checkEcsNameOrArn('cluster', cluster, 'cluster');
  if (service !== undefined) checkEcsNameOrArn('service', service, 'service');

  const container = getOptional('container');
  if (container !== undefined && !CONTAINER_NAME.test(container)) {
    throw inputError('container', `"${container}" is not a container name; expected letters, digits, - and _`);
  }
  const command = getText('command');
  const region = getOptional('region');
  // Checked even when no AWS call is needed, so that a typo does not wait for the day one is.
  if (region !== undefined) resolveRegion(region);

  return {
    template,
    family,
    region,
    images,
    'allow-mutable-tags': allowMutableTags,
    container,
    environment,
    'environment-mode': environmentMode,
    secrets: readSecrets(),
    vars,
    'vars-file': varsFile,
    cpu: readSize('cpu', parseCpuUnits, `CPU units (one of ${[...FARGATE_MEMORY.keys()].join(', ')}) or e.g. "1 vCPU"`),
    memory: readSize('memory', parseMemoryMiB, 'MiB such as 2048, or e.g. "2 GB"'),
    'task-role-arn': readRoleArn('task-role-arn'),
    'execution-role-arn': readRoleArn('execution-role-arn'),
    command: command === undefined ? undefined : parseCommand('command', command),
    'docker-labels': optionalKeyValues('docker-labels'),
    'log-options': optionalKeyValues('log-options'),
    cluster,
    service,
  };
}

function optionalKeyValues(name: string): Map<string, string> | undefined {
  const values = getKeyValues(name);
  return values.size > 0 ? values : undefined;
}

function lineNumber(text: string, key: string): number {
  // Container names hold only letters, digits, - and _, so the name needs no escaping in the pattern.
  const line = new RegExp(`^\\s*${key}\\s*=`);
  return text.split('\n').findIndex((candidate) => line.test(candidate)) + 1;
}

function readImages(allowMutableTags: boolean): Map<string, string> {
  const text = getMultiline('images');
  if (text.trim() === '') throw inputError('images', 'is required but was not set');
  const images = parseKeyValues('images', text, {
    keyName: 'container',
    valueName: 'image',
    keyPattern: CONTAINER_NAME,
    keyPatternDescription: 'may contain only letters, digits, - and _',
    allowEmptyValue: false,
  });
  for (const [container, image] of images) {
    const where = `line ${lineNumber(text, container)} "${container}=${image}"`;
    if (parseImageReference(image) === undefined) {
      throw inputError('images', `${where} is not an image reference; expected <repository>[:tag]@sha256:<64 hex>`);
    }
    if (!allowMutableTags && !isDigestPinned(image)) {
      throw inputError(
        'images',
        `${where} is not pinned by digest; expected <repository>@sha256:<64 hex> (set allow-mutable-tags: true to allow tags)`,
      );
    }
  }
  return images;
}

function readSecrets(): Map<string, string> | undefined {
  const secrets = getKeyValues('secrets', { keyName: 'NAME', valueName: 'valueFrom', allowEmptyValue: false });
  for (const [name, valueFrom] of secrets) {
    if (secretSource(valueFrom) === undefined) {
      throw inputError(
        'secrets',
        `${name}: "${valueFrom}" is not a secret reference; expected ${SECRET_REFERENCE_FORMS}`,
      );
    }
  }
  return secrets.size > 0 ? secrets : undefined;
}

function readSize(name: string, parse: (value: string) => number | undefined, form: string): string | undefined {
  const value = getOptional(name);
  if (value === undefined) return undefined;
  const amount = parse(value);
  if (amount === undefined) throw inputError(name, `"${value}" is not a size; expected ${form}`);
  return String(amount);
}

function readRoleArn(name: string): string | undefined {
  const value = getOptional(name);
  if (value !== undefined && !isRoleArn(value)) {
    throw inputError(name, `"${value}" is not an IAM role ARN; expected ${ROLE_ARN_FORM}`);
  }
  return value;
}
