import { describe, expect, it } from '@jest/globals';
import { Match } from 'aws-cdk-lib/assertions';
import { ACCOUNT, DATABASE_SECRET_ARN, environmentStack, onlyResource, REGION, roleLogicalId } from './fixture.js';
import { docsPolicy, normalizePolicy } from './iam-policy-equality.js';
import { deployPolicyWildcardReason } from '../src/index.js';

// Synthesized once for the file: every assertion reads the same template.
const { template } = environmentStack();

describe('ServiceEnvironment: cluster, service and deployment safety', () => {
  it('turns Container Insights on for the cluster', () => {
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterName: 'orders-dev',
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
  });

  it('runs the Fargate service with the circuit breaker rolling back, 100/200 and a health-check grace period', () => {
    template.hasResourceProperties('AWS::ECS::Service', {
      ServiceName: 'orders',
      LaunchType: 'FARGATE',
      DesiredCount: 2,
      HealthCheckGracePeriodSeconds: 60,
      DeploymentConfiguration: Match.objectLike({
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      }),
      NetworkConfiguration: {
        AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }),
      },
    });
  });

  it('rolls a deployment back on the 5xx and unhealthy-hosts alarms', () => {
    const { properties } = onlyResource(template, 'AWS::ECS::Service');
    const alarms = (
      properties.DeploymentConfiguration as { Alarms: { AlarmNames: unknown[]; Enable: boolean; Rollback: boolean } }
    ).Alarms;
    expect(alarms).toMatchObject({ Enable: true, Rollback: true });
    expect(alarms.AlarmNames).toHaveLength(2);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'orders-dev-target-5xx',
      MetricName: 'HTTPCode_Target_5XX_Count',
      Namespace: 'AWS/ApplicationELB',
      Statistic: 'Sum',
      Period: 60,
      Threshold: 5,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'orders-dev-unhealthy-hosts',
      MetricName: 'UnHealthyHostCount',
      Statistic: 'Maximum',
      Threshold: 1,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
    });
    const alarmIds = Object.keys(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.AlarmNames).toEqual(expect.arrayContaining(alarmIds.map((id) => ({ Ref: id }))));
  });

  it('scales between 1 and 10 tasks on CPU 70% and memory 80%', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 1,
      MaxCapacity: 10,
      ScalableDimension: 'ecs:service:DesiredCount',
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
        TargetValue: 70,
      }),
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageMemoryUtilization' },
        TargetValue: 80,
      }),
    });
  });

  it('keeps the container logs in /ecs/<service>-<environment> for three months, and keeps them on stack deletion', () => {
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: '/ecs/orders-dev', RetentionInDays: 90 },
      DeletionPolicy: 'Retain',
    });
  });
});

describe('ServiceEnvironment: load balancer', () => {
  it('serves HTTPS with the certificate and redirects HTTP to it', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: Match.stringLikeRegexp('^arn:aws:acm:') }],
      SslPolicy: Match.stringLikeRegexp('TLS13'),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [
        { Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } },
      ],
    });
  });

  it('health-checks /health with a healthy threshold of 2 and drains targets for 30 seconds', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'ip',
      Port: 3000,
      HealthCheckPath: '/health',
      HealthyThresholdCount: 2,
      Matcher: { HttpCode: '200' },
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }]),
    });
  });

  it('is internet-facing, drops invalid headers and is protected from deletion', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'deletion_protection.enabled', Value: 'true' },
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
      ]),
    });
  });

  it('lets the tasks take traffic from the load balancer alone, on the container port', () => {
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map(
      (rule) => (rule as { Properties: Record<string, unknown> }).Properties,
    );
    expect(ingress).toEqual([
      expect.objectContaining({
        FromPort: 3000,
        ToPort: 3000,
        IpProtocol: 'tcp',
        SourceSecurityGroupId: expect.anything(),
      }),
    ]);
  });

  it('serves plain HTTP and reports the load balancer as BASE_URL without a certificate', () => {
    const plain = environmentStack({ certificateArn: undefined, domainName: undefined }).template;
    plain.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    plain.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [Match.objectLike({ Type: 'forward' })],
    });
    const baseUrl = plain.findOutputs('GitHubVarDevBaseUrl').GitHubVarDevBaseUrl.Value;
    expect(JSON.stringify(baseUrl)).toContain('DNSName');
  }, 120_000);
});

describe('ServiceEnvironment: network', () => {
  it('creates a two-zone VPC with private subnets for the tasks, one NAT gateway and rejected-traffic flow logs', () => {
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.resourceCountIs('AWS::EC2::Subnet', 4);
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      TrafficType: 'REJECT',
      LogDestinationType: 'cloud-watch-logs',
    });
    template.hasResourceProperties('AWS::EC2::Subnet', {
      AvailabilityZone: { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] },
    });
  });

  it('uses an existing VPC by id, from the lookup committed in cdk.context.json', () => {
    const vpcId = 'vpc-0123456789abcdef0';
    // What `cdk synth` writes to cdk.context.json after the one lookup with credentials.
    const key = `vpc-provider:account=${ACCOUNT}:filter.vpc-id=${vpcId}:region=${REGION}:returnAsymmetricSubnets=true`;
    const lookedUp = {
      vpcId,
      vpcCidrBlock: '10.1.0.0/16',
      availabilityZones: [],
      subnetGroups: [
        {
          name: 'Public',
          type: 'Public',
          subnets: [
            {
              subnetId: 'subnet-0a1a1a1a1a1a1a1a1',
              cidr: '10.1.0.0/24',
              availabilityZone: 'eu-west-1a',
              routeTableId: 'rtb-0a1a1a1a1a1a1a1a1',
            },
            {
              subnetId: 'subnet-0b1b1b1b1b1b1b1b1',
              cidr: '10.1.1.0/24',
              availabilityZone: 'eu-west-1b',
              routeTableId: 'rtb-0b1b1b1b1b1b1b1b1',
            },
          ],
        },
        {
          name: 'Private',
          type: 'Private',
          subnets: [
            {
              subnetId: 'subnet-0a2a2a2a2a2a2a2a2',
              cidr: '10.1.2.0/24',
              availabilityZone: 'eu-west-1a',
              routeTableId: 'rtb-0a2a2a2a2a2a2a2a2',
            },
            {
              subnetId: 'subnet-0b2b2b2b2b2b2b2b2',
              cidr: '10.1.3.0/24',
              availabilityZone: 'eu-west-1b',
              routeTableId: 'rtb-0b2b2b2b2b2b2b2b2',
            },
          ],
        },
      ],
    };
    const existing = environmentStack({ existingVpcId: vpcId }, { [key]: lookedUp }).template;
    existing.resourceCountIs('AWS::EC2::VPC', 0);
    existing.hasResourceProperties('AWS::ECS::Service', {
      NetworkConfiguration: {
        AwsvpcConfiguration: Match.objectLike({ Subnets: ['subnet-0a2a2a2a2a2a2a2a2', 'subnet-0b2b2b2b2b2b2b2b2'] }),
      },
    });
  }, 120_000);
});

describe('ServiceEnvironment: roles', () => {
  it('names the task and execution roles as the task-definition template does', () => {
    for (const roleName of ['orders-dev-task', 'orders-dev-execution']) {
      template.hasResourceProperties('AWS::IAM::Role', {
        RoleName: roleName,
        AssumeRolePolicyDocument: Match.objectLike({
          Statement: [Match.objectLike({ Principal: { Service: 'ecs-tasks.amazonaws.com' } })],
        }),
      });
    }
  });

  it('lets the execution role pull from the repository, write the logs and read exactly the given secrets', () => {
    const executionRole = roleLogicalId(template, 'orders-dev-execution');
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify((policy as { Properties: { Roles: unknown } }).Properties.Roles).includes(executionRole),
    );
    const statements = policies.flatMap(
      (policy) =>
        (policy as { Properties: { PolicyDocument: { Statement: Array<Record<string, unknown>> } } }).Properties
          .PolicyDocument.Statement,
    );
    const actions = (statement: Record<string, unknown>) => [statement.Action].flat();
    expect(statements).toContainEqual(expect.objectContaining({ Action: 'ecr:GetAuthorizationToken', Resource: '*' }));
    expect(statements.find((s) => actions(s).includes('ecr:BatchGetImage'))?.Resource).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^ImagesRepository/), 'Arn'],
    });
    expect(statements.find((s) => actions(s).includes('logs:PutLogEvents'))).toBeDefined();
    expect(statements.find((s) => actions(s).includes('secretsmanager:GetSecretValue'))?.Resource).toBe(
      DATABASE_SECRET_ARN,
    );
  });

  it("gives the deploy role a two-hour session, for the deploy job's 90-minute credentials", () => {
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'orders-deploy-dev', MaxSessionDuration: 7200 });
  });

  it('lets only the jobs of the dev environment of acme/orders assume the deploy role, through GitHub OIDC', () => {
    const provider = onlyResource(template, 'AWS::IAM::OIDCProvider');
    expect(provider.properties).toMatchObject({
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'orders-deploy-dev',
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRoleWithWebIdentity',
            Principal: { Federated: { Ref: provider.logicalId } },
            Condition: {
              StringEquals: {
                'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
                'token.actions.githubusercontent.com:sub': 'repo:acme/orders:environment:dev',
              },
            },
          },
        ],
      },
    });
  });
});

describe('ServiceEnvironment: stack outputs', () => {
  it('outputs the GitHub variables of the environment, one output each', () => {
    const outputs = template.findOutputs('*');
    expect(Object.keys(outputs).sort()).toEqual([
      'GitHubVarDevAwsAccountId',
      'GitHubVarDevAwsDeployRoleArn',
      'GitHubVarDevAwsRegion',
      'GitHubVarDevBaseUrl',
      'GitHubVarDevEcsCluster',
      'GitHubVarDevEcsService',
      'LoadBalancerDnsName',
    ]);
    expect(outputs.GitHubVarDevAwsAccountId.Value).toBe(ACCOUNT);
    expect(outputs.GitHubVarDevAwsRegion.Value).toBe(REGION);
    expect(outputs.GitHubVarDevEcsCluster.Value).toBe('orders-dev');
    expect(outputs.GitHubVarDevEcsService.Value).toBe('orders');
    expect(outputs.GitHubVarDevBaseUrl.Value).toBe('https://orders.dev.example.com');
    expect(outputs.GitHubVarDevAwsDeployRoleArn.Value).toEqual({
      'Fn::GetAtt': [roleLogicalId(template, 'orders-deploy-dev'), 'Arn'],
    });
  });
});

describe('ServiceEnvironment: checks its properties before synthesis', () => {
  it.each([
    [{ environment: 'Prod' }, /environment "Prod" is not a valid environment name/],
    [{ serviceName: 'Orders_Service' }, /serviceName "Orders_Service" is not valid/],
    [{ githubRepository: 'orders' }, /githubRepository "orders" is not valid; expected OWNER\/REPOSITORY/],
    [{ domainName: undefined }, /certificateArn needs domainName/],
    [{ healthCheckPath: "/health'); process.exit(0); ('" }, /healthCheckPath .* is not valid/],
    [{ minTasks: 3, desiredCount: 2 }, /1 <= minTasks \(3\) <= desiredCount \(2\)/],
    [
      { serviceName: 'order-management-service', environment: 'preproduction' },
      /is 38 characters; a load balancer's name allows 32/,
    ],
  ])('rejects %o', (overrides, message) => {
    expect(() => environmentStack(overrides)).toThrow(message);
  });
});

describe('ServiceEnvironment: the deploy role is docs/iam/deploy-role-policy.json', () => {
  it("has one inline policy equal to the docs file with this environment's names", () => {
    const role = template.findResources('AWS::IAM::Role', { Properties: { RoleName: 'orders-deploy-dev' } });
    const [{ Properties }] = Object.values(role) as Array<{
      Properties: { Policies: Array<{ PolicyDocument: unknown }> };
    }>;
    expect(Properties.Policies).toHaveLength(1);
    const expected = docsPolicy('deploy-role-policy', [
      ['TASK_EXECUTION_ROLE', 'orders-dev-execution'],
      ['TASK_ROLE', 'orders-dev-task'],
      ['ACCOUNT_ID', ACCOUNT],
      ['REGION', REGION],
      ['CLUSTER', 'orders-dev'],
      ['SERVICE', 'orders'],
      ['FAMILY', 'orders-dev'],
      ['LOG_GROUP', '/ecs/orders-dev'],
    ]) as { Statement: Array<{ Resource: unknown[] }> };
    // REPOSITORY is the image repository's name, a reference to the repository of the fixture's other stack.
    for (const statement of expected.Statement) {
      statement.Resource = statement.Resource.map((resource) =>
        typeof resource === 'string' && resource.endsWith(':repository/REPOSITORY')
          ? {
              'Fn::Join': [
                '',
                [resource.replace(/REPOSITORY$/, ''), expect.objectContaining({ Ref: expect.any(String) })],
              ],
            }
          : resource,
      );
    }
    expect(normalizePolicy(Properties.Policies[0].PolicyDocument)).toEqual(expected);
  });

  it('attaches no other policy to the deploy role', () => {
    const deployRole = roleLogicalId(template, 'orders-deploy-dev');
    const attached = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify((policy as { Properties: { Roles: unknown } }).Properties.Roles).includes(deployRole),
    );
    expect(attached).toEqual([]);
    expect(
      JSON.stringify(template.findResources('AWS::IAM::Role', { Properties: { RoleName: 'orders-deploy-dev' } })),
    ).not.toContain('ManagedPolicyArns');
  });
});

describe("cdk-nag reasons for the deploy policy's wildcard resources", () => {
  const own = { region: REGION, account: ACCOUNT, clusterName: 'orders-dev', family: 'orders-dev' };

  it('gives a statement it knows its own reason', () => {
    expect(deployPolicyWildcardReason('RunOneOffTasks', 'anything', own)).toMatch(/only in this cluster/);
  });

  it("accepts an id wildcard inside the environment's own cluster, naming the statement", () => {
    const resource = `arn:aws:ecs:${REGION}:${ACCOUNT}:service-deployment/orders-dev/orders/*`;
    expect(deployPolicyWildcardReason('FollowServiceDeployments', resource, own)).toMatch(
      /^Statement FollowServiceDeployments of docs\/iam\/deploy-role-policy.json: .*own cluster \(orders-dev\)/,
    );
  });

  it.each([
    `arn:aws:ecs:${REGION}:${ACCOUNT}:task/other-cluster/*`,
    `arn:aws:ecs:${REGION}:222222222222:task/orders-dev/*`,
    'arn:aws:s3:::*',
    `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/*`,
  ])('leaves %s a finding', (resource) => {
    expect(deployPolicyWildcardReason('SomethingNew', resource, own)).toBeUndefined();
  });
});
