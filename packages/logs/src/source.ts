/** Where one container's log lines go, from its logConfiguration in the task definition. */

/** The parts of an ECS container definition the reader needs (structurally the SDK's ContainerDefinition). */
export interface LoggedContainer {
  name?: string;
  essential?: boolean;
  logConfiguration?: { logDriver?: string; options?: Record<string, string> };
}

export type LogSource =
  /** The awslogs driver: one stream per container and task, `<prefix>/<container>/<task-id>`. */
  | { kind: 'awslogs'; container: string; group: string; stream: string; region?: string }
  /** Anything else: where the lines go, in one sentence; this project cannot read them. */
  | { kind: 'elsewhere'; container: string; where: string };

const ELSEWHERE: Record<string, string> = {
  awsfirelens: 'FireLens (Fluent Bit or Fluentd routes them; see the log router container)',
  splunk: 'Splunk',
  fluentd: 'Fluentd',
  gelf: 'a GELF endpoint',
  syslog: 'syslog',
  journald: 'journald on the instance',
  json: 'a JSON file on the instance',
  'json-file': 'a JSON file on the instance',
};

/** The task id from its ARN (`arn:aws:ecs:region:account:task/cluster/<id>`) or the id itself. */
export function taskIdOf(taskArn: string): string {
  return taskArn.slice(taskArn.lastIndexOf('/') + 1);
}

export function logSourceOf(container: LoggedContainer, taskArn: string): LogSource {
  const name = container.name ?? 'container';
  const configuration = container.logConfiguration;
  const driver = configuration?.logDriver;
  if (!driver || driver === 'none') {
    return {
      kind: 'elsewhere',
      container: name,
      where:
        driver === 'none' ? 'nowhere (logDriver none)' : 'nowhere: the container definition has no logConfiguration',
    };
  }
  if (driver !== 'awslogs') {
    return {
      kind: 'elsewhere',
      container: name,
      where: `${ELSEWHERE[driver] ?? `the ${driver} log driver`}; only awslogs can be read here`,
    };
  }
  const options = configuration.options ?? {};
  const group = options['awslogs-group'];
  const prefix = options['awslogs-stream-prefix'];
  if (!group) return { kind: 'elsewhere', container: name, where: 'awslogs without awslogs-group (ECS refuses this)' };
  // Without a prefix, awslogs on Fargate names streams by the Docker container id, which ECS does not report.
  if (!prefix) {
    return {
      kind: 'elsewhere',
      container: name,
      where: `log group ${group}, in a stream named by the container id (set awslogs-stream-prefix so it can be found)`,
    };
  }
  return {
    kind: 'awslogs',
    container: name,
    group,
    stream: `${prefix}/${name}/${taskIdOf(taskArn)}`,
    region: options['awslogs-region'],
  };
}

/** The essential containers' sources (ECS stops a task when one of these exits; a sidecar's end does not). */
export function essentialLogSources(containers: LoggedContainer[], taskArn: string): LogSource[] {
  return containers.filter((container) => container.essential !== false).map((c) => logSourceOf(c, taskArn));
}
