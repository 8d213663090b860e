/**
 * Registers handlers by operationId: the route's method and URL come from the contract, requests
 * are validated before the handler runs, JSON responses before they are sent.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OperationId } from '@svpn/api-contract';
import type { ApiKey, Scope } from '@svpn/api-contract';
import { sendProblem } from '@svpn/service-kit';
import type { OperationValidator } from '../contract/openapi-validator.js';
import { NsiError } from '../nsi/nsi-error.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated key (absent on public routes). */
    auth?: ApiKey;
    /** The contract operation this request is. */
    operationId?: string;
  }
}

export type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

export interface OperationSpec {
  /** The scopes any one of which allows the operation; `[]`: any valid key. */
  scopes: Scope[];
  handler: Handler;
}

/** Whether a key may run an operation needing one of `scopes` (operator may do everything). */
export function allowed(key: ApiKey, scopes: Scope[]): boolean {
  if (key.scopes.includes('operator')) return true;
  if (scopes.length === 0) return true;
  // Write implies read for an application's own connections.
  return scopes.some(
    (s) => key.scopes.includes(s) || (s === 'connections:read' && key.scopes.includes('connections:write')),
  );
}

export function registerOperations(
  app: FastifyInstance,
  validators: Map<string, OperationValidator>,
  operations: Partial<Record<OperationId, OperationSpec>>,
): void {
  for (const [operationId, spec] of Object.entries(operations) as [OperationId, OperationSpec][]) {
    const v = validators.get(operationId);
    if (v === undefined) throw new Error(`operation ${operationId} is not in the contract`);
    app.route({
      method: v.method as 'GET',
      url: v.url,
      preValidation: async (request, reply) => {
        request.operationId = operationId;
        const key = request.auth;
        if (key === undefined) throw new NsiError('SECURITY_ERROR', 'an API key is required');
        if (!allowed(key, spec.scopes)) {
          throw new NsiError('UNAUTHORIZED', `${operationId} needs scope ${spec.scopes.join(' or ')}`);
        }
        const found = v.params(
          request.params as Record<string, unknown>,
          request.query as Record<string, unknown>,
        );
        if (v.body !== undefined) found.push(...v.body(request.body));
        if (found.length > 0) {
          return sendProblem(reply, {
            type: 'https://svpn.example.net/problems/payload-error',
            title: 'Illegal message payload',
            status: 400,
            detail: found.map((f) => `${f.path} ${f.message}`).join('; '),
            code: 'PAYLOAD_ERROR',
            nsiErrorId: '00100',
            instance: request.url,
            errors: found,
          });
        }
        return undefined;
      },
      preSerialization: async (request, reply, payload) => {
        if (reply.getHeader('content-type')?.toString().startsWith('text/') === true) return payload;
        const found = v.response(reply.statusCode, payload);
        if (found.length > 0) {
          request.log.error(
            { operationId, status: reply.statusCode, issues: found },
            'response breaks the contract',
          );
          reply.status(500).type('application/problem+json');
          return {
            type: 'about:blank',
            title: 'Internal Server Error',
            status: 500,
            code: 'SVPN_API_RESPONSE_INVALID',
            detail: 'the response did not match the API contract',
          };
        }
        return payload;
      },
      handler: spec.handler,
    });
  }
}
