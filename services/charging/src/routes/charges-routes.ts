import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { chargeCsvHeader, chargeCsvRow, type ChargeRecord } from '@svpn/charging';
import { badRequest, HttpProblem, notFound } from '@svpn/service-kit';
import { ChargeStoreError, MAX_CHARGE_PAGE, type ChargeQuery, type ChargeStore } from '@svpn/store';

/** Options of {@link chargesRoutes}. */
export interface ChargesRoutesOptions {
  readonly store: ChargeStore<ChargeRecord>;
  /** Most rows one CSV export may hold. @defaultValue 100 000 */
  readonly csvMaxRows?: number;
}

const Instant = Type.String({
  minLength: 1,
  maxLength: 40,
  description: 'RFC 3339 date-time (2026-01-15T12:00:00Z) or ms since the epoch',
});
const Id = Type.String({ minLength: 1, maxLength: 256, pattern: '^\\S+$' });

const ListQuery = Type.Object({
  customer: Type.Optional(Id),
  from: Type.Optional(Instant),
  to: Type.Optional(Instant),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_CHARGE_PAGE, default: 100 })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
});
type ListQuery = Static<typeof ListQuery>;

const CsvQuery = Type.Object({
  customer: Type.Optional(Id),
  from: Type.Optional(Instant),
  to: Type.Optional(Instant),
});
type CsvQuery = Static<typeof CsvQuery>;

const SessionParams = Type.Object({ sessionId: Id });
type SessionParams = Static<typeof SessionParams>;

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** An instant from the query: whole ms since the epoch, or an RFC 3339 date-time. @throws 400 */
export function parseInstant(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  let ms: number;
  if (/^\d{1,15}$/.test(value)) ms = Number(value);
  else if (RFC3339.test(value)) ms = Date.parse(value);
  else ms = Number.NaN;
  if (!Number.isSafeInteger(ms) || ms < 0)
    throw badRequest(`${name} must be an RFC 3339 date-time or ms since the epoch`, { parameter: name });
  return ms;
}

function toStoreQuery(q: { customer?: string; from?: string; to?: string }): ChargeQuery {
  const from = parseInstant('from', q.from);
  const to = parseInstant('to', q.to);
  if (from !== undefined && to !== undefined && from > to) throw badRequest('from is after to');
  return {
    ...(q.customer === undefined ? {} : { customer: q.customer }),
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
  };
}

/** Store errors a caller caused (bad cursor, impossible range) are 400s; anything else is a 500. */
function asProblem(error: unknown): unknown {
  if (
    error instanceof ChargeStoreError &&
    error.code !== 'STORE_CHARGE_CORRUPT' &&
    error.code !== 'STORE_CHARGE_CONFLICT'
  )
    return new HttpProblem(400, error.code, 'Bad Request', error.message);
  return error;
}

/**
 * `GET /v1/charges` (JSON page), `GET /v1/charges/:sessionId`, `GET /v1/charges.csv` (RFC 4180
 * attachment). Records are ordered by setup time then session id; `from`/`to` filter on setup time,
 * `[from, to)`.
 */
export const chargesRoutes: FastifyPluginAsync<ChargesRoutesOptions> = async (app, options) => {
  const { store } = options;
  const csvMaxRows = options.csvMaxRows ?? 100_000;

  app.get<{ Querystring: ListQuery }>(
    '/v1/charges',
    { schema: { querystring: ListQuery } },
    async (request) => {
      const q = request.query;
      try {
        const page = await store.query({
          ...toStoreQuery(q),
          limit: q.limit ?? 100,
          ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
        });
        return { items: page.records.map((r) => r.record), nextCursor: page.nextCursor };
      } catch (error) {
        throw asProblem(error);
      }
    },
  );

  app.get<{ Querystring: CsvQuery }>(
    '/v1/charges.csv',
    { schema: { querystring: CsvQuery } },
    async (request, reply) => {
      const base = toStoreQuery(request.query);
      let body = chargeCsvHeader();
      let rows = 0;
      let cursor: string | undefined;
      try {
        do {
          const page = await store.query({
            ...base,
            limit: MAX_CHARGE_PAGE,
            ...(cursor === undefined ? {} : { cursor }),
          });
          rows += page.records.length;
          if (rows > csvMaxRows)
            throw new HttpProblem(
              422,
              'SVPN_CHARGES_EXPORT_TOO_LARGE',
              'Unprocessable Content',
              `more than ${csvMaxRows} records: narrow the export with from/to`,
            );
          for (const { record } of page.records) body += chargeCsvRow(record);
          cursor = page.nextCursor ?? undefined;
        } while (cursor !== undefined);
      } catch (error) {
        throw asProblem(error);
      }
      const name =
        `charges${request.query.customer === undefined ? '' : `-${request.query.customer}`}.csv`.replace(
          /[^A-Za-z0-9._-]/g,
          '_',
        );
      return reply
        .type('text/csv; charset=utf-8; header=present')
        .header('content-disposition', `attachment; filename="${name}"`)
        .send(body);
    },
  );

  app.get<{ Params: SessionParams }>(
    '/v1/charges/:sessionId',
    { schema: { params: SessionParams } },
    async (request) => {
      const stored = await store.get(request.params.sessionId);
      if (stored === null) throw notFound(`charge record of session ${request.params.sessionId}`);
      return stored.record;
    },
  );
};
