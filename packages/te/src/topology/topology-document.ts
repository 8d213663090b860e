import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import yaml from 'js-yaml';
import { TopologyInvalidError, TopologyParseError, type TopologyIssue } from '../errors.js';
import {
  checkBandwidthConstraints,
  type BandwidthConstraints,
  type BandwidthConstraintsModel,
} from '../ledger/bandwidth-constraints.js';
import { Topology, type TeLink, type TopologySpec } from './topology.js';

// ---------------------------------------------------------------------------------------------
// Schema (TypeBox). `deploy/demo/topology.schema.json` is this schema serialised; a unit test keeps
// the two identical. `errorMessage` is our own annotation: the text shown when a value fails there.
// ---------------------------------------------------------------------------------------------

const Bandwidth = Type.Union([Type.Number(), Type.String()], {
  description: 'bit/s as a number, or a string with a unit: "10G", "2.5 Gbit/s", "500M", "64k"',
  errorMessage: 'must be a number of bit/s or a string such as "10G", "500M", "64k"',
});

const AdminGroups = Type.Union(
  [Type.Integer({ minimum: 0, maximum: 0xffffffff }), Type.Array(Type.String({ minLength: 1 }))],
  {
    description:
      '32-bit administrative-group mask (RFC 3630 §2.5.9), or a list of group names from `adminGroups`',
    errorMessage: 'must be a 32-bit mask (integer 0…4294967295) or a list of admin-group names',
  },
);

const BandwidthConstraintsDoc = Type.Object(
  {
    model: Type.Union([Type.Literal('RDM'), Type.Literal('MAM')], { errorMessage: 'must be "RDM" or "MAM"' }),
    bcPercent: Type.Optional(
      Type.Array(Type.Number({ minimum: 0, maximum: 100 }), {
        minItems: 1,
        maxItems: 8,
        description: 'BC0…BCn as percentages of maxReservableBps',
      }),
    ),
    bcBps: Type.Optional(
      Type.Array(Bandwidth, { minItems: 1, maxItems: 8, description: 'BC0…BCn in bit/s' }),
    ),
  },
  { additionalProperties: false, description: 'DiffServ-TE bandwidth constraints (RFC 4124 §4)' },
);

const LinkDirectionOverride = Type.Object(
  {
    maxReservableBps: Type.Optional(Bandwidth),
    teMetric: Type.Optional(Type.Integer({ minimum: 1, maximum: 0xffffffff })),
    delayUs: Type.Optional(Type.Number({ minimum: 0 })),
    adminGroups: Type.Optional(AdminGroups),
  },
  { additionalProperties: false, description: 'attributes of the to→from direction that differ' },
);

const NodeDoc = Type.Object(
  {
    id: Type.String({ minLength: 1 }),
    kind: Type.Union([Type.Literal('PE'), Type.Literal('P')], { errorMessage: 'must be "PE" or "P"' }),
    routerId: Type.String({
      pattern: '^(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}$',
      errorMessage: 'must be a dotted IPv4 router id such as "192.0.2.1"',
    }),
  },
  { additionalProperties: false },
);

const LinkDoc = Type.Object(
  {
    id: Type.String({ minLength: 1 }),
    from: Type.String({ minLength: 1 }),
    to: Type.String({ minLength: 1 }),
    bidirectional: Type.Optional(
      Type.Boolean({ description: 'default true: expands to two directional links' }),
    ),
    maxReservableBps: Bandwidth,
    teMetric: Type.Optional(Type.Integer({ minimum: 1, maximum: 0xffffffff })),
    delayUs: Type.Optional(Type.Number({ minimum: 0 })),
    adminGroups: Type.Optional(AdminGroups),
    srlgs: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 0xffffffff }))),
    bandwidthConstraints: Type.Optional(BandwidthConstraintsDoc),
    reverse: Type.Optional(LinkDirectionOverride),
  },
  { additionalProperties: false },
);

/** JSON schema of a topology document (YAML or JSON). */
export const TopologyDocumentSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    name: Type.Optional(Type.String()),
    adminGroups: Type.Optional(
      Type.Record(Type.String({ minLength: 1 }), Type.Integer({ minimum: 0, maximum: 31 }), {
        description: 'admin-group name → bit position 0…31',
      }),
    ),
    defaults: Type.Optional(
      Type.Object(
        {
          teMetric: Type.Optional(Type.Integer({ minimum: 1, maximum: 0xffffffff })),
          delayUs: Type.Optional(Type.Number({ minimum: 0 })),
          bandwidthConstraints: Type.Optional(BandwidthConstraintsDoc),
        },
        { additionalProperties: false },
      ),
    ),
    nodes: Type.Array(NodeDoc, { minItems: 1 }),
    links: Type.Array(LinkDoc),
  },
  {
    additionalProperties: false,
    $id: 'https://svpn.invalid/schemas/te-topology.json',
    title: 'svpn provider-network topology',
  },
);

/** A topology document as written in YAML / JSON. */
export type TopologyDocument = Static<typeof TopologyDocumentSchema>;

/** Default TE metric when neither the link nor `defaults` gives one. */
export const DEFAULT_TE_METRIC = 10;

// ---------------------------------------------------------------------------------------------

/** Options of {@link parseTopology}. */
export interface ParseTopologyOptions {
  /**
   * Text format. `yaml` also accepts JSON (YAML 1.2 is a superset).
   * @defaultValue 'yaml'
   */
  format?: 'yaml' | 'json';
}

/** Parses a YAML or JSON topology document and builds the {@link Topology}; throws `TopologyParseError` / `TopologyInvalidError`. */
export function parseTopology(text: string, options: ParseTopologyOptions = {}): Topology {
  let doc: unknown;
  try {
    doc = options.format === 'json' ? JSON.parse(text) : yaml.load(text);
  } catch (err) {
    throw new TopologyParseError(
      `topology is not valid ${options.format === 'json' ? 'JSON' : 'YAML'}: ${String(err)}`,
      err,
    );
  }
  return topologyFromDocument(doc);
}

/** Validates a parsed document and builds the {@link Topology}; throws `TopologyInvalidError` listing every problem. */
export function topologyFromDocument(doc: unknown): Topology {
  return Topology.create(topologySpecFromDocument(doc));
}

/** Validates a parsed document and expands it into a {@link TopologySpec} (two-way links become two directional links). */
export function topologySpecFromDocument(doc: unknown): TopologySpec {
  const schemaIssues = schemaErrors(doc);
  if (schemaIssues.length > 0) throw new TopologyInvalidError(schemaIssues);
  const d = doc as TopologyDocument;
  const issues: TopologyIssue[] = [];

  const groupNames: Record<string, number> = { ...(d.adminGroups ?? {}) };
  const nodeIds = new Map<string, number>();
  const routerIds = new Map<string, number>();
  d.nodes.forEach((n, i) => {
    const first = nodeIds.get(n.id);
    if (first !== undefined)
      issues.push({ path: `nodes[${i}].id`, message: `duplicate node id "${n.id}" (also nodes[${first}])` });
    else nodeIds.set(n.id, i);
    const firstRouter = routerIds.get(n.routerId);
    if (firstRouter !== undefined)
      issues.push({
        path: `nodes[${i}].routerId`,
        message: `duplicate router id ${n.routerId} (also nodes[${firstRouter}])`,
      });
    else routerIds.set(n.routerId, i);
  });

  const defaultsBc = d.defaults?.bandwidthConstraints;
  if (defaultsBc) checkBcDoc(defaultsBc, 'defaults.bandwidthConstraints', issues);

  const links: Omit<TeLink, 'index'>[] = [];
  const linkIds = new Map<string, number>();
  d.links.forEach((l, i) => {
    const at = `links[${i}]`;
    const firstLink = linkIds.get(l.id);
    if (firstLink !== undefined)
      issues.push({ path: `${at}.id`, message: `duplicate link id "${l.id}" (also links[${firstLink}])` });
    else linkIds.set(l.id, i);
    if (!nodeIds.has(l.from)) issues.push({ path: `${at}.from`, message: `unknown node "${l.from}"` });
    if (!nodeIds.has(l.to)) issues.push({ path: `${at}.to`, message: `unknown node "${l.to}"` });
    if (l.from === l.to) issues.push({ path: `${at}.to`, message: 'a link must join two different nodes' });
    const two = l.bidirectional ?? true;
    if (!two && l.reverse)
      issues.push({ path: `${at}.reverse`, message: 'only a bidirectional link has a reverse direction' });

    const maxBps = bandwidthValue(l.maxReservableBps, `${at}.maxReservableBps`, issues);
    const mask = adminMask(l.adminGroups, `${at}.adminGroups`, groupNames, issues);
    const bcDoc = l.bandwidthConstraints ?? defaultsBc;
    if (l.bandwidthConstraints) checkBcDoc(l.bandwidthConstraints, `${at}.bandwidthConstraints`, issues);
    const teMetric = l.teMetric ?? d.defaults?.teMetric ?? DEFAULT_TE_METRIC;
    const delayUs = l.delayUs ?? d.defaults?.delayUs ?? 0;
    const srlgs = [...new Set(l.srlgs ?? [])].sort((a, b) => a - b);

    const bcPath = l.bandwidthConstraints ? `${at}.bandwidthConstraints` : 'defaults.bandwidthConstraints';
    const fwdId = two ? `${l.id}:${l.from}->${l.to}` : l.id;
    const revId = `${l.id}:${l.to}->${l.from}`;
    const fwdBc = resolveBc(bcDoc, maxBps, bcPath, at, issues);
    links.push({
      id: fwdId,
      bundleId: l.id,
      reverseId: two ? revId : undefined,
      from: l.from,
      to: l.to,
      maxReservableBps: maxBps,
      teMetric,
      delayUs,
      adminGroups: mask,
      srlgs,
      bandwidthConstraints: fwdBc,
    });
    if (two) {
      const r = l.reverse ?? {};
      const revMax =
        r.maxReservableBps === undefined
          ? maxBps
          : bandwidthValue(r.maxReservableBps, `${at}.reverse.maxReservableBps`, issues);
      links.push({
        id: revId,
        bundleId: l.id,
        reverseId: fwdId,
        from: l.to,
        to: l.from,
        maxReservableBps: revMax,
        teMetric: r.teMetric ?? teMetric,
        delayUs: r.delayUs ?? delayUs,
        adminGroups:
          r.adminGroups === undefined
            ? mask
            : adminMask(r.adminGroups, `${at}.reverse.adminGroups`, groupNames, issues),
        srlgs,
        bandwidthConstraints:
          r.maxReservableBps === undefined
            ? fwdBc
            : resolveBc(bcDoc, revMax, bcPath, `${at}.reverse`, issues),
      });
    }
  });

  if (issues.length > 0) throw new TopologyInvalidError(issues);
  return {
    nodes: d.nodes.map((n) => ({ id: n.id, kind: n.kind, routerId: n.routerId })),
    links,
    adminGroupNames: groupNames,
  };
}

// ---------------------------------------------------------------------------------------------

const UNIT: Record<string, number> = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12 };
const BANDWIDTH_TEXT = /^\s*(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*([kKMGT]?)(?:bit\/s|bps|b\/s)?\s*$/;

/**
 * A bandwidth in bit/s from a number or a string with a decimal unit ("10G" = 10·10⁹ bit/s).
 * Returns NaN for text that does not parse.
 */
export function parseBandwidth(value: number | string): number {
  if (typeof value === 'number') return value;
  const m = BANDWIDTH_TEXT.exec(value);
  if (!m) return Number.NaN;
  return Number(m[1]) * (UNIT[m[2] ?? ''] as number);
}

function bandwidthValue(value: number | string, path: string, issues: TopologyIssue[]): number {
  const bps = parseBandwidth(value);
  if (Number.isNaN(bps))
    issues.push({
      path,
      message: `cannot read "${String(value)}" as a bandwidth (use bit/s or "10G", "500M", "64k")`,
    });
  else if (!Number.isFinite(bps) || bps <= 0) issues.push({ path, message: 'must be > 0' });
  return bps;
}

function adminMask(
  value: number | string[] | undefined,
  path: string,
  names: Record<string, number>,
  issues: TopologyIssue[],
): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value >>> 0;
  let mask = 0;
  value.forEach((name, i) => {
    const bit = names[name];
    if (bit === undefined)
      issues.push({
        path: `${path}[${i}]`,
        message: `unknown admin group "${name}" (declare it under adminGroups)`,
      });
    else mask |= 1 << bit;
  });
  return mask >>> 0;
}

type BcDoc = Static<typeof BandwidthConstraintsDoc>;

function checkBcDoc(bc: BcDoc, path: string, issues: TopologyIssue[]): void {
  if ((bc.bcPercent === undefined) === (bc.bcBps === undefined))
    issues.push({ path, message: 'give exactly one of bcPercent or bcBps' });
}

function resolveBc(
  bc: BcDoc | undefined,
  maxReservableBps: number,
  bcPath: string,
  at: string,
  issues: TopologyIssue[],
): BandwidthConstraints {
  if (!bc || !Number.isFinite(maxReservableBps))
    return { model: 'RDM', maxReservableBps, bc: [maxReservableBps] };
  const model: BandwidthConstraintsModel = bc.model;
  let values: number[];
  if (bc.bcPercent) values = bc.bcPercent.map((p) => (p / 100) * maxReservableBps);
  else if (bc.bcBps) values = bc.bcBps.map((v, i) => bandwidthValue(v, `${bcPath}.bcBps[${i}]`, issues));
  else return { model, maxReservableBps, bc: [maxReservableBps] };
  const out: BandwidthConstraints = { model, maxReservableBps, bc: values };
  for (const p of checkBandwidthConstraints(out)) {
    // Constraints shared through `defaults` are reported once per link they make invalid.
    issues.push({
      path: `${bcPath}.${p.path}`,
      message: bcPath === `${at}.bandwidthConstraints` ? p.message : `${p.message} (for ${at})`,
    });
  }
  return out;
}

function schemaErrors(doc: unknown): TopologyIssue[] {
  const issues: TopologyIssue[] = [];
  const seen = new Set<string>();
  for (const e of Value.Errors(TopologyDocumentSchema, doc)) {
    const path = pointerToPath(e.path);
    if (seen.has(path)) continue; // one message per location: the first is the most specific
    seen.add(path);
    issues.push({ path: path === '' ? '(document)' : path, message: describe(e) });
  }
  return issues;
}

/** `/links/3/maxReservableBps` → `links[3].maxReservableBps`. */
function pointerToPath(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(part) ? `[${part}]` : out === '' ? part : `.${part}`;
  }
  return out;
}

function describe(e: ValueError): string {
  const schema = e.schema as TSchema & Record<string, unknown>;
  if (typeof schema['errorMessage'] === 'string') return schema['errorMessage'];
  switch (e.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return 'is required';
    case ValueErrorType.ObjectAdditionalProperties:
      return 'is not a known field';
    case ValueErrorType.NumberExclusiveMinimum:
    case ValueErrorType.IntegerExclusiveMinimum:
      return `must be > ${String(schema['exclusiveMinimum'])}`;
    case ValueErrorType.NumberMinimum:
    case ValueErrorType.IntegerMinimum:
      return `must be ≥ ${String(schema['minimum'])}`;
    case ValueErrorType.NumberMaximum:
    case ValueErrorType.IntegerMaximum:
      return `must be ≤ ${String(schema['maximum'])}`;
    case ValueErrorType.Integer:
      return 'must be an integer';
    case ValueErrorType.Number:
      return 'must be a number';
    case ValueErrorType.String:
      return 'must be a string';
    case ValueErrorType.StringMinLength:
      return 'must not be empty';
    case ValueErrorType.Boolean:
      return 'must be true or false';
    case ValueErrorType.Array:
      return 'must be a list';
    case ValueErrorType.ArrayMinItems:
      return `must have at least ${String(schema['minItems'])} item(s)`;
    case ValueErrorType.ArrayMaxItems:
      return `must have at most ${String(schema['maxItems'])} item(s)`;
    case ValueErrorType.Object:
      return 'must be a mapping (object)';
    default:
      return e.message;
  }
}
