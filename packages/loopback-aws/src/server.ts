import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { codeDeployOperation } from './codedeploy/api.js';
import { ecrOperation } from './ecr.js';
import { logsOperation } from './logs.js';
import { ecsOperation } from './ecs.js';
import { ELB_NAMESPACE, elbOperation } from './elb.js';
import { AwsError, type Fault } from './errors.js';
import { secretsManagerOperation, ssmOperation } from './secrets.js';
import { STS_NAMESPACE, stsOperation } from './sts.js';
import type { TokenBuckets } from './throttle.js';
import type { World } from './world.js';
import { parseQueryBody, queryError, queryResponse, type QueryParams, type XmlValue } from './xml.js';

/**
 * One endpoint for every service, as `AWS_ENDPOINT_URL` gives the SDK: JSON protocols are told apart by their
 * `x-amz-target` prefix, query protocols (STS, ELBv2) by the service in the SigV4 credential scope.
 */

export interface RecordedRequest {
  /** `ecs`, `ecr`, `elasticloadbalancing`, `sts`, `secretsmanager`, `ssm`, `logs`, `codedeploy`, or `unknown` */
  service: string;
  operation: string;
  /** Epoch milliseconds when the request arrived, on the clock the rollouts follow (`now`, Date.now unless set). */
  time: number;
  /** HTTP status answered. */
  status: number;
  /** The error code answered, if any (ThrottlingException when a token bucket was empty). */
  error?: string;
}

export interface PendingFault extends Fault {
  operation: string;
  remaining: number;
}

/** Requests that are read and never answered, as from an endpoint behind a half-open connection. */
export interface Silence {
  /** Only these operations; every one when unset. */
  operations?: Set<string>;
  /** Only once a request for this operation was answered. */
  after?: string;
  /** `after` has been seen (or there is none). */
  armed: boolean;
}

export interface ServerContext {
  world: World;
  requests: RecordedRequest[];
  faults: PendingFault[];
  silence?: Silence;
  /** ECS's per-account request rates; unlimited when unset. */
  throttle?: TokenBuckets;
}

/** True when this request is to be held open; also arms the silence once its `after` operation went by. */
function silenced(context: ServerContext, operation: string): boolean {
  const silence = context.silence;
  if (!silence) return false;
  if (!silence.armed) {
    if (operation === silence.after) silence.armed = true;
    return false;
  }
  if (silence.operations && !silence.operations.has(operation)) return false;
  context.world.log(`not answering: ${operation}`);
  context.requests.push({ service: 'unknown', operation, time: context.world.now(), status: 0 });
  return true;
}

type JsonOperation = (world: World, input: unknown) => unknown; // a value, or a promise of one (ECR reading a registry)
type QueryOperation = (world: World, params: QueryParams) => XmlValue;

const JSON_SERVICES: Record<string, { service: string; operation: (name: string) => JsonOperation | undefined }> = {
  AmazonEC2ContainerServiceV20141113: { service: 'ecs', operation: ecsOperation },
  AmazonEC2ContainerRegistry_V20150921: { service: 'ecr', operation: ecrOperation },
  Logs_20140328: { service: 'logs', operation: logsOperation },
  secretsmanager: { service: 'secretsmanager', operation: secretsManagerOperation },
  AmazonSSM: { service: 'ssm', operation: ssmOperation },
  CodeDeploy_20141006: { service: 'codedeploy', operation: codeDeployOperation },
};

const QUERY_SERVICES: Record<string, { namespace: string; operation: (name: string) => QueryOperation | undefined }> = {
  sts: { namespace: STS_NAMESPACE, operation: stsOperation },
  elasticloadbalancing: { namespace: ELB_NAMESPACE, operation: elbOperation },
};

// Without a signature (curl, a hand-written request) the API version still says which service is meant.
const QUERY_VERSIONS: Record<string, string> = { '2011-06-15': 'sts', '2015-12-01': 'elasticloadbalancing' };

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** `Credential=AKID/20260101/eu-west-1/sts/aws4_request` -> `sts` */
export function signedService(authorization: string | undefined): string | undefined {
  return /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(authorization ?? '')?.[1];
}

function takeFault(context: ServerContext, service: string, operation: string): AwsError | undefined {
  const index = context.faults.findIndex(
    (fault) => fault.operation === operation && (fault.service === undefined || fault.service === service),
  );
  if (index < 0) return undefined;
  const fault = context.faults[index];
  if (--fault.remaining <= 0) context.faults.splice(index, 1);
  context.world.log(`fault injected: ${service} ${operation} -> ${fault.status ?? 400} ${fault.code}`);
  return new AwsError(fault.code, fault.message ?? `Injected ${fault.code}`, fault.status ?? 400);
}

function asAwsError(error: unknown, world: World): AwsError {
  if (error instanceof AwsError) return error;
  world.log(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return new AwsError('InternalFailure', 'The loopback AWS failed to answer this request; see its log.', 500);
}

function sendJson(response: ServerResponse, status: number, body: unknown, requestId: string): void {
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId });
  response.end(JSON.stringify(body));
}

function sendXml(response: ServerResponse, status: number, body: string, requestId: string): void {
  response.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
  response.end(body);
}

async function answerJson(
  context: ServerContext,
  target: string,
  body: string,
  response: ServerResponse,
): Promise<void> {
  const requestId = randomUUID();
  const [prefix, operation = ''] = target.split('.');
  const api = JSON_SERVICES[prefix];
  const service = api?.service ?? 'unknown';
  let error: string | undefined;
  try {
    const fault = takeFault(context, service, operation);
    if (fault) throw fault;
    if (service === 'ecs') context.throttle?.take(operation);
    const handler = api?.operation(operation);
    if (!handler) throw new AwsError('UnknownOperationException', `The loopback AWS does not simulate ${target}.`);
    let input: unknown;
    try {
      input = body.trim() === '' ? {} : JSON.parse(body);
    } catch {
      throw new AwsError('SerializationException', 'The request body is not valid JSON.');
    }
    sendJson(response, 200, await handler(context.world, input), requestId);
  } catch (caught) {
    const answered = asAwsError(caught, context.world);
    error = answered.code;
    sendJson(response, answered.status, { __type: answered.code, message: answered.message }, requestId);
  } finally {
    context.requests.push({ service, operation, time: context.world.now(), status: response.statusCode, error });
  }
}

function answerQuery(
  context: ServerContext,
  request: IncomingMessage,
  params: QueryParams,
  response: ServerResponse,
): void {
  const requestId = randomUUID();
  const operation = params.Action ?? '';
  const service = signedService(request.headers.authorization) ?? QUERY_VERSIONS[params.Version ?? ''] ?? 'unknown';
  const api = QUERY_SERVICES[service];
  const namespace = api?.namespace ?? 'https://amazonaws.com/doc/';
  try {
    const fault = takeFault(context, service, operation);
    if (fault) throw fault;
    const handler = api?.operation(operation);
    if (!handler) {
      throw new AwsError('InvalidAction', `The action ${operation} is not valid for this web service (${service}).`);
    }
    sendXml(response, 200, queryResponse(operation, namespace, handler(context.world, params), requestId), requestId);
  } catch (caught) {
    const error = asAwsError(caught, context.world);
    const body = queryError(namespace, { type: error.faultType, code: error.code, message: error.message }, requestId);
    sendXml(response, error.status, body, requestId);
  } finally {
    context.requests.push({ service, operation, time: context.world.now(), status: response.statusCode });
  }
}

export function requestListener(context: ServerContext) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    readBody(request).then(
      (body) => {
        const target = request.headers['x-amz-target'];
        if (typeof target === 'string') {
          if (silenced(context, target.split('.')[1] ?? '')) return;
          void answerJson(context, target, body, response);
          return;
        }
        const params = parseQueryBody(body);
        if (params.Action && silenced(context, params.Action)) return;
        if (params.Action) {
          answerQuery(context, request, params, response);
          return;
        }
        context.requests.push({ service: 'unknown', operation: '', time: context.world.now(), status: 400 });
        sendJson(
          response,
          400,
          {
            __type: 'UnknownOperationException',
            message: 'No operation: expected an x-amz-target header (JSON APIs) or an Action= form body (query APIs).',
          },
          randomUUID(),
        );
      },
      (error: unknown) => {
        context.world.log(`request failed: ${String(error)}`);
        response.destroy();
      },
    );
  };
}
