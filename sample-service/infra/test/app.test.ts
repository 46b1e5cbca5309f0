import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { buildSampleApp, cdkJsonContext } from '../src/app.js';
import { substituteVars } from '../../../actions/render-taskdef/src/vars.js';
import { ENVIRONMENT_NAMES, environmentConfig, readVarsFile } from '../src/environments.js';

// The whole app as `cdk synth` builds it, cdk-nag included, synthesized once for this file. The jest setup
// disables the network, and no AWS credentials are read: synthesis is offline.
// No credentials either: whatever the shell that runs jest has, synthesis sees none.
for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name];
process.env.AWS_CONFIG_FILE = '/nonexistent/aws-config';
process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/aws-credentials';
const outdir = mkdtempSync(join(tmpdir(), 'sample-service-infra-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));
const started = process.hrtime.bigint();
const sample = buildSampleApp({ outdir });
const assembly: CloudAssembly = sample.app.synth();
const synthSeconds = Number(process.hrtime.bigint() - started) / 1e9;

type Template = {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }>;
  Outputs?: Record<string, { Value: unknown }>;
};
const templates = new Map(
  ENVIRONMENT_NAMES.map((name) => [name, assembly.getStackByName(`sample-service-${name}`).template as Template]),
);

function resources(name: string, type: string) {
  return Object.entries(templates.get(name as never)!.Resources).filter(([, resource]) => resource.Type === type);
}

/** The variables docs/setup.md's table lists, per GitHub environment. */
function documentedVariables(): Map<string, Set<string>> {
  const setup = readFileSync(new URL('../../../docs/setup.md', import.meta.url), 'utf8');
  const byEnvironment = new Map<string, Set<string>>();
  for (const [, variable, environments] of setup.matchAll(/^\| `([A-Z_]+)` \| ([a-z, ]+) \|/gm)) {
    for (const environment of environments.split(',').map((word) => word.trim())) {
      if (!byEnvironment.has(environment)) byEnvironment.set(environment, new Set());
      byEnvironment.get(environment)!.add(variable);
    }
  }
  return byEnvironment;
}

describe('the sample service app', () => {
  it('synthesizes dev, staging and prod offline', () => {
    expect(assembly.stacks.map((stack) => stack.stackName).sort()).toEqual([
      'sample-service-dev',
      'sample-service-prod',
      'sample-service-staging',
    ]);
    // Not a performance goal (that is the bench's job): printed so that a slow synthesis is noticed.
    console.log(`synthesized 3 stacks with cdk-nag in ${synthSeconds.toFixed(1)} s`);
  });

  it("applies cdk.json's feature flags outside the CLI too (new App() alone would not read cdk.json)", () => {
    const context = cdkJsonContext();
    const flags = Object.keys(context).filter((key) => key.startsWith('@aws-cdk'));
    expect(flags.length).toBeGreaterThan(50);
    for (const flag of flags) expect(sample.app.node.tryGetContext(flag)).toEqual(context[flag]);
  });

  it("turns the CLI's notices, telemetry and version reporting off", () => {
    const cdkJson = JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8'));
    expect(cdkJson).toMatchObject({ notices: false, versionReporting: false, context: { 'cli-telemetry': false } });
    for (const stack of assembly.stacks)
      expect(Object.values((stack.template as Template).Resources).map((r) => r.Type)).not.toContain(
        'AWS::CDK::Metadata',
      );
  });

  it('needs no lookup in an account: nothing is missing from the context, so `cdk synth` asks AWS for nothing', () => {
    expect(assembly.manifest.missing ?? []).toEqual([]);
  });

  it('leaves no unacknowledged cdk-nag AwsSolutions finding, nor any CloudFormation validation finding', () => {
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: Array<{ pluginName: string; violations: unknown[] }>;
    };
    expect(report.pluginReports.flatMap((plugin) => plugin.violations)).toEqual([]);
  });

  it('gives every acknowledged finding a reason', () => {
    const acknowledged = [...templates].flatMap(([environment, template]) =>
      Object.values(template.Resources).flatMap((resource) => {
        const rules = (resource.Metadata?.cdk_nag as { rules_to_suppress?: Array<{ id: string; reason: string }> })
          ?.rules_to_suppress;
        return (rules ?? []).map((rule) => ({ environment, type: resource.Type, ...rule }));
      }),
    );
    // The deploy role's wildcards under this environment's own cluster and family, named per environment.
    const general = (rule: { environment: string; id: string }) =>
      rule.id
        .replace(`:task-definition/sample-service-${rule.environment}:*]`, ':task-definition/<family>:*]')
        .replace(`:task/sample-service-${rule.environment}/*]`, ':task/<cluster>/*]')
        .replace(
          `:service-deployment/sample-service-${rule.environment}/sample-service/*]`,
          ':service-deployment/<cluster>/<service>/*]',
        )
        .replace(
          `:service-revision/sample-service-${rule.environment}/sample-service/*]`,
          ':service-revision/<cluster>/<service>/*]',
        )
        .replace(
          `:log-group:/ecs/sample-service-${rule.environment}:log-stream:*]`,
          ':log-group:<log group>:log-stream:*]',
        )
        .replace(/arn:aws:logs:eu-west-1:\d{12}:/, 'arn:aws:logs:<region>:<account>:')
        .replace(/arn:aws:ecs:eu-west-1:\d{12}:/, 'arn:aws:ecs:<region>:<account>:');
    expect([...new Set(acknowledged.map(general))].sort()).toEqual([
      'AwsSolutions-EC23',
      'AwsSolutions-ELB2',
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-IAM5[Resource::arn:aws:ecs:<region>:<account>:service-deployment/<cluster>/<service>/*]',
      // rollback-plan's DescribeServiceRevisions: revision ids ECS assigns, under this environment's own service.
      'AwsSolutions-IAM5[Resource::arn:aws:ecs:<region>:<account>:service-revision/<cluster>/<service>/*]',
      'AwsSolutions-IAM5[Resource::arn:aws:ecs:<region>:<account>:task-definition/<family>:*]',
      'AwsSolutions-IAM5[Resource::arn:aws:ecs:<region>:<account>:task/<cluster>/*]',
      'AwsSolutions-IAM5[Resource::arn:aws:logs:<region>:<account>:log-group:<log group>:log-stream:*]',
      // aws-cdk-lib's own FlowLog acknowledges these two (its camelCase DestinationOptions).
      'CloudFormation-Validate::F3002',
      'CloudFormation-Validate::F3003',
    ]);
    // Each acknowledgement sits on the resource it is about, not on a whole subtree.
    const where = new Map<string, Set<string>>();
    for (const rule of acknowledged.filter((rule) => rule.id.startsWith('AwsSolutions-'))) {
      where.set(general(rule), (where.get(general(rule)) ?? new Set()).add(rule.type));
    }
    expect(Object.fromEntries([...where].map(([id, types]) => [id, [...types].sort()]))).toEqual({
      'AwsSolutions-EC23': ['AWS::EC2::SecurityGroup'],
      'AwsSolutions-ELB2': ['AWS::ElasticLoadBalancingV2::LoadBalancer'],
      'AwsSolutions-IAM5[Resource::*]': ['AWS::IAM::Policy', 'AWS::IAM::Role'],
      'AwsSolutions-IAM5[Resource::arn:aws:ecs:<region>:<account>:task-definition/<family>:*]': ['AWS::IAM::Role'],
      'AwsSolutions-IAM5[Resource::arn:aws:ecs:<region>:<account>:task/<cluster>/*]': ['AWS::IAM::Role'],
      'AwsSolutions-IAM5[Resource::arn:aws:ecs:<region>:<account>:service-deployment/<cluster>/<service>/*]': [
        'AWS::IAM::Role',
      ],
      'AwsSolutions-IAM5[Resource::arn:aws:ecs:<region>:<account>:service-revision/<cluster>/<service>/*]': [
        'AWS::IAM::Role',
      ],
      'AwsSolutions-IAM5[Resource::arn:aws:logs:<region>:<account>:log-group:<log group>:log-stream:*]': [
        'AWS::IAM::Role',
      ],
    });
    for (const rule of acknowledged) expect(rule.reason.length).toBeGreaterThan(60);
  });

  it.each(ENVIRONMENT_NAMES)('outputs exactly the GitHub variables docs/setup.md lists for %s', (environment) => {
    const documented = documentedVariables();
    const outputs = Object.keys(templates.get(environment)!.Outputs ?? {}).filter((key) => key.startsWith('GitHubVar'));
    const expected = [...documented.get(environment)!].map(
      (variable) =>
        `GitHubVar${environment[0].toUpperCase()}${environment.slice(1)}${variable
          .split('_')
          .map((word) => word[0] + word.slice(1).toLowerCase())
          .join('')}`,
    );
    if (environment === ENVIRONMENT_NAMES[0]) {
      expected.push(
        ...[...documented.get('build')!].map(
          (v) =>
            `GitHubVarBuild${v
              .split('_')
              .map((w) => w[0] + w.slice(1).toLowerCase())
              .join('')}`,
        ),
      );
    }
    expect(outputs.sort()).toEqual(expected.sort());
  });

  it("creates the ECR repository and the build role once, in the first environment's account", () => {
    expect(resources('dev', 'AWS::ECR::Repository')).toHaveLength(1);
    expect(resources('staging', 'AWS::ECR::Repository')).toHaveLength(0);
    expect(resources('prod', 'AWS::ECR::Repository')).toHaveLength(0);
    const [[, repository]] = resources('dev', 'AWS::ECR::Repository');
    expect(JSON.stringify(repository.Properties?.RepositoryPolicyText)).toContain(
      'arn:aws:iam::333333333333:role/sample-service-prod-execution',
    );
  });

  it('lets the staging execution role pull from the repository in the dev account', () => {
    const policies = resources('staging', 'AWS::IAM::Policy').map(([, policy]) => JSON.stringify(policy.Properties));
    expect(
      policies.some(
        (policy) => policy.includes('ecr:BatchGetImage') && policy.includes(':111111111111:repository/sample-service'),
      ),
    ).toBe(true);
  });

  it('creates one GitHub OIDC provider per account', () => {
    for (const environment of ENVIRONMENT_NAMES)
      expect(resources(environment, 'AWS::IAM::OIDCProvider')).toHaveLength(1);
  });

  it('imports the provider in a second environment of the same account', () => {
    const [dev, staging] = ENVIRONMENT_NAMES.slice(0, 2).map(environmentConfig);
    const shared = buildSampleApp({
      environments: [dev, { ...staging, account: dev.account }],
      outdir: join(outdir, 'shared'),
    });
    const stagingTemplate = shared.app.synth().getStackByName('sample-service-staging').template as Template;
    expect(Object.values(stagingTemplate.Resources).filter((r) => r.Type === 'AWS::IAM::OIDCProvider')).toHaveLength(0);
    expect(Object.values(stagingTemplate.Resources).filter((r) => r.Type === 'AWS::ECR::Repository')).toHaveLength(0);
  }, 180_000);
});

/** A template value with the pseudo parameters of the stack's account resolved (Fn::Join of literals and AWS::Partition). */
function resolved(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolved);
  if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if (object.Ref === 'AWS::Partition') return 'aws';
    if (Array.isArray(object['Fn::Join'])) {
      const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
      const values = parts.map(resolved);
      return values.every((part) => typeof part === 'string')
        ? values.join(separator)
        : { 'Fn::Join': [separator, values] };
    }
    return Object.fromEntries(Object.entries(object).map(([key, inner]) => [key, resolved(inner)]));
  }
  return value;
}

// The stack owns the names around the task definition, the pipeline's template (sample-service/deploy/) the
// revisions: rendered with each environment's vars file, the template must name what the stack created.
describe.each(ENVIRONMENT_NAMES)('the task-definition template rendered for %s', (environment) => {
  const rendered = substituteVars(
    JSON.parse(readFileSync(new URL('../../deploy/taskdef.template.json', import.meta.url), 'utf8')),
    new Map([
      ...readVarsFile(environment),
      ['IMAGE', '111111111111.dkr.ecr.eu-west-1.amazonaws.com/sample-service@sha256:' + 'a'.repeat(64)],
    ]),
    'taskdef.template.json',
  ).document as {
    family: string;
    executionRoleArn: string;
    taskRoleArn: string;
    containerDefinitions: Array<{
      name: string;
      portMappings: Array<{ containerPort: number }>;
      secrets: Array<{ name: string; valueFrom: string }>;
      logConfiguration: { options: Record<string, string> };
    }>;
  };
  const [container] = rendered.containerDefinitions;
  const template = () => templates.get(environment)!;
  const [[, bootstrap]] = resources(environment, 'AWS::ECS::TaskDefinition');
  const [[, service]] = resources(environment, 'AWS::ECS::Service');

  it('is the family the service runs', () => {
    expect(rendered.family).toBe(bootstrap.Properties?.Family);
    expect(service.Properties?.TaskDefinition).toBe(rendered.family);
  });

  it('passes the task and execution roles the stack created (the deploy role may pass exactly these)', () => {
    const roleNames = resources(environment, 'AWS::IAM::Role').map(([, role]) => role.Properties?.RoleName);
    const { account } = environmentConfig(environment);
    for (const arn of [rendered.executionRoleArn, rendered.taskRoleArn]) {
      expect(arn.startsWith(`arn:aws:iam::${account}:role/`)).toBe(true);
      expect(roleNames).toContain(arn.split('/').pop());
      expect(JSON.stringify(template())).toContain(arn);
    }
  });

  it("runs the container and port the target group sends traffic to, logging to the stack's log group", () => {
    const loadBalancers = service.Properties?.LoadBalancers as Array<{ ContainerName: string; ContainerPort: number }>;
    expect(loadBalancers).toEqual([
      expect.objectContaining({
        ContainerName: container.name,
        ContainerPort: container.portMappings[0].containerPort,
      }),
    ]);
    const logGroups = resources(environment, 'AWS::Logs::LogGroup').map(([, group]) => group.Properties?.LogGroupName);
    expect(logGroups).toContain(container.logConfiguration.options['awslogs-group']);
  });

  it('injects as container secrets exactly the secrets the execution role may read', () => {
    const readable = resources(environment, 'AWS::IAM::Policy')
      .flatMap(
        ([, policy]) =>
          (resolved(policy.Properties?.PolicyDocument) as { Statement: Array<{ Action: unknown; Resource: unknown }> })
            .Statement,
      )
      .filter((statement) =>
        [statement.Action]
          .flat()
          .some((action) => ['secretsmanager:GetSecretValue', 'ssm:GetParameters'].includes(action as string)),
      )
      .flatMap((statement) => [statement.Resource].flat());
    expect(readable.sort()).toEqual(container.secrets.map((secret) => secret.valueFrom).sort());
  });
});
