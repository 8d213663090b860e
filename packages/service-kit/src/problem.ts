import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SvpnError } from '@svpn/errors';

/** An RFC 9457 problem details object. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  /** Stable machine-readable code (`SVPN_…`). */
  code?: string;
  [extension: string]: unknown;
}

/** An error that becomes a problem+json response with its status. */
export class HttpProblem extends SvpnError {
  constructor(
    readonly status: number,
    code: string,
    readonly title: string,
    detail?: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(code, detail ?? title);
  }

  toProblem(instance?: string): Problem {
    return {
      type: `https://svpn.example.net/problems/${this.code.toLowerCase().replace(/_/g, '-')}`,
      title: this.title,
      status: this.status,
      detail: this.message,
      code: this.code,
      ...(instance === undefined ? {} : { instance }),
      ...this.extensions,
    };
  }
}

export const notFound = (what: string): HttpProblem =>
  new HttpProblem(404, 'SVPN_NOT_FOUND', 'Not Found', `${what} does not exist`);
export const conflict = (detail: string): HttpProblem =>
  new HttpProblem(409, 'SVPN_CONFLICT', 'Conflict', detail);
export const badRequest = (detail: string, extensions?: Record<string, unknown>): HttpProblem =>
  new HttpProblem(400, 'SVPN_BAD_REQUEST', 'Bad Request', detail, extensions);

/**
 * One error handler per service (STYLE.md "Errors"): HttpProblem and schema-validation errors keep
 * their status and message as problem+json; anything else is a 500 with a generic body, logged.
 */
export function installProblemHandler(app: FastifyInstance): void {
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    void sendProblem(reply, notFound(`${request.method} ${request.url}`).toProblem(request.url));
  });
  app.setErrorHandler((error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof HttpProblem) return sendProblem(reply, error.toProblem(request.url));
    const fe = error as FastifyError;
    if (fe.validation !== undefined) {
      return sendProblem(reply, {
        type: 'https://svpn.example.net/problems/svpn-validation',
        title: 'Bad Request',
        status: 400,
        detail: fe.message,
        code: 'SVPN_VALIDATION',
        instance: request.url,
        errors: fe.validation.map((v) => ({ path: v.instancePath, message: v.message })),
      });
    }
    const status =
      typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500 ? fe.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    return sendProblem(reply, {
      type: 'about:blank',
      title: status >= 500 ? 'Internal Server Error' : fe.message,
      status,
      ...(status >= 500 ? {} : { detail: fe.message }),
      code: fe.code ?? (status >= 500 ? 'SVPN_INTERNAL' : 'SVPN_BAD_REQUEST'),
      instance: request.url,
    });
  });
}

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply.status(problem.status).type('application/problem+json').send(problem);
}
