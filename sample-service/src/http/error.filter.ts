import { STATUS_CODES } from 'node:http';
import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FieldErrors } from './validation.js';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  requestId: string;
  fields?: FieldErrors;
}

/**
 * Every error leaves as the same small JSON object. Only messages written for clients are sent: an unexpected error
 * is logged with its stack and answered with a generic 500, so no stack trace or file path ever reaches a client.
 */
@Catch()
export class JsonErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const body = errorBody(exception, request.id);
    if (body.statusCode >= 500) request.log.error({ err: exception }, 'request failed');
    void reply.status(body.statusCode).header('content-type', 'application/json; charset=utf-8').send(body);
  }
}

export function errorBody(exception: unknown, requestId: string): ErrorBody {
  if (exception instanceof HttpException) {
    const statusCode = exception.getStatus();
    const response = exception.getResponse();
    const details = typeof response === 'object' && response !== null ? (response as Record<string, unknown>) : {};
    const message = typeof response === 'string' ? response : details.message;
    return {
      ...base(statusCode, requestId),
      message: Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : exception.message,
      ...(details.fields ? { fields: details.fields as FieldErrors } : {}),
    };
  }
  // Fastify and its plugins (JSON parsing, body size, rate limit) reject with a status code and a client message.
  const statusCode = (exception as { statusCode?: unknown } | undefined)?.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500 && exception instanceof Error) {
    return { ...base(statusCode, requestId), message: exception.message };
  }
  return { ...base(500, requestId), message: 'Internal server error; the request id identifies it in the logs' };
}

function base(statusCode: number, requestId: string): Omit<ErrorBody, 'message'> {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', requestId };
}
