import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { readInputs } from '../src/inputs.js';
import { WEB_IMAGE } from './fixtures.js';

const saved = { ...process.env };
function setInputs(inputs: Record<string, string>): void {
  for (const [name, value] of Object.entries(inputs))
    process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
}
/** The inputs of a minimal valid run, plus the ones a test sets. */
function withInputs(inputs: Record<string, string>): void {
  setInputs({ template: 'deploy/taskdef.json', images: `web=${WEB_IMAGE}`, ...inputs });
}

beforeEach(() => {
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key];
});
afterEach(() => {
  process.env = { ...saved };
});

describe('template and family', () => {
  it('reads a template path', () => {
    withInputs({});
    expect(readInputs()).toMatchObject({ template: 'deploy/taskdef.json', family: undefined });
  });

  it('reads a family with a region instead of a template', () => {
    setInputs({ family: 'web-prod', region: 'eu-west-1', images: `web=${WEB_IMAGE}` });
    expect(readInputs()).toMatchObject({ template: undefined, family: 'web-prod', region: 'eu-west-1' });
  });

  it('rejects a malformed region even when no AWS call is needed', () => {
    withInputs({ region: 'eu west 1' });
    expect(() => readInputs()).toThrow(
      `Input 'region': "eu west 1" is not an AWS region; expected a region code such as eu-west-1`,
    );
  });

  it('requires one of them', () => {
    setInputs({ images: `web=${WEB_IMAGE}` });
    expect(() => readInputs()).toThrow(
      "Input 'template': is required (or set 'family' to start from the newest registered revision)",
    );
  });

  it('rejects both at once', () => {
    withInputs({ family: 'web' });
    expect(() => readInputs()).toThrow("Input 'family': cannot be combined with 'template'");
  });

  it('rejects a family name ECS would not accept', () => {
    setInputs({ family: 'web:12', images: `web=${WEB_IMAGE}` });
    expect(() => readInputs()).toThrow(`Input 'family': "web:12" is not a task definition family`);
  });
});

describe('images', () => {
  it('reads one image per container, tag before the digest allowed', () => {
    const tagged = WEB_IMAGE.replace('/web@', '/web:1.4.2@');
    withInputs({ images: `web=${WEB_IMAGE}\n\nworker = ${tagged}\n` });
    expect(readInputs().images).toEqual(
      new Map([
        ['web', WEB_IMAGE],
        ['worker', tagged],
      ]),
    );
  });

  it('is required', () => {
    setInputs({ template: 't.json' });
    expect(() => readInputs()).toThrow("Input 'images': is required but was not set");
  });

  it('rejects an image that is not pinned by digest, naming the line', () => {
    withInputs({ images: `web=${WEB_IMAGE}\nworker=nginx:1.27` });
    expect(() => readInputs()).toThrow(
      `Input 'images': line 2 "worker=nginx:1.27" is not pinned by digest; expected <repository>@sha256:<64 hex> (set allow-mutable-tags: true to allow tags)`,
    );
  });

  it('accepts a tag when allow-mutable-tags is true', () => {
    withInputs({ images: 'web=nginx:1.27', 'allow-mutable-tags': 'true' });
    expect(readInputs()).toMatchObject({ images: new Map([['web', 'nginx:1.27']]), 'allow-mutable-tags': true });
  });

  it('rejects a value that is not an image reference even with allow-mutable-tags', () => {
    withInputs({ images: 'web=Not An Image', 'allow-mutable-tags': 'true' });
    expect(() => readInputs()).toThrow(
      `Input 'images': line 1 "web=Not An Image" is not an image reference; expected <repository>[:tag]@sha256:<64 hex>`,
    );
  });

  it('rejects a line without a container name', () => {
    withInputs({ images: WEB_IMAGE });
    expect(() => readInputs()).toThrow(/^Input 'images': line 1 .* has no "="; expected container=image$/);
  });

  it('names the right line when the name has spaces around =', () => {
    withInputs({ images: `web=${WEB_IMAGE}\n  worker   =  nginx:1.27` });
    expect(() => readInputs()).toThrow(`Input 'images': line 2 "worker=nginx:1.27" is not pinned by digest`);
  });

  it('rejects the same container twice', () => {
    withInputs({ images: `web=${WEB_IMAGE}\nweb=${WEB_IMAGE}` });
    expect(() => readInputs()).toThrow(`Input 'images': line 2: container "web" is given twice`);
  });

  it('rejects a container name ECS would not accept', () => {
    withInputs({ images: `web app=${WEB_IMAGE}` });
    expect(() => readInputs()).toThrow(
      `Input 'images': line 1: container "web app" may contain only letters, digits, - and _`,
    );
  });
});

describe('allow-mutable-tags', () => {
  it('defaults to false', () => {
    withInputs({});
    expect(readInputs()['allow-mutable-tags']).toBe(false);
  });

  it('rejects a value that is not a boolean', () => {
    withInputs({ 'allow-mutable-tags': 'sometimes' });
    expect(() => readInputs()).toThrow(`Input 'allow-mutable-tags': "sometimes" is not a boolean`);
  });
});

describe('container', () => {
  it('reads a container name', () => {
    withInputs({ container: 'worker' });
    expect(readInputs().container).toBe('worker');
  });

  it('rejects a name ECS would not accept', () => {
    withInputs({ container: 'my container' });
    expect(() => readInputs()).toThrow(`Input 'container': "my container" is not a container name`);
  });
});

describe('environment and environment-mode', () => {
  it('reads KEY=VALUE lines keeping = in values, merge by default', () => {
    withInputs({ environment: 'DATABASE_OPTIONS=sslmode=require&x=1\nNODE_ENV=production' });
    expect(readInputs()).toMatchObject({
      environment: new Map([
        ['DATABASE_OPTIONS', 'sslmode=require&x=1'],
        ['NODE_ENV', 'production'],
      ]),
      'environment-mode': 'merge',
    });
  });

  it('leaves environment undefined when it is not set', () => {
    withInputs({});
    expect(readInputs().environment).toBeUndefined();
  });

  it('rejects a line without =', () => {
    withInputs({ environment: 'NODE_ENV' });
    expect(() => readInputs()).toThrow(`Input 'environment': line 1 "NODE_ENV" has no "="; expected KEY=VALUE`);
  });

  it('accepts replace with an environment', () => {
    withInputs({ environment: 'A=1', 'environment-mode': 'replace' });
    expect(readInputs()['environment-mode']).toBe('replace');
  });

  it('rejects replace without an environment, which would remove every variable', () => {
    withInputs({ 'environment-mode': 'replace' });
    expect(() => readInputs()).toThrow(
      "Input 'environment-mode': replace needs the input 'environment': the container ends with exactly those variables",
    );
  });

  it('rejects a mode other than merge or replace', () => {
    withInputs({ 'environment-mode': 'append' });
    expect(() => readInputs()).toThrow(
      `Input 'environment-mode': "append" is not allowed; expected one of merge, replace`,
    );
  });
});

describe('secrets', () => {
  it.each([
    'arn:aws:ssm:eu-west-1:123456789012:parameter/web/prod/api-token',
    'arn:aws:secretsmanager:eu-west-1:123456789012:secret:web/prod/db-AbC123',
    'arn:aws:secretsmanager:eu-west-1:123456789012:secret:web/prod/db-AbC123:password::',
    'arn:aws-us-gov:ssm:us-gov-west-1:123456789012:parameter/api-token',
    '/web/prod/api-token',
    'api-token',
  ])('accepts %s', (valueFrom) => {
    withInputs({ secrets: `API_TOKEN=${valueFrom}` });
    expect(readInputs().secrets).toEqual(new Map([['API_TOKEN', valueFrom]]));
  });

  it.each([
    'arn:aws:s3:::bucket/token',
    'arn:aws:secretsmanager:eu-west-1:1234:secret:db',
    'arn:aws:ssm:eu-west-1:123456789012:secret/db',
    'web prod token',
  ])('rejects %s naming the variable and the accepted forms', (valueFrom) => {
    withInputs({ secrets: `API_TOKEN=${valueFrom}` });
    expect(() => readInputs()).toThrow(
      `Input 'secrets': API_TOKEN: "${valueFrom}" is not a secret reference; expected an SSM parameter ARN`,
    );
  });

  it('rejects an empty valueFrom', () => {
    withInputs({ secrets: 'API_TOKEN=' });
    expect(() => readInputs()).toThrow(
      `Input 'secrets': line 1 "API_TOKEN=" has an empty valueFrom; expected NAME=valueFrom`,
    );
  });
});

describe('vars and vars-file', () => {
  it('reads NAME=VALUE lines and a vars file path', () => {
    withInputs({ vars: `ENVIRONMENT=prod\nIMAGE=${WEB_IMAGE}`, 'vars-file': 'deploy/prod.env' });
    expect(readInputs()).toMatchObject({
      vars: new Map([
        ['ENVIRONMENT', 'prod'],
        ['IMAGE', WEB_IMAGE],
      ]),
      'vars-file': 'deploy/prod.env',
    });
  });

  it('rejects a name a placeholder could not use', () => {
    withInputs({ vars: '1ENV=prod' });
    expect(() => readInputs()).toThrow(
      `Input 'vars': line 1: NAME "1ENV" must be letters, digits and underscores, not starting with a digit`,
    );
  });

  it('rejects vars or vars-file with a family, which has no placeholders', () => {
    setInputs({ family: 'web', images: `web=${WEB_IMAGE}`, vars: 'A=1' });
    expect(() => readInputs()).toThrow("Input 'vars': applies to a 'template' only, not to 'family'");
    delete process.env.INPUT_VARS;
    setInputs({ 'vars-file': 'prod.env' });
    expect(() => readInputs()).toThrow("Input 'vars-file': applies to a 'template' only, not to 'family'");
  });
});

describe('cpu and memory', () => {
  it('reads CPU units and MiB, converting the vCPU and GB forms', () => {
    withInputs({ cpu: '1 vCPU', memory: '3 GB' });
    expect(readInputs()).toMatchObject({ cpu: '1024', memory: '3072' });
    withInputs({ cpu: '2048', memory: '4096' });
    expect(readInputs()).toMatchObject({ cpu: '2048', memory: '4096' });
  });

  it('rejects a cpu that is not a size', () => {
    withInputs({ cpu: 'large' });
    expect(() => readInputs()).toThrow(`Input 'cpu': "large" is not a size; expected CPU units (one of 256, 512,`);
  });

  it('rejects a memory that is not a size', () => {
    withInputs({ memory: '2 GiB' });
    expect(() => readInputs()).toThrow(
      `Input 'memory': "2 GiB" is not a size; expected MiB such as 2048, or e.g. "2 GB"`,
    );
  });
});

describe('task-role-arn and execution-role-arn', () => {
  it('reads role ARNs', () => {
    withInputs({
      'task-role-arn': 'arn:aws:iam::123456789012:role/web-task',
      'execution-role-arn': 'arn:aws:iam::123456789012:role/ecs/web-execution',
    });
    expect(readInputs()).toMatchObject({
      'task-role-arn': 'arn:aws:iam::123456789012:role/web-task',
      'execution-role-arn': 'arn:aws:iam::123456789012:role/ecs/web-execution',
    });
  });

  it.each(['task-role-arn', 'execution-role-arn'])('rejects %s that is not a role ARN', (name) => {
    withInputs({ [name]: 'arn:aws:iam::123456789012:user/deployer' });
    expect(() => readInputs()).toThrow(
      `Input '${name}': "arn:aws:iam::123456789012:user/deployer" is not an IAM role ARN; expected an IAM role ARN such as arn:aws:iam::123456789012:role/web-task`,
    );
  });
});

describe('command', () => {
  it('reads a JSON array', () => {
    withInputs({ command: '["node", "dist/main.js"]' });
    expect(readInputs().command).toEqual(['node', 'dist/main.js']);
  });

  it('splits a shell-style string respecting quotes', () => {
    withInputs({ command: `sh -c "node dist/migrate.js && node dist/main.js"` });
    expect(readInputs().command).toEqual(['sh', '-c', 'node dist/migrate.js && node dist/main.js']);
  });

  it('rejects an unterminated quote', () => {
    withInputs({ command: `sh -c 'echo` });
    expect(() => readInputs()).toThrow(`Input 'command': has an unterminated single quote`);
  });
});

describe('docker-labels and log-options', () => {
  it('reads KEY=VALUE lines keeping = in values', () => {
    withInputs({
      'docker-labels': 'traefik.http.routers.web.rule=Host(`a.example.com`) && Query(`x=1`)',
      'log-options': 'awslogs-datetime-format=%Y-%m-%d\nmode=non-blocking',
    });
    expect(readInputs()).toMatchObject({
      'docker-labels': new Map([['traefik.http.routers.web.rule', 'Host(`a.example.com`) && Query(`x=1`)']]),
      'log-options': new Map([
        ['awslogs-datetime-format', '%Y-%m-%d'],
        ['mode', 'non-blocking'],
      ]),
    });
  });

  it.each(['docker-labels', 'log-options'])('rejects a %s line without =', (name) => {
    withInputs({ [name]: 'mode' });
    expect(() => readInputs()).toThrow(`Input '${name}': line 1 "mode" has no "="; expected KEY=VALUE`);
  });
});

describe('cluster and service', () => {
  it('reads both', () => {
    withInputs({ cluster: 'prod', service: 'web' });
    expect(readInputs()).toMatchObject({ cluster: 'prod', service: 'web' });
  });

  it('rejects a cluster without a service', () => {
    withInputs({ cluster: 'prod' });
    expect(() => readInputs()).toThrow("Input 'service': is needed too: the diff needs both 'cluster' and 'service'");
  });

  it('rejects a service without a cluster', () => {
    withInputs({ service: 'web' });
    expect(() => readInputs()).toThrow("Input 'cluster': is needed too: the diff needs both 'cluster' and 'service'");
  });

  it('rejects a service name with a space before any AWS call', () => {
    withInputs({ cluster: 'prod', service: 'my web' });
    expect(() => readInputs()).toThrow(`Input 'service': "my web" is not a service name or ARN; expected up to 255`);
  });
});
