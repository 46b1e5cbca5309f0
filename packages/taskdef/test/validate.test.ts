import { describe, expect, it } from '@jest/globals';
import { FARGATE_MEMORY, assertValid, parseCpuUnits, parseMemoryMiB, validateTaskDefinition } from '../src/validate.js';
import { container, fargateTask } from './fixtures.js';

const problemsOf = (...args: Parameters<typeof validateTaskDefinition>) => validateTaskDefinition(...args).problems;

describe('Fargate cpu and memory', () => {
  it.each([
    ['256', ['512', '1024', '2048']],
    ['512', ['1024', '2048', '3072', '4096']],
    ['1024', ['2048', '5120', '8192']],
    ['2048', ['4096', '9216', '16384']],
    ['4096', ['8192', '17408', '30720']],
    ['8192', ['16384', '20480', '61440']],
    ['16384', ['32768', '40960', '122880']],
  ])('accepts cpu %s with memory %j', (cpu, memories) => {
    for (const memory of memories) expect(problemsOf(fargateTask({ cpu, memory }))).toEqual([]);
  });

  it('holds the documented number of memory sizes for each cpu', () => {
    expect([...FARGATE_MEMORY].map(([cpu, sizes]) => [cpu, sizes.length])).toEqual([
      [256, 3],
      [512, 4],
      [1024, 7],
      [2048, 13],
      [4096, 23],
      [8192, 12],
      [16384, 12],
    ]);
  });

  it('rejects a memory size the cpu does not allow, naming the field and listing the valid sizes', () => {
    expect(problemsOf(fargateTask({ cpu: '256', memory: '4096' }))).toEqual([
      'memory: "4096" is not valid with cpu 256 on Fargate; expected one of 512, 1024, 2048 (MiB)',
    ]);
  });

  it('rejects a size between the steps (8192 cpu takes memory in 4096 steps)', () => {
    expect(problemsOf(fargateTask({ cpu: '8192', memory: '18432' }))).toEqual([
      'memory: "18432" is not valid with cpu 8192 on Fargate; expected one of ' +
        '16384, 20480, 24576, 28672, 32768, 36864, 40960, 45056, 49152, 53248, 57344, 61440 (MiB)',
    ]);
  });

  it('rejects a cpu Fargate does not offer, listing the valid ones', () => {
    expect(problemsOf(fargateTask({ cpu: '300' }))).toEqual([
      'cpu: "300" is not a Fargate CPU size; expected one of 256, 512, 1024, 2048, 4096, 8192, 16384',
    ]);
  });

  it('rejects a missing cpu and a missing memory', () => {
    expect(problemsOf(fargateTask({ cpu: undefined }))).toEqual([
      'cpu: is missing; FARGATE requires a task cpu, one of 256, 512, 1024, 2048, 4096, 8192, 16384',
    ]);
    expect(problemsOf(fargateTask({ memory: undefined }))).toEqual([
      'memory: is missing; FARGATE requires a task memory, with cpu 256 one of 512, 1024, 2048',
    ]);
  });

  it('accepts the vCPU and GB forms ECS converts', () => {
    expect(problemsOf(fargateTask({ cpu: '1 vCPU', memory: '2 GB' }))).toEqual([]);
    expect(problemsOf(fargateTask({ cpu: '0.25 vcpu', memory: '0.5GB' }))).toEqual([]);
  });
});

describe('parseCpuUnits and parseMemoryMiB', () => {
  it.each([
    [256, 256],
    ['512', 512],
    ['0.5 vCPU', 512],
    ['2vcpu', 2048],
    ['1.1 vCPU', undefined],
    ['lots', undefined],
    ['-256', undefined],
    [0, undefined],
  ])('reads cpu %j as %j', (value, units) => {
    expect(parseCpuUnits(value)).toBe(units);
  });

  it.each([
    ['2048', 2048],
    ['2 GB', 2048],
    ['0.5GB', 512],
    ['2 GiB', undefined],
    ['2 vCPU', undefined],
  ])('reads memory %j as %j', (value, mib) => {
    expect(parseMemoryMiB(value)).toBe(mib);
  });
});

describe('network mode', () => {
  it('requires awsvpc when FARGATE is required', () => {
    expect(problemsOf(fargateTask({ networkMode: 'bridge' }))).toEqual([
      'networkMode: is "bridge" but FARGATE requires "awsvpc"',
    ]);
    expect(problemsOf(fargateTask({ networkMode: undefined }))).toEqual([
      'networkMode: is null but FARGATE requires "awsvpc"',
    ]);
  });

  it('skips the Fargate rules with a warning when FARGATE is not required', () => {
    const validation = validateTaskDefinition(
      fargateTask({ requiresCompatibilities: ['EC2'], networkMode: 'bridge', cpu: '300' }),
    );
    expect(validation.problems).toEqual([]);
    expect(validation.warnings).toEqual([expect.stringMatching(/^requiresCompatibilities does not include FARGATE/)]);
  });
});

describe('containers', () => {
  it('rejects two containers with the same name, naming both', () => {
    const task = fargateTask({ containerDefinitions: [container(), container({ portMappings: [] })] });
    expect(problemsOf(task)).toEqual([
      'containerDefinitions[1].name: "web" is also the name of containerDefinitions[0]; container names must be unique',
    ]);
  });

  it('rejects a missing or malformed container name', () => {
    expect(problemsOf(fargateTask({ containerDefinitions: [container({ name: undefined })] }))).toEqual([
      'containerDefinitions[0].name: is missing; every container needs a name',
    ]);
    expect(problemsOf(fargateTask({ containerDefinitions: [container({ name: 'web app' })] }))).toEqual([
      'containerDefinitions[0].name: "web app" may contain only letters, digits, hyphens and underscores (up to 255)',
    ]);
  });

  it('requires at least one essential container', () => {
    const task = fargateTask({ containerDefinitions: [container({ essential: false })] });
    expect(problemsOf(task)).toEqual([
      'containerDefinitions: no container is essential; at least one must have "essential": true',
    ]);
  });

  it('counts a container without an essential key as essential, as ECS does', () => {
    expect(problemsOf(fargateTask({ containerDefinitions: [container({ essential: undefined })] }))).toEqual([]);
  });

  it('rejects a variable set both in environment and in secrets', () => {
    const task = fargateTask({
      containerDefinitions: [
        container({
          environment: [{ name: 'API_TOKEN', value: 'x' }],
          secrets: [{ name: 'API_TOKEN', valueFrom: '/web/api-token' }],
        }),
      ],
    });
    expect(problemsOf(task)).toEqual([
      'containerDefinitions[0]: API_TOKEN is set both in environment and in secrets; keep only one, so that which value the container sees is clear',
    ]);
  });

  it('rejects a malformed secret valueFrom in the template, naming its path', () => {
    const task = fargateTask({
      containerDefinitions: [container({ secrets: [{ name: 'DB', valueFrom: 'arn:aws:s3:::bucket/key' }] })],
    });
    expect(problemsOf(task)).toEqual([
      expect.stringMatching(
        /^containerDefinitions\[0\]\.secrets\[0\]\.valueFrom: "arn:aws:s3:::bucket\/key" is not a secret reference; expected an SSM parameter ARN/,
      ),
    ]);
  });
});

describe('port mappings', () => {
  const withPorts = (...portMappings: object[]) =>
    fargateTask({ containerDefinitions: [container({ portMappings: portMappings as never })] });

  it('accepts hostPort equal to containerPort, udp, and a containerPortRange', () => {
    expect(
      problemsOf(
        withPorts(
          { containerPort: 3000, hostPort: 3000 },
          { containerPort: 53, protocol: 'udp' },
          { containerPortRange: '8000-8010' },
        ),
      ),
    ).toEqual([]);
  });

  it('rejects a hostPort that differs from containerPort in awsvpc mode', () => {
    expect(problemsOf(withPorts({ containerPort: 3000, hostPort: 80 }))).toEqual([
      'containerDefinitions[0].portMappings[0].hostPort: 80 differs from containerPort 3000; in awsvpc mode hostPort must be omitted or equal containerPort',
    ]);
  });

  it('rejects a containerPort out of range or missing', () => {
    expect(problemsOf(withPorts({ containerPort: 70000 }))).toEqual([
      'containerDefinitions[0].portMappings[0].containerPort: 70000 is not a port; expected 1 to 65535',
    ]);
    expect(problemsOf(withPorts({ protocol: 'tcp' }))).toEqual([
      'containerDefinitions[0].portMappings[0].containerPort: is missing; expected a port from 1 to 65535',
    ]);
  });

  it('rejects an unknown protocol', () => {
    expect(problemsOf(withPorts({ containerPort: 3000, protocol: 'http' }))).toEqual([
      'containerDefinitions[0].portMappings[0].protocol: "http" is not a protocol; expected tcp or udp',
    ]);
  });

  it('rejects the same port in two containers, since awsvpc containers share one network interface', () => {
    const task = fargateTask({
      containerDefinitions: [container(), container({ name: 'sidecar', essential: false })],
    });
    expect(problemsOf(task)).toEqual([
      'containerDefinitions[1].portMappings[0].containerPort: 3000/tcp is already mapped by containerDefinitions[0].portMappings[0]; a task can bind each port once',
    ]);
  });
});

describe('assertValid', () => {
  it('throws one user error listing every broken rule with the source', () => {
    const validation = validateTaskDefinition(fargateTask({ networkMode: 'bridge', cpu: '300' }));
    expect(() => assertValid(validation, 'template t.json')).toThrow(
      'template t.json: the task definition breaks 2 rules: networkMode: is "bridge" but FARGATE requires "awsvpc"; cpu: "300" is not a Fargate CPU size',
    );
  });

  it('does nothing when no rule is broken', () => {
    expect(() => assertValid(validateTaskDefinition(fargateTask()), 't')).not.toThrow();
  });
});
