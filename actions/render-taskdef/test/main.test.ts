import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import nock from 'nock';
import { ActionRun, expectEcs, restoreEnvironment } from './harness.js';
import { DIGEST, OTHER_DIGEST, WEB_IMAGE } from './fixtures.js';

const ARN_7 = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:7';
const OLD_IMAGE = WEB_IMAGE.replace(DIGEST, OTHER_DIGEST);

const TEMPLATE = {
  family: 'web',
  requiresCompatibilities: ['FARGATE'],
  networkMode: 'awsvpc',
  cpu: '${CPU}',
  memory: '512',
  executionRoleArn: 'arn:aws:iam::123456789012:role/web-execution',
  containerDefinitions: [
    {
      name: 'web',
      image: '${IMAGE}',
      essential: true,
      portMappings: [{ containerPort: 3000 }],
      environment: [{ name: 'NODE_ENV', value: 'production' }],
    },
  ],
};

/** What DescribeTaskDefinition returns for web:7: the template's content plus the read-only keys and defaults ECS adds. */
function registered(image = OLD_IMAGE, environment = [{ name: 'NODE_ENV', value: 'production' }]): object {
  return {
    taskDefinition: {
      ...TEMPLATE,
      cpu: '256',
      taskDefinitionArn: ARN_7,
      revision: 7,
      status: 'ACTIVE',
      compatibilities: ['EC2', 'FARGATE'],
      requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.docker-remote-api.1.18' }],
      registeredAt: 1767225000,
      registeredBy: 'arn:aws:sts::123456789012:assumed-role/deploy/gha',
      containerDefinitions: [
        {
          name: 'web',
          image,
          cpu: 0,
          essential: true,
          portMappings: [{ containerPort: 3000, hostPort: 3000, protocol: 'tcp' }],
          environment,
          mountPoints: [],
          volumesFrom: [],
          systemControls: [],
        },
      ],
      volumes: [],
      placementConstraints: [],
    },
    tags: [{ key: 'team', value: 'payments' }],
  };
}

/** The service web in cluster prod runs web:7, which is `revision`. */
function expectRunning(revision: object): void {
  expectEcs(
    'DescribeServices',
    { cluster: 'prod', services: ['web'] },
    { services: [{ serviceName: 'web', status: 'ACTIVE', taskDefinition: ARN_7 }], failures: [] },
  );
  expectEcs('DescribeTaskDefinition', { taskDefinition: ARN_7, include: ['TAGS'] }, revision);
}

afterEach(() => {
  jest.restoreAllMocks();
  process.exitCode = undefined;
  restoreEnvironment();
  expect(nock.pendingMocks()).toEqual([]);
});

function templateRun(template: object | string = TEMPLATE, inputs: Record<string, string> = {}): ActionRun {
  const action = new ActionRun();
  return action.inputs({
    template: action.file('taskdef.json', template),
    images: `web=${WEB_IMAGE}`,
    vars: `CPU=256\nIMAGE=${WEB_IMAGE}`,
    ...inputs,
  });
}

describe('rendering a template', () => {
  it('writes the rendered file under RUNNER_TEMP and outputs its path and the images', async () => {
    const action = await templateRun().run();
    expect(action.commands('error')).toEqual([]);
    const { 'task-definition': path, images } = action.outputs();
    expect(path).toMatch(new RegExp(`^${action.dir}/render-taskdef-[^/]+/web\\.json$`));
    expect(JSON.parse(images!)).toEqual({ web: WEB_IMAGE });
    expect(action.rendered()).toEqual({
      ...TEMPLATE,
      cpu: '256',
      containerDefinitions: [{ ...TEMPLATE.containerDefinitions[0], image: WEB_IMAGE }],
    });
  });

  it('falls back to the system temporary folder outside a runner', async () => {
    const action = templateRun();
    delete process.env.RUNNER_TEMP;
    await action.run();
    expect(action.outputs()['task-definition']!.startsWith(tmpdir())).toBe(true);
    expect(existsSync(action.outputs()['task-definition']!)).toBe(true);
  });

  it('writes a job summary with the source, size and each image digest', async () => {
    const action = await templateRun().run();
    const summary = action.summary();
    expect(summary).toContain('<h2>Task definition web</h2>');
    expect(summary).toContain(`template ${action.dir}/taskdef.json`);
    expect(summary).toContain('cpu 256, memory 512 MiB');
    expect(summary).toContain(`<code>${'a'.repeat(12)}</code>`);
  });

  it('marks an image that is not pinned in the summary when allow-mutable-tags is true', async () => {
    const action = await templateRun(TEMPLATE, { images: 'web=nginx:1.27', 'allow-mutable-tags': 'true' }).run();
    expect(JSON.parse(action.outputs().images!)).toEqual({ web: 'nginx:1.27' });
    expect(action.summary()).toContain('<td><code>nginx:1.27</code></td><td><b>not pinned</b></td>');
  });

  it('takes vars from a vars file, with the vars input overriding it', async () => {
    const action = templateRun(TEMPLATE, { vars: `IMAGE=${WEB_IMAGE}\nCPU=256` });
    action.inputs({ 'vars-file': action.file('prod.env', '# prod\nCPU=1024\n') });
    await action.run();
    expect(action.rendered()).toMatchObject({ cpu: '256' });
  });

  it('warns about vars no placeholder uses', async () => {
    const action = await templateRun(TEMPLATE, { vars: `CPU=256\nIMAGE=${WEB_IMAGE}\nENVIROMENT=prod` }).run();
    expect(action.commands('warning')).toContain(
      `vars not used by any placeholder in ${action.dir}/taskdef.json: ENVIROMENT`,
    );
  });

  it('fails on an unresolved placeholder, naming it and where it is', async () => {
    const action = await templateRun(TEMPLATE, { vars: 'CPU=256' }).run();
    expect(action.commands('error')).toEqual([
      `template ${action.dir}/taskdef.json: unresolved placeholder \${IMAGE} at containerDefinitions[0].image. ` +
        "Set IMAGE=... in the input 'vars' (or 'vars-file'), or write $${NAME} for a literal ${NAME}.",
    ]);
    expect(process.exitCode).toBe(1);
    expect(action.outputs()).toEqual({});
  });

  it('strips the read-only keys of a copied DescribeTaskDefinition output with a notice', async () => {
    const copied = {
      ...TEMPLATE,
      taskDefinitionArn: ARN_7,
      revision: 7,
      status: 'ACTIVE',
      compatibilities: ['FARGATE'],
    };
    const action = await templateRun(copied).run();
    expect(action.commands('notice')).toEqual([
      `Removed read-only keys from ${action.dir}/taskdef.json: taskDefinitionArn, revision, status, compatibilities ` +
        '(DescribeTaskDefinition returns them; RegisterTaskDefinition refuses them)',
    ]);
    expect(action.rendered()).not.toHaveProperty('revision');
  });

  it('rejects keys RegisterTaskDefinition does not accept, listing every path', async () => {
    const template = {
      ...TEMPLATE,
      cpus: '256',
      containerDefinitions: [{ ...TEMPLATE.containerDefinitions[0], healthcheck: {} }],
    };
    const action = await templateRun(template).run();
    expect(action.commands('error')).toEqual([
      expect.stringContaining(
        `template ${action.dir}/taskdef.json: keys RegisterTaskDefinition does not accept: containerDefinitions[0].healthcheck, cpus.`,
      ),
    ]);
  });

  it('fails with every broken rule of the rendered task definition and writes nothing', async () => {
    const action = await templateRun({ ...TEMPLATE, networkMode: 'bridge', memory: '4096' }).run();
    expect(action.commands('error')).toEqual([
      `Input 'template': ${action.dir}/taskdef.json: the task definition breaks 2 rules: ` +
        'networkMode: is "bridge" but FARGATE requires "awsvpc"; ' +
        'memory: "4096" is not valid with cpu 256 on Fargate; expected one of 512, 1024, 2048 (MiB)',
    ]);
    expect(action.outputs()).toEqual({});
  });

  it('refuses a family from a template variable that would write outside RUNNER_TEMP', async () => {
    const action = await templateRun(
      { ...TEMPLATE, family: '${FAMILY}' },
      { vars: `CPU=256\nIMAGE=${WEB_IMAGE}\nFAMILY=../../escaped` },
    ).run();
    expect(action.commands('error')).toEqual([
      `Input 'template': ${action.dir}/taskdef.json: the task definition breaks a rule: ` +
        'family: "../../escaped" is not a task definition family; expected up to 255 letters, digits, hyphens and underscores',
    ]);
    expect(existsSync(`${action.dir}/../escaped.json`)).toBe(false);
    expect(action.outputs()).toEqual({});
  });

  it('fails on a missing template file, naming the input', async () => {
    const action = await new ActionRun()
      .inputs({ template: '/nonexistent/taskdef.json', images: `web=${WEB_IMAGE}` })
      .run();
    expect(action.commands('error')).toEqual([
      "Input 'template': cannot read /nonexistent/taskdef.json (no such file); expected the path of a JSON or YAML task definition",
    ]);
  });

  it('applies the cpu and memory inputs before validating', async () => {
    const action = await templateRun(TEMPLATE, { cpu: '1 vCPU', memory: '2048' }).run();
    expect(action.rendered()).toMatchObject({ cpu: '1024', memory: '2048' });
  });
});

describe('starting from a registered family', () => {
  it('reads the newest ACTIVE revision with its tags and renders from it', async () => {
    expectEcs('DescribeTaskDefinition', { taskDefinition: 'web', include: ['TAGS'] }, registered());
    const action = await new ActionRun().inputs({ family: 'web', images: `web=${WEB_IMAGE}` }).run();
    expect(action.commands('error')).toEqual([]);
    const rendered = action.rendered();
    expect(rendered).toMatchObject({ family: 'web', cpu: '256', tags: [{ key: 'team', value: 'payments' }] });
    expect(rendered).not.toHaveProperty('taskDefinitionArn');
    expect(rendered).not.toHaveProperty('revision');
    expect((rendered.containerDefinitions as Array<{ image: string }>)[0]!.image).toBe(WEB_IMAGE);
    expect(action.stdout).toContain(`Starting from web:7, the newest ACTIVE revision (${ARN_7})`);
  });

  it('calls ECS in the region given by the input', async () => {
    nock('https://ecs.us-east-2.amazonaws.com')
      .post('/', { taskDefinition: 'web', include: ['TAGS'] })
      .matchHeader('x-amz-target', 'AmazonEC2ContainerServiceV20141113.DescribeTaskDefinition')
      .reply(200, registered(), { 'content-type': 'application/x-amz-json-1.1' });
    const action = await new ActionRun()
      .inputs({ family: 'web', region: 'us-east-2', images: `web=${WEB_IMAGE}` })
      .run();
    expect(action.commands('error')).toEqual([]);
  });

  it('fails clearly when the family has no revision', async () => {
    expectEcs(
      'DescribeTaskDefinition',
      { taskDefinition: 'api', include: ['TAGS'] },
      { __type: 'ClientException', message: 'Unable to describe task definition.' },
      400,
    );
    const action = await new ActionRun().inputs({ family: 'api', images: `api=${WEB_IMAGE}` }).run();
    expect(action.commands('error')).toEqual([
      'Task definition "api" was not found in eu-west-1 (Unable to describe task definition.); ' +
        'check the family name and region, or register a first revision from a template',
    ]);
  });

  it('rejects a malformed region before calling AWS', async () => {
    const action = await new ActionRun().inputs({ family: 'web', region: 'Ireland', images: `web=${WEB_IMAGE}` }).run();
    expect(action.commands('error')).toEqual([
      `Input 'region': "Ireland" is not an AWS region; expected a region code such as eu-west-1`,
    ]);
  });

  it('fails on a bad input before calling AWS', async () => {
    const action = await new ActionRun().inputs({ family: 'web', images: 'web=nginx:latest' }).run();
    expect(action.commands('error')).toEqual([
      expect.stringMatching(/^Input 'images': line 1 "web=nginx:latest" is not pinned by digest/),
    ]);
  });
});

describe('comparing with the revision the service runs', () => {
  it('shows a unified diff of the normalised documents in the log and the summary', async () => {
    expectRunning(
      registered(OLD_IMAGE, [
        { name: 'NODE_ENV', value: 'production' },
        { name: 'DEBUG', value: '1' },
      ]),
    );
    const action = await templateRun(TEMPLATE, { cluster: 'prod', service: 'web' }).run();
    expect(action.commands('error')).toEqual([]);
    const diff = [
      '--- running web:7',
      '+++ rendered web',
      '@@ -3,16 +3,12 @@',
      '     {',
      '       "environment": [',
      '         {',
      '-          "name": "DEBUG",',
      '-          "value": "1"',
      '-        },',
      '-        {',
      '           "name": "NODE_ENV",',
      '           "value": "production"',
      '         }',
      '       ],',
      '       "essential": true,',
      `-      "image": "${OLD_IMAGE}",`,
      `+      "image": "${WEB_IMAGE}",`,
      '       "name": "web",',
      '       "portMappings": [',
      '         {',
      '@@ -29,11 +25,5 @@',
      '   "networkMode": "awsvpc",',
      '   "requiresCompatibilities": [',
      '     "FARGATE"',
      '-  ],',
      '-  "tags": [',
      '-    {',
      '-      "key": "team",',
      '-      "value": "payments"',
      '-    }',
      '   ]',
      ' }',
    ].join('\n');
    expect(action.stdout).toContain(diff);
    expect(action.summary()).toContain('<code>web:7</code>: 1 line added, 11 removed');
    expect(action.summary()).toContain('<summary>Diff against web:7</summary>');
    expect(action.summary()).toContain(`-      &quot;image&quot;: &quot;${OLD_IMAGE}&quot;,`);
  });

  it('says there is no change when the rendered definition equals the running one', async () => {
    expectRunning({ ...registered(WEB_IMAGE), tags: [] });
    const action = await templateRun(TEMPLATE, { cluster: 'prod', service: 'web' }).run();
    expect(action.stdout).toContain('No change from web:7');
    expect(action.summary()).toContain('<code>web:7</code>: no change');
  });

  it('redacts plain environment values whose names look secret, keeping a fingerprint', async () => {
    expectRunning(
      registered(WEB_IMAGE, [
        { name: 'NODE_ENV', value: 'production' },
        { name: 'STRIPE_API_KEY', value: 'sk_live_1' },
      ]),
    );
    const action = await templateRun(TEMPLATE, { cluster: 'prod', service: 'web' }).run();
    expect(action.stdout).not.toContain('sk_live_1');
    expect(action.stdout).toMatch(/-\s+"value": "<redacted, sha256 [0-9a-f]{8}>"/);
  });

  it('warns and renders anyway when the service does not exist yet', async () => {
    expectEcs(
      'DescribeServices',
      { cluster: 'prod', services: ['web'] },
      { services: [], failures: [{ arn: 'arn:aws:ecs:eu-west-1:123456789012:service/prod/web', reason: 'MISSING' }] },
    );
    const action = await templateRun(TEMPLATE, { cluster: 'prod', service: 'web' }).run();
    expect(action.commands('warning')).toContain(
      'No diff: service "web" in cluster "prod" does not exist (a first deploy creates it)',
    );
    expect(action.outputs()['task-definition']).toBeDefined();
    expect(action.summary()).toContain('nothing: service &quot;web&quot; in cluster &quot;prod&quot; does not exist');
  });

  it('fails when the cluster does not exist', async () => {
    expectEcs(
      'DescribeServices',
      { cluster: 'prdo', services: ['web'] },
      { __type: 'ClusterNotFoundException', message: 'Cluster not found.' },
      400,
    );
    const action = await templateRun(TEMPLATE, { cluster: 'prdo', service: 'web' }).run();
    expect(action.commands('error')).toEqual([
      `Input 'cluster': cluster "prdo" was not found in eu-west-1; check the name and region`,
    ]);
  });

  it('does not call AWS when the rendered definition is invalid', async () => {
    const action = await templateRun(TEMPLATE, { cluster: 'prod', service: 'web', memory: '8192' }).run();
    expect(action.commands('error')).toEqual([expect.stringContaining('memory: "8192" is not valid with cpu 256')]);
  });
});

describe('refusing a role of another account', () => {
  const FOREIGN_ROLE = 'arn:aws:iam::210987654321:role/web-execution';
  const REFUSAL_TAIL =
    'belongs to account 210987654321, but the AWS credentials act in account 123456789012; nothing was changed. ' +
    'Use an ARN of this account and region, or the credentials of the other account.';

  function expectNothingWritten(action: ActionRun): void {
    expect(action.outputs()).toEqual({});
    expect(readdirSync(action.dir).filter((name) => name.startsWith('render-taskdef-'))).toEqual([]);
  }

  it("names the template and the field of a template's role of another account", async () => {
    expectRunning(registered());
    const template = { ...TEMPLATE, executionRoleArn: FOREIGN_ROLE };
    const action = await templateRun(template, { cluster: 'prod', service: 'web' }).run();
    expect(action.commands('error')).toEqual([
      `Input 'template': ${action.dir}/taskdef.json executionRoleArn ${FOREIGN_ROLE} ${REFUSAL_TAIL}`,
    ]);
    expectNothingWritten(action);
  });

  it("names the family's revision and the field of a registered role of another account", async () => {
    const revision = registered() as { taskDefinition: object };
    const foreign = { ...revision, taskDefinition: { ...revision.taskDefinition, taskRoleArn: FOREIGN_ROLE } };
    expectEcs('DescribeTaskDefinition', { taskDefinition: 'web', include: ['TAGS'] }, foreign);
    const action = await new ActionRun().inputs({ family: 'web', images: `web=${WEB_IMAGE}` }).run();
    expect(action.commands('error')).toEqual([`Input 'family': web:7 taskRoleArn ${FOREIGN_ROLE} ${REFUSAL_TAIL}`]);
    expectNothingWritten(action);
  });

  it('names the role input that set a role of another account, not the revision it replaced', async () => {
    expectEcs('DescribeTaskDefinition', { taskDefinition: 'web', include: ['TAGS'] }, registered());
    const action = await new ActionRun()
      .inputs({ family: 'web', images: `web=${WEB_IMAGE}`, 'execution-role-arn': FOREIGN_ROLE })
      .run();
    expect(action.commands('error')).toEqual([`Input 'execution-role-arn': ${FOREIGN_ROLE} ${REFUSAL_TAIL}`]);
    expectNothingWritten(action);
  });
});
