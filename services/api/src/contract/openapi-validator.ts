/**
 * Request and response validation against the contract (packages/api-contract/openapi.yaml). The
 * whole OpenAPI 3.1 document is added to one Ajv instance in JSON Schema 2020-12 mode (OpenAPI 3.1's
 * dialect), and each operation's parameters, body and responses are compiled as `$ref`s into it, so
 * `#/components/schemas/...` references resolve exactly as the document means them.
 *
 * A bad request is refused with 400 problem+json; a response that does not match its declared schema
 * is not sent (500, logged): the document is the single source of truth in both directions.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import * as addFormatsModule from 'ajv-formats';
import type { OpenApiDocument } from '@svpn/api-contract';

// ajv-formats is CommonJS; its default export arrives as the module object under NodeNext.
type AddFormats = (ajv: Ajv2020) => unknown;
const addFormats = ((addFormatsModule as unknown as { default: { default?: AddFormats } & AddFormats })
  .default.default ?? (addFormatsModule as unknown as { default: AddFormats }).default) as AddFormats;

const DOC_ID = 'https://svpn.example.net/openapi.json';
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

export interface ValidationIssue {
  path: string;
  message: string;
}

/** What one operation validates. */
export interface OperationValidator {
  operationId: string;
  method: string;
  /** The fastify route (`/v1/connections/:connectionId`). */
  url: string;
  /** Validates (and coerces / defaults) path and query parameters in place. */
  params(params: Record<string, unknown>, query: Record<string, unknown>): ValidationIssue[];
  /** Validates (and defaults) the body in place; undefined when the operation takes none. */
  body: ((body: unknown) => ValidationIssue[]) | undefined;
  /** Validates a JSON response for a status (or the `default` response). */
  response(status: number, payload: unknown): ValidationIssue[];
  /** Whether `status` has a JSON schema to check against. */
  hasJsonResponse(status: number): boolean;
}

function pointer(...parts: string[]): string {
  return '#/' + parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

function issues(validate: ValidateFunction, prefix: string): ValidationIssue[] {
  return (validate.errors ?? []).map((e) => ({
    path: prefix + e.instancePath,
    message: `${e.message ?? 'invalid'}${e.params && 'additionalProperty' in e.params ? `: ${String(e.params['additionalProperty'])}` : ''}`,
  }));
}

/** Compiles every operation of the document. */
export function compileContract(doc: OpenApiDocument): Map<string, OperationValidator> {
  const make = (coerce: boolean): Ajv2020 => {
    const ajv = new Ajv2020({
      strict: false,
      allErrors: true,
      useDefaults: true,
      coerceTypes: coerce ? 'array' : false,
    });
    addFormats(ajv);
    ajv.addSchema({ ...doc, $id: DOC_ID } as object);
    return ajv;
  };
  const strictAjv = make(false);
  const coercingAjv = make(true);
  const ref = (ajv: Ajv2020, ptr: string): ValidateFunction => ajv.compile({ $ref: DOC_ID + ptr });

  /** Follows an OpenAPI (non-schema) `$ref` such as `#/components/responses/Problem`. */
  const resolve = <T>(value: T): { value: T; ptr: string | undefined } => {
    const r = (value as { $ref?: string }).$ref;
    if (r === undefined) return { value, ptr: undefined };
    let node: unknown = doc;
    for (const part of r.slice(2).split('/'))
      node = (node as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    return { value: node as T, ptr: r };
  };

  const out = new Map<string, OperationValidator>();
  for (const [path, item] of Object.entries(doc.paths)) {
    const shared = (item['parameters'] as unknown[] | undefined) ?? [];
    for (const method of METHODS) {
      const op = item[method] as Record<string, unknown> | undefined;
      if (op === undefined) continue;
      const operationId = op['operationId'] as string;
      // Parameters: one object schema per location, each property a $ref into the document.
      const params: Record<'path' | 'query', { properties: Record<string, unknown>; required: string[] }> = {
        path: { properties: {}, required: [] },
        query: { properties: {}, required: [] },
      };
      const all = [
        ...shared.map((p, i) => ({ p, ptr: pointer('paths', path, 'parameters', String(i)) })),
        ...((op['parameters'] as unknown[] | undefined) ?? []).map((p, i) => ({
          p,
          ptr: pointer('paths', path, method, 'parameters', String(i)),
        })),
      ];
      for (const { p, ptr } of all) {
        const resolved = resolve(p as { name: string; in: string; required?: boolean });
        const where = resolved.value.in;
        if (where !== 'path' && where !== 'query') continue;
        const base = resolved.ptr ?? ptr;
        params[where].properties[resolved.value.name] = { $ref: DOC_ID + base + '/schema' };
        if (resolved.value.required === true) params[where].required.push(resolved.value.name);
      }
      const paramValidators = (['path', 'query'] as const).map((where) => ({
        where,
        validate: coercingAjv.compile({ type: 'object', ...params[where] }),
      }));

      let body: OperationValidator['body'];
      const requestBody = op['requestBody'];
      if (requestBody !== undefined) {
        const rb = resolve(
          requestBody as { content?: Record<string, { schema?: unknown }>; required?: boolean },
        );
        const base = rb.ptr ?? pointer('paths', path, method, 'requestBody');
        if (rb.value.content?.['application/json']?.schema !== undefined) {
          const validate = ref(strictAjv, base + '/content/application~1json/schema');
          const required = rb.value.required === true;
          body = (value) => {
            if (value === undefined || value === null)
              return required ? [{ path: '/body', message: 'a JSON body is required' }] : [];
            return validate(value) ? [] : issues(validate, '/body');
          };
        }
      }

      const responses = new Map<string, ValidateFunction>();
      for (const [status, response] of Object.entries((op['responses'] as Record<string, unknown>) ?? {})) {
        const r = resolve(response as { content?: Record<string, { schema?: unknown }> });
        const base = r.ptr ?? pointer('paths', path, method, 'responses', status);
        const type = Object.keys(r.value.content ?? {}).find((t) => t.endsWith('json'));
        if (type !== undefined && r.value.content?.[type]?.schema !== undefined) {
          responses.set(status, ref(strictAjv, `${base}/content/${type.replace(/\//g, '~1')}/schema`));
        }
      }
      const responseFor = (status: number): ValidateFunction | undefined =>
        responses.get(String(status)) ?? (status >= 400 ? responses.get('default') : undefined);

      out.set(operationId, {
        operationId,
        method: method.toUpperCase(),
        url: path.replace(/\{([^}]+)\}/g, ':$1'),
        params(pathParams, query) {
          const found: ValidationIssue[] = [];
          for (const { where, validate } of paramValidators) {
            const value = where === 'path' ? pathParams : query;
            if (!validate(value)) found.push(...issues(validate, `/${where}`));
          }
          return found;
        },
        body,
        response(status, payload) {
          const validate = responseFor(status);
          if (validate === undefined) return [];
          return validate(payload) ? [] : issues(validate, '/response');
        },
        hasJsonResponse: (status) => responseFor(status) !== undefined,
      });
    }
  }
  return out;
}
