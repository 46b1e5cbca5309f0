import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import {
  FlowLogDestination,
  FlowLogTrafficType,
  type IVpc,
  Port,
  SecurityGroup,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import type { IRepository } from 'aws-cdk-lib/aws-ecr';
import {
  AlarmBehavior,
  Cluster,
  ContainerImage,
  ContainerInsights,
  CpuArchitecture,
  FargateService,
  FargateTaskDefinition,
  LogDrivers,
  AwsLogDriverMode,
  OperatingSystemFamily,
  type Secret,
  TaskDefinitionRevision,
} from 'aws-cdk-lib/aws-ecs';
import {
  ApplicationLoadBalancer,
  ApplicationProtocol,
  ApplicationTargetGroup,
  HttpCodeTarget,
  ListenerAction,
  ListenerCertificate,
  SslPolicy,
  TargetType,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { type IOidcProvider, type IRole, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct, type IConstruct } from 'constructs';
import { bootstrapHealthCheckCommand, bootstrapServerCommand, DEFAULT_BOOTSTRAP_IMAGE } from './bootstrap.js';
import { GitHubEnvironmentRole } from './github-oidc.js';
import { githubVariableOutput } from './github-variable-outputs.js';
import { iamPolicyFromDocs, wildcardResources } from './iam-documents.js';
import { checkEnvironmentName, checkGitHubRepository, checkServiceName } from './names.js';

export interface ServiceEnvironmentProps {
  /** The service's name: the ECS service, and the prefix of the cluster, roles, log group and family. */
  readonly serviceName: string;
  /** The GitHub environment this is (dev, staging, prod): its deploy role trusts that environment's jobs alone. */
  readonly environment: string;
  /** The repository whose pipeline deploys the service, as OWNER/REPOSITORY. */
  readonly githubRepository: string;
  /** The account's GitHub OIDC provider (GitHubOidcProvider.provider). */
  readonly oidcProvider: IOidcProvider;
  /** The ECR repository the images come from (ServiceRepository.repository, or ServiceRepository.fromAccount). */
  readonly repository: IRepository;
  /**
   * An existing VPC to run in, by id. Looking it up needs credentials once; commit the cdk.context.json it writes
   * so that later syntheses stay offline.
   * @default a new VPC: two zones, public subnets for the load balancer, private ones for the tasks, one NAT
   */
  readonly existingVpcId?: string;
  /**
   * NAT gateways of a new VPC. One is cheaper; one per zone survives the loss of a zone.
   * @default 1
   */
  readonly natGateways?: number;
  /**
   * The ECS cluster's name (the ECS_CLUSTER variable).
   * @default '<serviceName>-<environment>'
   */
  readonly clusterName?: string;
  /**
   * The container that receives traffic: the `container` input of deploy-environment.yml.
   * @default 'web'
   */
  readonly containerName?: string;
  /**
   * The port the container listens on.
   * @default 3000
   */
  readonly containerPort?: number;
  /**
   * The path the load balancer and the bootstrap revision's container health check ask.
   * @default '/health'
   */
  readonly healthCheckPath?: string;
  /**
   * An ACM certificate for the listener. With one, port 443 serves HTTPS and port 80 redirects to it; without one,
   * port 80 serves plain HTTP (only for a first try: the sample service forces HTTPS).
   * @default no certificate: HTTP only
   */
  readonly certificateArn?: string;
  /**
   * The public name of the service (a DNS name pointing at the load balancer, which you create). BASE_URL is
   * https://<domainName>; required with certificateArn, since the certificate is for that name.
   * @default BASE_URL is the load balancer's own DNS name
   */
  readonly domainName?: string;
  /**
   * Tasks at creation. CloudFormation sets the count again on a stack update that changes the service;
   * autoscaling moves it back within its range afterwards.
   * @default 2
   */
  readonly desiredCount?: number;
  /**
   * Autoscaling's lowest task count.
   * @default 1
   */
  readonly minTasks?: number;
  /**
   * Autoscaling's highest task count.
   * @default 10
   */
  readonly maxTasks?: number;
  /**
   * Average CPU utilisation autoscaling keeps the service at, in percent.
   * @default 70
   */
  readonly cpuTargetPercent?: number;
  /**
   * Average memory utilisation autoscaling keeps the service at, in percent.
   * @default 80
   */
  readonly memoryTargetPercent?: number;
  /**
   * How long ECS ignores failing load-balancer health checks of a new task while it starts.
   * @default 60 seconds
   */
  readonly healthCheckGracePeriod?: Duration;
  /**
   * Target 5xx responses in one minute that fail a deployment (ECS rolls back on the alarm).
   * @default 5
   */
  readonly target5xxPerMinute?: number;
  /**
   * How long the container logs are kept.
   * @default RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: RetentionDays;
  /**
   * Secrets the service reads, by the environment variable they become (Secrets Manager or SSM). The execution
   * role may read exactly these. The task-definition template the pipeline renders declares them as container
   * secrets, since the pipeline owns the running revision (see the ownership section of packages/infra/README.md).
   * @default none
   */
  readonly secrets?: Record<string, Secret>;
  /**
   * The image of the first revision, which only has to answer the health check until the pipeline's first deploy.
   * @default DEFAULT_BOOTSTRAP_IMAGE (node:24-alpine from ECR Public)
   */
  readonly bootstrapImage?: string;
  /**
   * The Slack channel id for deployment messages (the SLACK_CHANNEL variable).
   * @default no SLACK_CHANNEL output
   */
  readonly slackChannel?: string;
  /**
   * A bucket for the load balancer's access logs (it needs the ELB log-delivery bucket policy).
   * @default no access logs
   */
  readonly accessLogsBucket?: IBucket;
  /**
   * Whether the load balancer refuses to be deleted.
   * @default true
   */
  readonly deletionProtection?: boolean;
}

const HEALTH_CHECK_PATH = /^\/[A-Za-z0-9._~/-]*$/;

/**
 * Why each wildcard resource of docs/iam/deploy-role-policy.json is acceptable, by statement. A statement with a
 * wildcard that is not here stays a cdk-nag finding, which fails the synthesis until someone writes its reason.
 */
const DEPLOY_POLICY_WILDCARD_REASONS: Record<string, string> = {
  RunOneOffTasks:
    "run-task registers a new revision per run, so it may run any revision of this service's own family, and only in " +
    'this cluster (the ecs:cluster condition).',
  ReadTheTasksLogLines:
    'run-task prints the last log lines of the task it ran; log streams are named per task, so the resource is every ' +
    "stream of this environment's own log group.",
  StopOneOffTasksOnTimeoutOrCancel:
    'run-task stops the task it started when it times out or is cancelled; task ids are not known before, so the ' +
    'resource is every task of this cluster.',
};

/**
 * The reason cdk-nag is told for a wildcard resource of the deploy policy, or undefined to leave it a finding. Besides
 * the statements above, a wildcard inside this environment's own cluster or family is an id ECS assigns at run time
 * (a task, a service deployment); a wildcard anywhere else stays a finding.
 */
export function deployPolicyWildcardReason(
  sid: string,
  resource: string,
  own: { region: string; account: string; clusterName: string; family: string },
): string | undefined {
  if (DEPLOY_POLICY_WILDCARD_REASONS[sid]) return DEPLOY_POLICY_WILDCARD_REASONS[sid];
  const ownResource =
    resource.startsWith(`arn:aws:ecs:${own.region}:${own.account}:`) &&
    (resource.includes(`/${own.clusterName}/`) || resource.includes(`/${own.family}:`));
  if (!ownResource) return undefined;
  return (
    `Statement ${sid} of docs/iam/deploy-role-policy.json: the wildcard is the id ECS assigns at run time, ` +
    `inside this environment's own cluster (${own.clusterName}) or family (${own.family}).`
  );
}

/**
 * One environment of one service, ready for the pipeline: VPC, cluster, load balancer, Fargate service, log group,
 * task and execution roles, autoscaling, deployment alarms, and the environment's deploy role, with one stack output
 * per GitHub variable. The stack owns everything around the task definition; the pipeline owns its revisions.
 */
export class ServiceEnvironment extends Construct {
  readonly vpc: IVpc;
  readonly cluster: Cluster;
  readonly service: FargateService;
  readonly loadBalancer: ApplicationLoadBalancer;
  readonly targetGroup: ApplicationTargetGroup;
  readonly logGroup: LogGroup;
  readonly taskRole: Role;
  readonly executionRole: Role;
  readonly deployRole: IRole;
  /** The URL smoke tests use (BASE_URL). */
  readonly baseUrl: string;

  constructor(scope: Construct, id: string, props: ServiceEnvironmentProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const serviceName = checkServiceName(props.serviceName);
    const environment = checkEnvironmentName(props.environment);
    checkGitHubRepository(props.githubRepository);
    const name = `${serviceName}-${environment}`;
    if (name.length > 32) {
      throw new Error(
        `"${name}" (serviceName-environment) is ${name.length} characters; a load balancer's name allows 32: shorten serviceName or environment`,
      );
    }
    const clusterName = props.clusterName ?? name;
    const containerName = props.containerName ?? 'web';
    const containerPort = props.containerPort ?? 3000;
    const healthCheckPath = props.healthCheckPath ?? '/health';
    if (!HEALTH_CHECK_PATH.test(healthCheckPath)) {
      throw new Error(`healthCheckPath "${healthCheckPath}" is not valid; expected a path such as /health`);
    }
    if (props.certificateArn && !props.domainName) {
      throw new Error(
        'certificateArn needs domainName: the certificate is for a name, and BASE_URL is https://<domainName>',
      );
    }
    const minTasks = props.minTasks ?? 1;
    const maxTasks = props.maxTasks ?? 10;
    const desiredCount = props.desiredCount ?? 2;
    if (!(minTasks >= 1 && minTasks <= desiredCount && desiredCount <= maxTasks)) {
      throw new Error(
        `task counts must satisfy 1 <= minTasks (${minTasks}) <= desiredCount (${desiredCount}) <= maxTasks (${maxTasks})`,
      );
    }

    this.vpc = props.existingVpcId
      ? Vpc.fromLookup(this, 'Vpc', { vpcId: props.existingVpcId })
      : this.newVpc(name, props.natGateways ?? 1, props.logRetention ?? RetentionDays.THREE_MONTHS);

    this.cluster = new Cluster(this, 'Cluster', {
      clusterName,
      vpc: this.vpc,
      containerInsightsV2: ContainerInsights.ENABLED,
    });

    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/ecs/${name}`,
      retention: props.logRetention ?? RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Names the task-definition template spells out (arn:aws:iam::${ACCOUNT_ID}:role/<service>-<env>-task).
    this.taskRole = new Role(this, 'TaskRole', {
      roleName: `${name}-task`,
      description: `The ${serviceName} containers in ${environment}`,
      assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com'),
    });
    this.executionRole = new Role(this, 'ExecutionRole', {
      roleName: `${name}-execution`,
      description: `ECS pulling the ${serviceName} image, writing its logs and reading its secrets in ${environment}`,
      assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com'),
    });
    props.repository.grantPull(this.executionRole);
    for (const secret of Object.values(props.secrets ?? {})) secret.grantRead(this.executionRole);

    const bootstrap = this.bootstrapRevision(name, containerName, containerPort, healthCheckPath, props.bootstrapImage);

    const { loadBalancer, targetGroup, baseUrl } = this.loadBalancing(name, containerPort, healthCheckPath, props);
    this.loadBalancer = loadBalancer;
    this.targetGroup = targetGroup;
    this.baseUrl = baseUrl;

    const target5xx = new Alarm(this, 'Target5xxAlarm', {
      alarmName: `${name}-target-5xx`,
      alarmDescription: `${serviceName} in ${environment} answers 5xx; a deployment in progress rolls back`,
      metric: targetGroup.metrics.httpCodeTarget(HttpCodeTarget.TARGET_5XX_COUNT, {
        period: Duration.minutes(1),
        statistic: 'Sum',
      }),
      threshold: props.target5xxPerMinute ?? 5,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const unhealthyHosts = new Alarm(this, 'UnhealthyHostsAlarm', {
      alarmName: `${name}-unhealthy-hosts`,
      alarmDescription: `${serviceName} in ${environment} has unhealthy targets; a deployment in progress rolls back`,
      metric: targetGroup.metrics.unhealthyHostCount({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    const serviceSecurityGroup = new SecurityGroup(this, 'ServiceSecurityGroup', {
      vpc: this.vpc,
      description: `${serviceName} tasks in ${environment}: traffic from the load balancer only`,
    });
    this.service = new FargateService(this, 'Service', {
      serviceName,
      cluster: this.cluster,
      taskDefinition: bootstrap,
      // Ownership: the service names the family, never a revision. CloudFormation sends the whole service on every
      // update; "family" means the latest ACTIVE revision, which after the first deploy is the pipeline's.
      taskDefinitionRevision: TaskDefinitionRevision.LATEST,
      desiredCount,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      deploymentAlarms: {
        alarmNames: [target5xx.alarmName, unhealthyHosts.alarmName],
        behavior: AlarmBehavior.ROLLBACK_ON_ALARM,
      },
      healthCheckGracePeriod: props.healthCheckGracePeriod ?? Duration.seconds(60),
      vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [serviceSecurityGroup],
      assignPublicIp: false,
    });
    this.service.connections.allowFrom(loadBalancer, Port.tcp(containerPort), 'from the load balancer');
    targetGroup.addTarget(this.service.loadBalancerTarget({ containerName, containerPort }));

    const scaling = this.service.autoScaleTaskCount({ minCapacity: minTasks, maxCapacity: maxTasks });
    scaling.scaleOnCpuUtilization('CpuScaling', { targetUtilizationPercent: props.cpuTargetPercent ?? 70 });
    scaling.scaleOnMemoryUtilization('MemoryScaling', {
      targetUtilizationPercent: props.memoryTargetPercent ?? 80,
    });

    const deployPolicyValues = {
      REGION: stack.region,
      ACCOUNT_ID: stack.account,
      CLUSTER: clusterName,
      SERVICE: serviceName,
      FAMILY: name,
      LOG_GROUP: `/ecs/${name}`,
      REPOSITORY: props.repository.repositoryName,
      TASK_ROLE: `${name}-task`,
      TASK_EXECUTION_ROLE: `${name}-execution`,
    };
    this.deployRole = new GitHubEnvironmentRole(this, 'DeployRole', {
      provider: props.oidcProvider,
      githubRepository: props.githubRepository,
      githubEnvironment: environment,
      roleName: `${serviceName}-deploy-${environment}`,
      description: `Deploys ${serviceName} to ${environment} from ${props.githubRepository}`,
      inlinePolicies: {
        'ecs-actions-deploy': iamPolicyFromDocs('deploy-role-policy', deployPolicyValues),
      },
    }).role;

    githubVariableOutput(this, environment, 'AWS_DEPLOY_ROLE_ARN', this.deployRole.roleArn);
    githubVariableOutput(this, environment, 'AWS_ACCOUNT_ID', stack.account);
    githubVariableOutput(this, environment, 'AWS_REGION', stack.region);
    githubVariableOutput(this, environment, 'ECS_CLUSTER', clusterName);
    githubVariableOutput(this, environment, 'ECS_SERVICE', serviceName);
    githubVariableOutput(this, environment, 'BASE_URL', baseUrl);
    if (props.slackChannel) githubVariableOutput(this, environment, 'SLACK_CHANNEL', props.slackChannel);
    new CfnOutput(this, 'LoadBalancerDnsName', {
      key: 'LoadBalancerDnsName',
      value: loadBalancer.loadBalancerDnsName,
      description: props.domainName
        ? `Point ${props.domainName} at this name (CNAME, or a Route 53 alias)`
        : 'The load balancer: BASE_URL',
    });

    this.acknowledgeFindings(props);
    for (const { sid, resource } of wildcardResources('deploy-role-policy', deployPolicyValues)) {
      const reason = deployPolicyWildcardReason(sid, resource, {
        region: stack.region,
        account: stack.account,
        clusterName,
        family: name,
      });
      if (reason)
        Validations.of(this.deployRole).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
    }
  }

  private newVpc(name: string, natGateways: number, retention: RetentionDays): Vpc {
    const flowLogs = new LogGroup(this, 'FlowLogs', {
      logGroupName: `/vpc/${name}/flow-logs`,
      retention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    return new Vpc(this, 'Vpc', {
      vpcName: name,
      maxAzs: 2,
      natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'tasks', subnetType: SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      ],
      flowLogs: {
        rejected: {
          destination: FlowLogDestination.toCloudWatchLogs(flowLogs),
          trafficType: FlowLogTrafficType.REJECT,
        },
      },
    });
  }

  /**
   * The only revision the stack registers. Built from the service's identity alone (family, container, port, health
   * path, roles, log group), so that no later change of the stack's properties registers another revision in the
   * family, which would then be the latest ACTIVE one and so what CloudFormation's next service update deploys.
   */
  private bootstrapRevision(
    family: string,
    containerName: string,
    containerPort: number,
    healthCheckPath: string,
    image: string | undefined,
  ): FargateTaskDefinition {
    const taskDefinition = new FargateTaskDefinition(this, 'BootstrapTaskDefinition', {
      family,
      cpu: 256,
      memoryLimitMiB: 512,
      runtimePlatform: { cpuArchitecture: CpuArchitecture.X86_64, operatingSystemFamily: OperatingSystemFamily.LINUX },
      taskRole: this.taskRole,
      executionRole: this.executionRole,
    });
    taskDefinition.addContainer(containerName, {
      containerName,
      image: ContainerImage.fromRegistry(image ?? DEFAULT_BOOTSTRAP_IMAGE),
      essential: true,
      command: bootstrapServerCommand(containerPort, healthCheckPath),
      portMappings: [{ containerPort, name: 'http' }],
      healthCheck: {
        command: bootstrapHealthCheckCommand(containerPort, healthCheckPath),
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(20),
      },
      logging: LogDrivers.awsLogs({
        logGroup: this.logGroup,
        streamPrefix: 'bootstrap',
        mode: AwsLogDriverMode.NON_BLOCKING,
      }),
    });
    return taskDefinition;
  }

  private loadBalancing(
    name: string,
    containerPort: number,
    healthCheckPath: string,
    props: ServiceEnvironmentProps,
  ): { loadBalancer: ApplicationLoadBalancer; targetGroup: ApplicationTargetGroup; baseUrl: string } {
    const loadBalancer = new ApplicationLoadBalancer(this, 'LoadBalancer', {
      loadBalancerName: name,
      vpc: this.vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: SubnetType.PUBLIC },
      dropInvalidHeaderFields: true,
      deletionProtection: props.deletionProtection ?? true,
    });
    if (props.accessLogsBucket) loadBalancer.logAccessLogs(props.accessLogsBucket, name);
    const targetGroup = new ApplicationTargetGroup(this, 'TargetGroup', {
      vpc: this.vpc,
      port: containerPort,
      protocol: ApplicationProtocol.HTTP,
      targetType: TargetType.IP,
      // Matches the service's drain: it stops within its 25 s shutdown timeout (SHUTDOWN_TIMEOUT).
      deregistrationDelay: Duration.seconds(30),
      healthCheck: {
        path: healthCheckPath,
        healthyHttpCodes: '200',
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
        interval: Duration.seconds(10),
        timeout: Duration.seconds(5),
      },
    });
    if (props.certificateArn) {
      loadBalancer.addListener('Https', {
        port: 443,
        protocol: ApplicationProtocol.HTTPS,
        certificates: [ListenerCertificate.fromArn(props.certificateArn)],
        sslPolicy: SslPolicy.RECOMMENDED_TLS,
        defaultTargetGroups: [targetGroup],
      });
      loadBalancer.addListener('Http', {
        port: 80,
        protocol: ApplicationProtocol.HTTP,
        defaultAction: ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
      });
      return { loadBalancer, targetGroup, baseUrl: `https://${props.domainName}` };
    }
    loadBalancer.addListener('Http', {
      port: 80,
      protocol: ApplicationProtocol.HTTP,
      defaultTargetGroups: [targetGroup],
    });
    return {
      loadBalancer,
      targetGroup,
      baseUrl: props.domainName ? `http://${props.domainName}` : `http://${loadBalancer.loadBalancerDnsName}`,
    };
  }

  /** cdk-nag AwsSolutions findings this design accepts, each with its reason. */
  private acknowledgeFindings(props: ServiceEnvironmentProps): void {
    Validations.of(this.deployRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'The deploy role is exactly docs/iam/deploy-role-policy.json: ecs:RegisterTaskDefinition and ecs:TagResource of a ' +
        'new revision cannot be limited by resource, and the read-only Describe/List calls and sts:GetCallerIdentity ' +
        'read nothing but ECS, ELB and account metadata; the writes (UpdateService, PassRole) name this service and its two roles.',
    });
    Validations.of(this.executionRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ecr:GetAuthorizationToken has no resource-level permission; image pulls are limited to the one repository.',
    });
    for (const securityGroup of this.loadBalancer.connections.securityGroups) {
      Validations.of(securityGroup.node.defaultChild as IConstruct).acknowledge({
        id: 'AwsSolutions-EC23',
        reason:
          'The public load balancer of a web service accepts HTTP and HTTPS from anyone; the tasks accept traffic from it alone.',
      });
    }
    if (!props.accessLogsBucket) {
      Validations.of(this.loadBalancer.node.defaultChild as IConstruct).acknowledge({
        id: 'AwsSolutions-ELB2',
        reason:
          'Access logs need a bucket with the ELB log-delivery policy, usually shared per account; pass accessLogsBucket to turn them on.',
      });
    }
  }
}
