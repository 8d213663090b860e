/**
 * SOAP 1.1 binding of the connection service at `/soap` (WSDL at `/soap?wsdl`): a document/literal
 * envelope whose body element names the operation (and, when sent, `SOAPAction` must agree). The
 * request becomes the REST operation's JSON, validated against the same contract; the answer is the
 * same Connection as XML. Errors are `soap:Fault` with faultcode, faultstring and a
 * `serviceException` detail carrying the NSI error id (SOAP 1.1 §4.4; HTTP 500, §6.2).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { loadOpenApiDocument, type ApiKey, type Connection, type Scope } from '@svpn/api-contract';
import type { Actor, ConnectionService } from '../connections/connection-service.js';
import type { ApiKeys } from '../auth/api-keys.js';
import { compileContract } from '../contract/openapi-validator.js';
import { NsiError } from '../nsi/nsi-error.js';
import { SOAP_ENV_NS, SOAP_NS, SOAP_OPERATIONS, wsdl, type SoapOperation } from './wsdl.js';

export interface SoapRoutesOptions {
  connections: ConnectionService;
  keys: ApiKeys;
  allowed: (key: ApiKey, scopes: Scope[]) => boolean;
}

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: true,
  parseTagValue: false,
  processEntities: false,
  isArray: (name) => name === 'connectionId',
});
const builder = new XMLBuilder({ suppressEmptyNode: true });

function envelope(body: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<soapenv:Envelope xmlns:soapenv="${SOAP_ENV_NS}" xmlns:cs="${SOAP_NS}">` +
    `<soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`
  );
}

function escapeXml(text: string): string {
  return text.replace(
    /[<>&'"]/g,
    (ch) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[ch] as string,
  );
}

/** A SOAP 1.1 fault: Client for the requester's errors, Server for ours. */
export function soapFault(error: NsiError): string {
  const faultcode = error.status >= 500 ? 'soapenv:Server' : 'soapenv:Client';
  return envelope(
    `<soapenv:Fault><faultcode>${faultcode}</faultcode><faultstring>${escapeXml(error.message)}</faultstring>` +
      `<detail><cs:serviceException><nsiErrorId>${error.nsiErrorId}</nsiErrorId><code>${error.nsiCode}</code>` +
      `<text>${escapeXml(error.message)}</text>` +
      (error.connectionId === undefined
        ? ''
        : `<connectionId>${escapeXml(error.connectionId)}</connectionId>`) +
      `</cs:serviceException></detail></soapenv:Fault>`,
  );
}

function connectionXml(c: Connection): string {
  return builder.build({ connection: JSON.parse(JSON.stringify(c)) as unknown }) as string;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v.trim() : undefined);
const bool = (v: unknown): boolean | undefined => {
  const t = text(v);
  return t === undefined ? undefined : t === 'true' || t === '1';
};
const num = (v: unknown): number | undefined => {
  const t = text(v);
  return t === undefined ? undefined : /^\d+$/.test(t) ? Number(t) : Number.NaN;
};
const endpoint = (v: unknown): unknown => {
  if (typeof v !== 'object' || v === null) return v;
  const o = v as Record<string, unknown>;
  return { application: text(o['application']), ...(o['ce'] === undefined ? {} : { ce: text(o['ce']) }) };
};
/** Drops undefined fields (what an absent XML element means). */
const defined = (o: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

export async function soapRoutes(app: FastifyInstance, o: SoapRoutesOptions): Promise<void> {
  const validators = compileContract(loadOpenApiDocument());
  app.addContentTypeParser(
    ['text/xml', 'application/soap+xml', 'application/xml'],
    { parseAs: 'string' },
    (_r, body, done) => done(null, body),
  );

  app.get('/soap', async (request, reply) => {
    if (!('wsdl' in (request.query as Record<string, unknown>))) {
      return reply
        .status(405)
        .header('allow', 'POST')
        .type('text/plain')
        .send('POST SOAP 1.1 envelopes here; the WSDL is at /soap?wsdl');
    }
    const host = request.headers.host ?? '127.0.0.1';
    return reply.type('text/xml; charset=utf-8').send(wsdl(`http://${host}/soap`));
  });

  app.post('/soap', async (request: FastifyRequest, reply: FastifyReply) => {
    const fault = (error: NsiError): FastifyReply =>
      reply.status(500).type('text/xml; charset=utf-8').send(soapFault(error));
    try {
      const key = request.auth;
      if (key === undefined)
        throw new NsiError('SECURITY_ERROR', 'an API key is required (Authorization: Bearer or X-Api-Key)');
      if (typeof request.body !== 'string' || request.body.includes('<!DOCTYPE')) {
        throw new NsiError('PAYLOAD_ERROR', 'a SOAP 1.1 envelope (text/xml) is required');
      }
      let doc: Record<string, unknown>;
      try {
        doc = parser.parse(request.body) as Record<string, unknown>;
      } catch (error) {
        throw new NsiError('PAYLOAD_ERROR', `not XML: ${(error as Error).message}`);
      }
      const body = (doc['Envelope'] as Record<string, unknown> | undefined)?.['Body'];
      if (typeof body !== 'object' || body === null)
        throw new NsiError('PAYLOAD_ERROR', 'no soap:Envelope/soap:Body');
      const [operation, input] = Object.entries(body as Record<string, unknown>)[0] ?? [];
      if (operation === undefined || !(operation in SOAP_OPERATIONS)) {
        throw new NsiError('UNSUPPORTED_PARAMETER', `unknown operation ${operation ?? '(none)'}`);
      }
      const op = operation as SoapOperation;
      const action = String(request.headers['soapaction'] ?? '').replace(/^"|"$/g, '');
      if (action !== '' && action !== `${SOAP_NS}/${op}`) {
        throw new NsiError('PAYLOAD_ERROR', `SOAPAction ${action} does not match the body's ${op}`);
      }
      const fields = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
      const write = op !== 'querySummarySync';
      if (!o.allowed(key, write ? ['connections:write'] : ['connections:read'])) {
        throw new NsiError(
          'UNAUTHORIZED',
          `${op} needs scope ${write ? 'connections:write' : 'connections:read'}`,
        );
      }
      const actor: Actor = {
        application: key.application ?? null,
        operator: key.scopes.includes('operator'),
      };
      const ids = (fields['connectionId'] as unknown[] | undefined)?.map((v) => text(v) ?? '') ?? [];
      const id = (): string => {
        const value = ids[0];
        const check = validators.get('queryConnection')?.params({ connectionId: value }, {}) ?? [];
        if (value === undefined || check.length > 0)
          throw new NsiError('MISSING_PARAMETER', 'a valid connectionId is required');
        return value;
      };
      const validated = (
        operationId: 'reserve' | 'modify',
        value: Record<string, unknown>,
      ): Record<string, unknown> => {
        const problems = validators.get(operationId)?.body?.(value) ?? [];
        if (problems.length > 0) {
          throw new NsiError(
            'PAYLOAD_ERROR',
            problems.map((p) => `${p.path.replace('/body', '')} ${p.message}`).join('; '),
          );
        }
        return value;
      };
      const c = o.connections;
      let result: string;
      switch (op) {
        case 'reserve': {
          const request = validated(
            'reserve',
            defined({
              description: text(fields['description']),
              globalReservationId: text(fields['globalReservationId']),
              vpnId: text(fields['vpnId']),
              source: endpoint(fields['source']),
              destination: endpoint(fields['destination']),
              bandwidthBps: num(fields['bandwidthBps']),
              serviceClass: text(fields['serviceClass']),
              priority: text(fields['priority']),
              startTime: text(fields['startTime']),
              endTime: text(fields['endTime']),
              autoCommit: bool(fields['autoCommit']),
              autoProvision: bool(fields['autoProvision']),
            }),
          );
          result = connectionXml(await c.reserve(request as never, actor));
          break;
        }
        case 'modify': {
          const change = validated(
            'modify',
            defined({
              bandwidthBps: num(fields['bandwidthBps']),
              endTime: text(fields['endTime']),
              autoCommit: bool(fields['autoCommit']),
            }),
          );
          result = connectionXml(await c.modify(id(), change as never, actor));
          break;
        }
        case 'reserveCommit':
          result = connectionXml(await c.commit(id(), actor));
          break;
        case 'reserveAbort':
          result = connectionXml(await c.abort(id(), actor));
          break;
        case 'provision':
          result = connectionXml(await c.provision(id(), actor));
          break;
        case 'release':
          result = connectionXml(await c.release(id(), actor));
          break;
        case 'terminate':
          result = connectionXml(await c.terminate(id(), actor));
          break;
        case 'querySummarySync': {
          const list =
            ids.length === 0
              ? await c.list({}, actor)
              : await Promise.all(ids.map((one) => c.get(one, actor)));
          result = list.map(connectionXml).join('');
          break;
        }
        default: {
          const never: never = op;
          throw new Error(`unhandled ${String(never)}`);
        }
      }
      return reply
        .type('text/xml; charset=utf-8')
        .send(envelope(`<cs:${op}Response>${result}</cs:${op}Response>`));
    } catch (error) {
      if (error instanceof NsiError) return fault(error);
      request.log.error({ err: error }, 'SOAP request failed');
      return fault(new NsiError('INTERNAL_ERROR', 'internal error'));
    }
  });
}
