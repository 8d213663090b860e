/**
 * Checks the deployment files (Dockerfile, .dockerignore, docker-compose.yml, deploy/k8s, the Grafana
 * dashboard, docs/operations.md) against the code, since no Docker engine or cluster runs here
 * (issue 4 item 7): every service they run is one `svpn run` knows, every environment variable they
 * set is one that service reads, every port is one it listens on, probes hit /healthz and /readyz,
 * URLs name services that exist, and the entry point is in the image.
 *
 * What a service reads is derived from the code, not listed here:
 * - the services and their entry points: `SERVICES` and the entry table in services/cli/src/run.ts;
 * - its settings: the keys of `ConfigSchema` in services/<dir>/src/config.ts (`loadConfig` reads
 *   `fooBar` from `SVPN_FOO_BAR` or `FOO_BAR`), plus any other service's `ConfigSchema` its main.ts
 *   loads (keys it overrides there excluded) and inline `loadConfig(Type.Object({...}))` schemas;
 * - variables every process reads: `process.env['X']` in packages/service-kit/src (LOG_LEVEL).
 *
 * Each check returns a list of problems (empty: fine), so the test can also feed broken copies and
 * show the checker catches them.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TSchema } from '@sinclair/typebox';
import { loadConfig } from '@svpn/service-kit';

// ------------------------------------------------------------------------------------------------
// What the code accepts
// ------------------------------------------------------------------------------------------------

/** One port a service listens on, from its effective configuration. */
export interface ServicePort {
  /** The configuration key (`httpPort`, `sipPort`). */
  key: string;
  port: number;
  protocols: ('tcp' | 'udp')[];
}

/** What one `svpn run <name>` reads and serves. */
export interface ServiceSpec {
  name: string;
  /** services/<dir>. */
  dir: string;
  /** Every environment variable name the process reads. */
  envNames: ReadonlySet<string>;
  /** The configuration this environment gives (throws `ConfigError` when a value is invalid). */
  configure(env: Record<string, string>): Record<string, unknown>;
  /** The ports that configuration listens on. */
  ports(env: Record<string, string>): ServicePort[];
}

/** Everything the checks compare the files with. */
export interface CodeFacts {
  root: string;
  /** `svpn run` services, in the CLI's order. */
  services: ReadonlyMap<string, ServiceSpec>;
  /** `handleShutdown`'s default grace, ms: the longest a drain may take. */
  shutdownGraceMs: number;
  /** Prometheus metric names the code registers (histograms with `_bucket`, `_sum`, `_count`). */
  metricNames: ReadonlySet<string>;
}

/** `fooBar` → `FOO_BAR`, as `loadConfig` spells it. */
export function envNameOf(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

function schemaKeys(schema: TSchema): string[] {
  return Object.keys((schema as unknown as { properties?: Record<string, unknown> }).properties ?? {});
}

function read(root: string, path: string): string {
  return readFileSync(join(root, path), 'utf8');
}

/** Reads the facts from the repository at `root`. */
export async function loadCodeFacts(root: string): Promise<CodeFacts> {
  const runTs = read(root, 'services/cli/src/run.ts');
  const { SERVICES } = (await import(pathToFileURL(join(root, 'services/cli/src/run.ts')).href)) as {
    SERVICES: readonly string[];
  };
  const entries = new Map<string, string>();
  for (const m of runTs.matchAll(/['"]?([\w-]+)['"]?\s*:\s*'\.\.\/\.\.\/([\w-]+)\/src\/main\.ts'/g)) {
    entries.set(m[1] as string, m[2] as string);
  }
  // Variables the shared service kit reads in every process (LOG_LEVEL).
  const globalEnv = new Set<string>();
  for (const file of readdirSync(join(root, 'packages/service-kit/src'))) {
    for (const m of read(root, `packages/service-kit/src/${file}`).matchAll(/process\.env\['(\w+)'\]/g)) {
      globalEnv.add(m[1] as string);
    }
  }

  const services = new Map<string, ServiceSpec>();
  for (const name of SERVICES) {
    const dir = entries.get(name);
    if (dir === undefined) throw new Error(`services/cli/src/run.ts names no main.ts for "${name}"`);
    const main = read(root, `services/${dir}/src/main.ts`);
    const own = (await import(pathToFileURL(join(root, `services/${dir}/src/config.ts`)).href)) as {
      ConfigSchema: TSchema;
    };
    if (!/loadConfig\(\s*ConfigSchema\b/.test(main)) {
      throw new Error(`services/${dir}/src/main.ts does not load its ConfigSchema`);
    }
    const names = new Set<string>(globalEnv);
    const addKey = (key: string): void => {
      names.add(envNameOf(key));
      names.add(`SVPN_${envNameOf(key)}`);
    };
    schemaKeys(own.ConfigSchema).forEach(addKey);
    const extraSchemas: TSchema[] = [];
    // Other services' configurations main.ts loads from the environment (`ConfigSchema as X`).
    for (const m of main.matchAll(/import\s*\{([^}]*)\}\s*from\s*'(@svpn\/[\w-]+)'/g)) {
      const alias = /\bConfigSchema\s+as\s+(\w+)/.exec(m[1] as string)?.[1];
      if (alias === undefined) continue;
      const other = (await import(m[2] as string)) as { ConfigSchema: TSchema };
      const call = new RegExp(
        `loadConfig\\(\\s*${alias}\\s*,\\s*process\\.env\\s*(?:,\\s*\\{([^}]*)\\})?`,
      ).exec(main);
      if (call === null) continue;
      const overridden = new Set([...(call[1] ?? '').matchAll(/(\w+)\s*:/g)].map((k) => k[1] as string));
      schemaKeys(other.ConfigSchema)
        .filter((k) => !overridden.has(k))
        .forEach(addKey);
      extraSchemas.push(other.ConfigSchema);
    }
    // Inline schemas: `loadConfig(Type.Object({ policyUrl: Type.String(...) }), process.env)`.
    for (const m of main.matchAll(/loadConfig\(\s*Type\.Object\(\{([\s\S]*?)\}\),\s*process\.env/g)) {
      for (const k of (m[1] as string).matchAll(/(\w+)\s*:\s*Type\./g)) addKey(k[1] as string);
    }
    const configure = (env: Record<string, string>): Record<string, unknown> => {
      for (const schema of extraSchemas) loadConfig(schema, env);
      return loadConfig(own.ConfigSchema, env) as Record<string, unknown>;
    };
    services.set(name, {
      name,
      dir,
      envNames: names,
      configure,
      ports(env) {
        const config = configure(env);
        return Object.entries(config)
          .filter(([key, value]) => /Port$/.test(key) && typeof value === 'number')
          .map(([key, value]) => ({
            key,
            port: value as number,
            // SIP runs on UDP, and on TCP too unless `sipTcp` is off (RFC 3261 §18).
            protocols: key.startsWith('sip')
              ? config['sipTcp'] === false
                ? ['udp']
                : ['udp', 'tcp']
              : ['tcp'],
          }));
      },
    });
  }

  const lifecycle = read(root, 'packages/service-kit/src/lifecycle.ts');
  const grace = /graceMs\s*=\s*([\d_]+)/.exec(lifecycle)?.[1];
  if (grace === undefined) throw new Error('handleShutdown has no default graceMs');

  const metricNames = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'dist') walk(path);
      } else if (entry.name.endsWith('.ts')) {
        const text = read(root, path);
        for (const m of text.matchAll(
          /new (Counter|Gauge|Histogram|Summary)(?:<[^>]*>)?\(\{\s*name:\s*'(\w+)'/g,
        )) {
          const metric = m[2] as string;
          metricNames.add(metric);
          if (m[1] === 'Histogram' || m[1] === 'Summary') {
            for (const suffix of ['_bucket', '_sum', '_count']) metricNames.add(metric + suffix);
          }
        }
        // Gauge factories: `tunnelGauge('svpn_tunnel_reserved_bps', …)`.
        for (const m of text.matchAll(/Gauge\(\s*'(svpn_\w+)'/g)) metricNames.add(m[1] as string);
      }
    }
  };
  for (const top of ['services', 'packages']) {
    for (const entry of readdirSync(join(root, top), { withFileTypes: true })) {
      if (entry.isDirectory() && existsSync(join(root, top, entry.name, 'src')))
        walk(`${top}/${entry.name}/src`);
    }
  }
  return { root, services, shutdownGraceMs: Number(grace.replace(/_/g, '')), metricNames };
}

// ------------------------------------------------------------------------------------------------
// Small helpers
// ------------------------------------------------------------------------------------------------

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function obj(value: unknown): Obj {
  return isObj(value) ? value : {};
}

function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function str(value: unknown): string | undefined {
  return typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : undefined;
}

/** `run <service>` as an argument vector, or a problem. */
function runTarget(
  where: string,
  args: unknown,
  facts: CodeFacts,
  problems: string[],
): ServiceSpec | undefined {
  const argv = typeof args === 'string' ? args.trim().split(/\s+/) : arr(args).map((a) => String(a));
  if (argv.length !== 2 || argv[0] !== 'run') {
    problems.push(`${where}: the command must be ["run", "<service>"], not ${JSON.stringify(args)}`);
    return undefined;
  }
  const spec = facts.services.get(argv[1] as string);
  if (spec === undefined) {
    problems.push(
      `${where}: "svpn run ${argv[1]}" is no service (svpn run knows ${[...facts.services.keys()].join(', ')})`,
    );
  }
  return spec;
}

/** Checks names and values of a service's environment; returns its effective ports (or none). */
function checkEnvironment(
  where: string,
  spec: ServiceSpec,
  env: Record<string, string>,
  problems: string[],
): ServicePort[] {
  for (const name of Object.keys(env)) {
    if (!spec.envNames.has(name)) problems.push(`${where}: ${name} is not read by svpn run ${spec.name}`);
  }
  try {
    return spec.ports(env);
  } catch (error) {
    problems.push(`${where}: the environment does not configure ${spec.name}: ${(error as Error).message}`);
    return [];
  }
}

/** Whether a port (with protocol) is one the service listens on. */
function listens(ports: ServicePort[], port: number, protocol: string): boolean {
  return ports.some((p) => p.port === port && (p.protocols as string[]).includes(protocol.toLowerCase()));
}

/** `http://host:port/...`, `redis://[user:pass@]host:port` → host and port. */
function urlTarget(value: string): { scheme: string; host: string; port: number } | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  const scheme = url.protocol.replace(/:$/, '');
  const defaults: Record<string, number> = { http: 80, https: 443, redis: 6379, rediss: 6379 };
  if (!(scheme in defaults)) return undefined;
  return {
    scheme,
    host: url.hostname,
    port: url.port === '' ? (defaults[scheme] as number) : Number(url.port),
  };
}

/** `host:port` (a SIP target such as `sip-gateway:5060`) → host and port; not for IP literals. */
function hostPortTarget(value: string): { scheme: string; host: string; port: number } | undefined {
  const m = /^([a-z][a-z0-9-]*):(\d+)$/.exec(value);
  return m === null ? undefined : { scheme: 'sip', host: m[1] as string, port: Number(m[2]) };
}

/** Docker-style duration (`45s`, `1m30s`) in seconds. */
function seconds(value: unknown): number | undefined {
  const text = str(value);
  if (text === undefined) return undefined;
  const m = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?$/.exec(text);
  if (m === null || text === '') return undefined;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

const REDIS_AOF: [string, string][] = [
  ['--appendonly', 'yes'],
  ['--appendfsync', 'everysec'],
  ['--maxmemory-policy', 'noeviction'],
];

function checkRedisArgs(where: string, argv: string[], problems: string[]): void {
  for (const [flag, value] of REDIS_AOF) {
    const i = argv.indexOf(flag);
    if (i < 0 || argv[i + 1] !== value)
      problems.push(`${where}: Redis must run with ${flag} ${value} (DESIGN §5)`);
  }
}

/** The drain the environment configures must fit in handleShutdown's grace. */
function checkDrain(
  where: string,
  spec: ServiceSpec,
  env: Record<string, string>,
  facts: CodeFacts,
  problems: string[],
): void {
  let config: Record<string, unknown>;
  try {
    config = spec.configure(env);
  } catch {
    return;
  }
  const drain = config['drainTimeoutMs'];
  if (typeof drain === 'number' && drain >= facts.shutdownGraceMs) {
    problems.push(
      `${where}: drainTimeoutMs ${drain} must be below the shutdown grace (${facts.shutdownGraceMs} ms)`,
    );
  }
}

/** Relative file settings (topology, tariffs) must name files the image holds. */
function checkFiles(where: string, env: Record<string, string>, facts: CodeFacts, problems: string[]): void {
  for (const [name, value] of Object.entries(env)) {
    if (!/_FILE$/.test(name) || value === '' || value.startsWith('/')) continue;
    if (!existsSync(join(facts.root, value)))
      problems.push(`${where}: ${name}=${value} does not exist in the repository`);
  }
}

// ------------------------------------------------------------------------------------------------
// docker-compose.yml
// ------------------------------------------------------------------------------------------------

/** Container-side port and protocol of a compose `ports` / `expose` entry. */
function composePort(entry: unknown): { port: number; protocol: string } | undefined {
  if (isObj(entry)) {
    const target = Number(entry['target']);
    return Number.isInteger(target) ? { port: target, protocol: str(entry['protocol']) ?? 'tcp' } : undefined;
  }
  const text = str(entry);
  if (text === undefined) return undefined;
  const [spec, protocol = 'tcp'] = text.split('/');
  const container = (spec ?? '').split(':').pop() ?? '';
  return /^\d+$/.test(container) ? { port: Number(container), protocol } : undefined;
}

function composeEnv(value: unknown): Record<string, string> {
  if (Array.isArray(value)) {
    const env: Record<string, string> = {};
    for (const item of value) {
      const text = String(item);
      const eq = text.indexOf('=');
      env[eq < 0 ? text : text.slice(0, eq)] = eq < 0 ? '' : text.slice(eq + 1);
    }
    return env;
  }
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(value))) env[k] = str(v) ?? '';
  return env;
}

/** Problems of a parsed docker-compose.yml. */
export function checkCompose(compose: unknown, facts: CodeFacts): string[] {
  const problems: string[] = [];
  const services = obj(obj(compose)['services']);
  const names = new Set(Object.keys(services));
  const run = new Map<string, { spec: ServiceSpec; ports: ServicePort[] }>();
  let redisPort: number | undefined;

  for (const [name, raw] of Object.entries(services)) {
    const service = obj(raw);
    const where = `docker-compose.yml services.${name}`;
    for (const dep of Array.isArray(service['depends_on'])
      ? service['depends_on']
      : Object.keys(obj(service['depends_on']))) {
      if (!names.has(String(dep))) problems.push(`${where}: depends_on names no service "${String(dep)}"`);
    }
    const image = str(service['image']) ?? '';
    const svpn = service['build'] !== undefined || image.startsWith('svpn');
    if (!svpn) {
      if (/^redis[:@]/.test(image)) {
        const argv = arr(service['command']).map(String);
        checkRedisArgs(where, argv, problems);
        const port = argv.indexOf('--port');
        redisPort = port >= 0 ? Number(argv[port + 1]) : 6379;
        if (!arr(service['volumes']).some((v) => String(v).split(':')[1] === '/data')) {
          problems.push(`${where}: Redis needs a volume at /data for its append-only file`);
        }
      }
      continue;
    }
    const build = obj(service['build']);
    if (service['build'] !== undefined && (str(build['dockerfile']) ?? 'Dockerfile') !== 'Dockerfile') {
      problems.push(`${where}: every service is built from the one Dockerfile`);
    }
    const spec = runTarget(where, service['command'], facts, problems);
    if (spec === undefined) continue;
    const env = composeEnv(service['environment']);
    const ports = checkEnvironment(where, spec, env, problems);
    checkDrain(where, spec, env, facts, problems);
    checkFiles(where, env, facts, problems);
    run.set(name, { spec, ports });
    for (const entry of [...arr(service['ports']), ...arr(service['expose'])]) {
      const p = composePort(entry);
      if (p === undefined) problems.push(`${where}: cannot read port ${JSON.stringify(entry)}`);
      else if (!listens(ports, p.port, p.protocol)) {
        problems.push(
          `${where}: port ${p.port}/${p.protocol} is not one svpn run ${spec.name} listens on (${describe(ports)})`,
        );
      }
    }
    // SIP must be reachable over every transport the gateway serves.
    for (const p of ports.filter((q) => q.key === 'sipPort')) {
      for (const protocol of p.protocols) {
        const published = arr(service['ports']).some((e) => {
          const c = composePort(e);
          return c?.port === p.port && c.protocol === protocol;
        });
        if (!published) problems.push(`${where}: SIP port ${p.port}/${protocol} is not published`);
      }
    }
    // A SIP address that is not the wildcard must be this container's own address.
    const sipAddress = env['SVPN_SIP_ADDRESS'] ?? env['SIP_ADDRESS'];
    if (sipAddress !== undefined && /^\d+\.\d+\.\d+\.\d+$/.test(sipAddress) && sipAddress !== '0.0.0.0') {
      const assigned = Object.values(obj(service['networks'])).some(
        (n) => obj(n)['ipv4_address'] === sipAddress,
      );
      if (!assigned)
        problems.push(
          `${where}: SIP address ${sipAddress} is not assigned to the container (networks.*.ipv4_address)`,
        );
    }
    const healthcheck = arr(obj(service['healthcheck'])['test']).map(String).join(' ');
    const probe = /https?:\/\/(?:127\.0\.0\.1|localhost):(\d+)(\/\w*)/.exec(healthcheck);
    if (probe === null) problems.push(`${where}: no HTTP healthcheck on /healthz or /readyz`);
    else {
      if (!['/healthz', '/readyz'].includes(probe[2] as string))
        problems.push(`${where}: healthcheck path ${probe[2]} is neither /healthz nor /readyz`);
      if (!ports.some((p) => p.key === 'httpPort' && p.port === Number(probe[1]))) {
        problems.push(`${where}: healthcheck port ${probe[1]} is not the HTTP port (${describe(ports)})`);
      }
    }
    const grace = seconds(service['stop_grace_period']);
    if (grace === undefined || grace * 1000 < facts.shutdownGraceMs) {
      problems.push(`${where}: stop_grace_period must allow the ${facts.shutdownGraceMs / 1000} s drain`);
    }
  }

  // URLs (and SIP host:port targets) point at services of this file, on the ports they serve.
  for (const [name, raw] of Object.entries(services)) {
    if (!run.has(name)) continue;
    for (const [variable, value] of Object.entries(composeEnv(obj(raw)['environment']))) {
      const target = urlTarget(value) ?? hostPortTarget(value);
      if (target === undefined) continue;
      const where = `docker-compose.yml services.${name} ${variable}`;
      if (!names.has(target.host)) {
        problems.push(`${where}: ${target.host} is no service of this file`);
        continue;
      }
      const other = run.get(target.host);
      const ok = target.scheme.startsWith('redis')
        ? redisPort === target.port
        : other !== undefined && listens(other.ports, target.port, target.scheme === 'sip' ? 'udp' : 'tcp');
      if (!ok)
        problems.push(`${where}: ${target.host} does not serve ${target.scheme} on port ${target.port}`);
    }
  }
  for (const name of facts.services.keys()) {
    if (![...run.values()].some((r) => r.spec.name === name))
      problems.push(`docker-compose.yml: no container runs "svpn run ${name}"`);
  }
  return problems;
}

function describe(ports: ServicePort[]): string {
  return ports.map((p) => `${p.key} ${p.port}/${p.protocols.join('+')}`).join(', ') || 'none';
}

// ------------------------------------------------------------------------------------------------
// Kubernetes
// ------------------------------------------------------------------------------------------------

interface Workload {
  kind: string;
  name: string;
  replicas: number;
  labels: Obj;
  pod: Obj;
  /** The svpn containers: their service, effective ports and named ports. */
  containers: {
    name: string;
    spec: ServiceSpec | undefined;
    ports: ServicePort[];
    named: Map<string, { port: number; protocol: string }>;
  }[];
}

const NAMESPACE = 'svpn';

/** Problems of the parsed documents of deploy/k8s (every file, every `---` document). */
export function checkKubernetes(documents: { file: string; doc: unknown }[], facts: CodeFacts): string[] {
  const problems: string[] = [];
  const objects = documents.filter(({ doc }) => isObj(doc) && obj(doc)['kind'] !== 'Kustomization');
  const byKind = (kind: string): { file: string; doc: Obj }[] =>
    objects.filter(({ doc }) => obj(doc)['kind'] === kind).map(({ file, doc }) => ({ file, doc: obj(doc) }));
  const named = (kind: string, name: string): Obj | undefined =>
    byKind(kind).find(({ doc }) => obj(doc['metadata'])['name'] === name)?.doc;

  if (named('Namespace', NAMESPACE) === undefined) problems.push(`deploy/k8s: no Namespace ${NAMESPACE}`);
  for (const { file, doc } of objects.map(({ file, doc }) => ({ file, doc: obj(doc) }))) {
    const meta = obj(doc['metadata']);
    if (
      typeof doc['apiVersion'] !== 'string' ||
      typeof doc['kind'] !== 'string' ||
      typeof meta['name'] !== 'string'
    ) {
      problems.push(`${file}: a document without apiVersion, kind or metadata.name`);
    } else if (doc['kind'] !== 'Namespace' && meta['namespace'] !== NAMESPACE) {
      problems.push(
        `${file}: ${String(doc['kind'])} ${String(meta['name'])} is not in namespace ${NAMESPACE}`,
      );
    }
  }

  const configMaps = new Map(
    byKind('ConfigMap').map(({ doc }) => [String(obj(doc['metadata'])['name']), obj(doc['data'])]),
  );
  const secrets = new Map(
    byKind('Secret').map(({ doc }) => [String(obj(doc['metadata'])['name']), { ...obj(doc['stringData']) }]),
  );

  const workloads: Workload[] = [];
  for (const kind of ['Deployment', 'StatefulSet']) {
    for (const { file, doc } of byKind(kind)) {
      const meta = obj(doc['metadata']);
      const spec = obj(doc['spec']);
      const template = obj(spec['template']);
      const pod = obj(template['spec']);
      const labels = obj(obj(template['metadata'])['labels']);
      const name = String(meta['name']);
      const where = `${file} ${kind} ${name}`;
      const selector = obj(obj(spec['selector'])['matchLabels']);
      for (const [k, v] of Object.entries(selector)) {
        if (labels[k] !== v)
          problems.push(`${where}: selector ${k}=${String(v)} does not match its pod template`);
      }
      if (kind === 'StatefulSet' && named('Service', String(spec['serviceName'])) === undefined) {
        problems.push(`${where}: serviceName ${String(spec['serviceName'])} is no Service`);
      }
      const workload: Workload = {
        kind,
        name,
        replicas: Number(spec['replicas'] ?? 1),
        labels,
        pod,
        containers: [],
      };
      workloads.push(workload);
      for (const c of arr(pod['containers']).map(obj)) {
        const cname = String(c['name']);
        const cwhere = `${where} container ${cname}`;
        const namedPorts = new Map<string, { port: number; protocol: string }>();
        for (const p of arr(c['ports']).map(obj)) {
          if (typeof p['name'] === 'string') {
            namedPorts.set(p['name'], {
              port: Number(p['containerPort']),
              protocol: str(p['protocol']) ?? 'TCP',
            });
          }
        }
        const image = str(c['image']) ?? '';
        if (!image.startsWith('svpn:') && !image.includes('/svpn:')) {
          if (/^redis[:@]/.test(image)) {
            checkRedisArgs(cwhere, arr(c['args']).map(String), problems);
            const mounts = arr(c['volumeMounts']).map(obj);
            const claims = arr(spec['volumeClaimTemplates']).map((t) =>
              String(obj(obj(t)['metadata'])['name']),
            );
            if (!mounts.some((m) => m['mountPath'] === '/data' && claims.includes(String(m['name'])))) {
              problems.push(`${cwhere}: Redis needs a persistent volume (volumeClaimTemplates) at /data`);
            }
          }
          workload.containers.push({
            name: cname,
            spec: undefined,
            ports: [{ key: 'port', port: 6379, protocols: ['tcp'] }],
            named: namedPorts,
          });
          continue;
        }
        if (c['command'] !== undefined)
          problems.push(`${cwhere}: command replaces the image's ENTRYPOINT; use args`);
        const svc = runTarget(cwhere, c['args'], facts, problems);
        if (svc === undefined) continue;
        const env = resolveEnv(cwhere, c, workload, configMaps, secrets, problems);
        const ports = checkEnvironment(cwhere, svc, env, problems);
        checkDrain(cwhere, svc, env, facts, problems);
        checkFiles(cwhere, env, facts, problems);
        workload.containers.push({ name: cname, spec: svc, ports, named: namedPorts });
        for (const [pname, p] of namedPorts) {
          if (!listens(ports, p.port, p.protocol)) {
            problems.push(
              `${cwhere}: port ${pname} ${p.port}/${p.protocol} is not one svpn run ${svc.name} listens on (${describe(ports)})`,
            );
          }
        }
        for (const p of arr(c['ports']).map(obj)) {
          if (typeof p['name'] !== 'string')
            problems.push(`${cwhere}: name every container port (probes and Services refer to names)`);
        }
        const http = ports.find((p) => p.key === 'httpPort');
        const probes: [string, string][] = [
          ['startupProbe', '/healthz'],
          ['livenessProbe', '/healthz'],
          ['readinessProbe', '/readyz'],
        ];
        for (const [probe, path] of probes) {
          const get = obj(obj(c[probe])['httpGet']);
          if (c[probe] === undefined) {
            if (probe !== 'startupProbe') problems.push(`${cwhere}: no ${probe}`);
            continue;
          }
          if (get['path'] !== path)
            problems.push(`${cwhere}: ${probe} must GET ${path}, not ${String(get['path'])}`);
          const port =
            typeof get['port'] === 'string' ? namedPorts.get(get['port'])?.port : Number(get['port']);
          if (port === undefined || port !== http?.port) {
            problems.push(
              `${cwhere}: ${probe} port ${String(get['port'])} is not the HTTP port (${describe(ports)})`,
            );
          }
        }
        const annotations = obj(obj(template['metadata'])['annotations']);
        if (
          annotations['prometheus.io/port'] !== undefined &&
          Number(annotations['prometheus.io/port']) !== http?.port
        ) {
          problems.push(
            `${where}: prometheus.io/port ${String(annotations['prometheus.io/port'])} is not the HTTP port`,
          );
        }
        if (pod['enableServiceLinks'] !== false) {
          problems.push(
            `${where}: set enableServiceLinks: false (Service variables such as SIP_PORT=tcp://… would be read as settings)`,
          );
        }
        const grace = Number(pod['terminationGracePeriodSeconds'] ?? 30);
        if (grace * 1000 <= facts.shutdownGraceMs) {
          problems.push(
            `${where}: terminationGracePeriodSeconds ${grace} leaves no room over the ${facts.shutdownGraceMs / 1000} s drain`,
          );
        }
        if (!isObj(c['resources']) || !isObj(obj(c['resources'])['requests']))
          problems.push(`${cwhere}: no resource requests`);
      }
    }
  }

  // Services select pods that serve the ports they name.
  const services = byKind('Service').map(({ file, doc }) => ({ file, doc }));
  for (const { file, doc } of services) {
    const name = String(obj(doc['metadata'])['name']);
    const where = `${file} Service ${name}`;
    const selector = obj(obj(doc['spec'])['selector']);
    const selected = workloads.filter((w) => Object.entries(selector).every(([k, v]) => w.labels[k] === v));
    if (selected.length === 0) {
      problems.push(`${where}: its selector matches no pods`);
      continue;
    }
    for (const p of arr(obj(doc['spec'])['ports']).map(obj)) {
      const protocol = str(p['protocol']) ?? 'TCP';
      const target = p['targetPort'] ?? p['port'];
      for (const w of selected) {
        const served = w.containers.some((c) => {
          const port = typeof target === 'string' ? c.named.get(target) : { port: Number(target), protocol };
          return (
            port !== undefined &&
            port.protocol.toUpperCase() === protocol.toUpperCase() &&
            (c.spec === undefined
              ? c.ports.some((q) => q.port === port.port)
              : listens(c.ports, port.port, protocol))
          );
        });
        if (!served) problems.push(`${where}: ${w.kind} ${w.name} serves no ${String(target)}/${protocol}`);
      }
    }
  }

  // URLs (and SIP host:port targets) in svpn environments name Services and their ports, and no
  // NetworkPolicy keeps the workload out of the pods behind them.
  const labelsMatch = (selector: Obj, labels: Obj): boolean =>
    Object.entries(selector).every(([k, v]) => labels[k] === v);
  for (const w of workloads) {
    for (const c of arr(w.pod['containers']).map(obj)) {
      if (!(str(c['image']) ?? '').includes('svpn:')) continue;
      const env = resolveEnv('', c, w, configMaps, secrets, []);
      for (const [variable, value] of Object.entries(env)) {
        const target = urlTarget(value) ?? hostPortTarget(value);
        if (target === undefined) continue;
        const where = `${w.kind} ${w.name} ${variable}`;
        const service = named('Service', target.host);
        if (service === undefined) {
          problems.push(`${where}: ${target.host} is no Service`);
          continue;
        }
        const ports = arr(obj(service['spec'])['ports']).map(obj);
        if (!ports.some((p) => Number(p['port']) === target.port))
          problems.push(`${where}: Service ${target.host} has no port ${target.port}`);
        const behind = workloads.filter((t) => labelsMatch(obj(obj(service['spec'])['selector']), t.labels));
        for (const { doc } of byKind('NetworkPolicy')) {
          const spec = obj(doc['spec']);
          if (!arr(spec['policyTypes']).includes('Ingress')) continue;
          const guarded = obj(obj(spec['podSelector'])['matchLabels']);
          if (!behind.some((t) => labelsMatch(guarded, t.labels))) continue;
          // A rule without `from` admits everyone; otherwise a pod selector (of this namespace) must match.
          const admitted = arr(spec['ingress'])
            .map(obj)
            .some(
              (rule) =>
                rule['from'] === undefined ||
                arr(rule['from'])
                  .map(obj)
                  .some(
                    (peer) =>
                      peer['podSelector'] !== undefined &&
                      peer['namespaceSelector'] === undefined &&
                      labelsMatch(obj(obj(peer['podSelector'])['matchLabels']), w.labels),
                  ),
            );
          if (!admitted)
            problems.push(
              `${where}: NetworkPolicy ${String(obj(doc['metadata'])['name'])} keeps it out of Service ${target.host}`,
            );
        }
      }
    }
  }

  // Horizontal scaling: the gateway and the provisioner run ≥ 2 replicas under an autoscaler.
  const hpas = byKind('HorizontalPodAutoscaler');
  for (const { file, doc } of hpas) {
    const ref = obj(obj(doc['spec'])['scaleTargetRef']);
    if (!workloads.some((w) => w.kind === ref['kind'] && w.name === ref['name'])) {
      problems.push(
        `${file} HorizontalPodAutoscaler ${String(obj(doc['metadata'])['name'])}: scales no ${String(ref['kind'])} ${String(ref['name'])}`,
      );
    }
  }
  for (const service of ['sip-gateway', 'provisioner']) {
    const scaled = workloads.filter(
      (w) =>
        w.containers.some((c) => c.spec?.name === service) &&
        w.replicas >= 2 &&
        hpas.some(({ doc }) => {
          const spec = obj(doc['spec']);
          const ref = obj(spec['scaleTargetRef']);
          return ref['kind'] === w.kind && ref['name'] === w.name && Number(spec['minReplicas']) >= 2;
        }),
    );
    if (scaled.length === 0)
      problems.push(
        `deploy/k8s: ${service} has no workload with ≥ 2 replicas and an autoscaler (minReplicas ≥ 2)`,
      );
  }
  // SIP over UDP and TCP reaches the gateway pods through a Service.
  for (const protocol of ['UDP', 'TCP']) {
    const ok = services.some(({ doc }) => {
      const selector = obj(obj(doc['spec'])['selector']);
      const gateways = workloads.filter(
        (w) =>
          w.containers.some((c) => c.spec?.name === 'sip-gateway') &&
          Object.entries(selector).every(([k, v]) => w.labels[k] === v),
      );
      return (
        gateways.length > 0 &&
        arr(obj(doc['spec'])['ports']).some(
          (p) => Number(obj(p)['port']) === 5060 && obj(p)['protocol'] === protocol,
        )
      );
    });
    if (!ok) problems.push(`deploy/k8s: no Service carries SIP 5060/${protocol} to the gateway pods`);
  }
  for (const name of facts.services.keys()) {
    if (!workloads.some((w) => w.containers.some((c) => c.spec?.name === name)))
      problems.push(`deploy/k8s: no workload runs "svpn run ${name}"`);
  }
  for (const kind of ['PodDisruptionBudget', 'NetworkPolicy']) {
    for (const { file, doc } of byKind(kind)) {
      const spec = obj(doc['spec']);
      const labels = obj(
        obj(kind === 'NetworkPolicy' ? spec['podSelector'] : spec['selector'])['matchLabels'],
      );
      if (!workloads.some((w) => Object.entries(labels).every(([k, v]) => w.labels[k] === v))) {
        problems.push(`${file} ${kind} ${String(obj(doc['metadata'])['name'])}: selects no pods`);
      }
    }
  }
  // The placeholder secret: the URL the services use carries the password Redis requires.
  for (const [name, data] of secrets) {
    const url = str(data['redis-url']);
    const password = str(data['redis-password']);
    if (url !== undefined && password !== undefined && new URL(url).password !== password) {
      problems.push(`Secret ${name}: redis-url does not carry redis-password`);
    }
  }
  return problems;
}

/** A container's environment with `valueFrom` and `envFrom` resolved (downward API: sample values). */
function resolveEnv(
  where: string,
  container: Obj,
  workload: Workload,
  configMaps: Map<string, Obj>,
  secrets: Map<string, Obj>,
  problems: string[],
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of arr(container['envFrom']).map(obj)) {
    const ref = obj(from['configMapRef'] ?? from['secretRef']);
    const source = from['configMapRef'] !== undefined ? configMaps : secrets;
    const data = source.get(String(ref['name']));
    if (data === undefined)
      problems.push(
        `${where}: envFrom names no ${from['configMapRef'] !== undefined ? 'ConfigMap' : 'Secret'} ${String(ref['name'])}`,
      );
    for (const [k, v] of Object.entries(data ?? {})) env[k] = str(v) ?? '';
  }
  for (const item of arr(container['env']).map(obj)) {
    const name = String(item['name']);
    if (item['value'] !== undefined) {
      env[name] = str(item['value']) ?? '';
      continue;
    }
    const from = obj(item['valueFrom']);
    const keyRef = obj(from['secretKeyRef'] ?? from['configMapKeyRef']);
    if (from['secretKeyRef'] !== undefined || from['configMapKeyRef'] !== undefined) {
      const data = (from['secretKeyRef'] !== undefined ? secrets : configMaps).get(String(keyRef['name']));
      const value = data === undefined ? undefined : str(data[String(keyRef['key'])]);
      if (value === undefined)
        problems.push(
          `${where}: ${name} refers to ${String(keyRef['name'])}/${String(keyRef['key'])}, which does not exist`,
        );
      env[name] = value ?? '';
    } else if (from['fieldRef'] !== undefined) {
      const path = String(obj(from['fieldRef'])['fieldPath']);
      const samples: Record<string, string> = {
        'status.podIP': '10.0.0.7',
        'metadata.name': `${workload.name}-0`,
        'metadata.namespace': NAMESPACE,
        'spec.nodeName': 'node-1',
      };
      if (samples[path] === undefined)
        problems.push(`${where}: ${name} uses fieldRef ${path}, which this check does not know`);
      env[name] = samples[path] ?? '';
    } else {
      problems.push(`${where}: ${name} has neither value nor a known valueFrom`);
    }
  }
  return env;
}

// ------------------------------------------------------------------------------------------------
// Dockerfile and .dockerignore
// ------------------------------------------------------------------------------------------------

/** Instructions of a Dockerfile: continuation lines joined, comments dropped. */
export function parseDockerfile(text: string): { instruction: string; args: string }[] {
  const out: { instruction: string; args: string }[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' ';
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    const m = /^(\w+)\s+([\s\S]*)$/.exec(full);
    if (m !== null) out.push({ instruction: (m[1] as string).toUpperCase(), args: m[2] as string });
  }
  return out;
}

/** Whether `path` (relative, `/`-separated) is left out of the build context by these patterns. */
export function dockerignored(path: string, patterns: string[]): boolean {
  const rules = patterns
    .map((p) => p.trim())
    .filter((p) => p !== '' && !p.startsWith('#'))
    .map((p) => {
      const negate = p.startsWith('!');
      const glob = (negate ? p.slice(1) : p).replace(/^\/+|\/+$/g, '');
      const source = glob
        .split(/(\*\*\/|\*\*|\*|\?)/)
        .map((part) =>
          part === '**/'
            ? '(?:.*/)?'
            : part === '**'
              ? '.*'
              : part === '*'
                ? '[^/]*'
                : part === '?'
                  ? '[^/]'
                  : part.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
        )
        .join('');
      return { negate, re: new RegExp(`^${source}$`) };
    });
  // A pattern matching a directory leaves out everything under it; the last matching rule wins, so
  // an exception (`!`) on a deeper path brings that path back.
  const parts = path.split('/');
  let ignored = false;
  for (let i = 1; i <= parts.length; i++) {
    const prefix = parts.slice(0, i).join('/');
    for (const rule of rules) if (rule.re.test(prefix)) ignored = !rule.negate;
  }
  return ignored;
}

/** Problems of the Dockerfile and .dockerignore. */
export function checkDockerfile(dockerfile: string, dockerignore: string, facts: CodeFacts): string[] {
  const problems: string[] = [];
  const steps = parseDockerfile(dockerfile);
  const lastFrom = steps.map((s) => s.instruction).lastIndexOf('FROM');
  const final = steps.slice(lastFrom);
  const base = final[0]?.args.split(/\s+/)[0];
  if (base !== 'node:20-bookworm-slim')
    problems.push(`Dockerfile: the image must be based on node:20-bookworm-slim, not ${String(base)}`);
  const json = (instruction: string): string[] | undefined => {
    const step = final.filter((s) => s.instruction === instruction).pop();
    if (step === undefined) return undefined;
    try {
      const value: unknown = JSON.parse(step.args);
      return Array.isArray(value) ? value.map(String) : undefined;
    } catch {
      problems.push(`Dockerfile: ${instruction} must use the exec (JSON) form so node gets SIGTERM`);
      return undefined;
    }
  };
  const ignore = dockerignore.split('\n');
  const entrypoint = json('ENTRYPOINT');
  if (entrypoint === undefined || entrypoint[0] !== 'node' || entrypoint.length !== 2) {
    problems.push(`Dockerfile: ENTRYPOINT must be ["node", "<svpn bin>"], not ${JSON.stringify(entrypoint)}`);
  } else {
    const bin = entrypoint[1] as string;
    if (!existsSync(join(facts.root, bin))) problems.push(`Dockerfile: ENTRYPOINT ${bin} does not exist`);
    if (dockerignored(bin, ignore))
      problems.push(`Dockerfile: ENTRYPOINT ${bin} is left out by .dockerignore`);
  }
  const cmd = json('CMD');
  runTarget('Dockerfile CMD', cmd, facts, problems);
  const user = final
    .filter((s) => s.instruction === 'USER')
    .pop()
    ?.args.trim();
  if (user === undefined || user === 'root' || user === '0' || user.startsWith('0:'))
    problems.push('Dockerfile: the image must run as a non-root USER');
  const defaults = [...facts.services.values()].flatMap((s) => s.ports({}));
  for (const step of final.filter((s) => s.instruction === 'EXPOSE')) {
    for (const item of step.args.split(/\s+/)) {
      const [port, protocol = 'tcp'] = item.split('/');
      if (!listens(defaults, Number(port), protocol))
        problems.push(`Dockerfile: EXPOSE ${item} is no service's default port`);
    }
  }
  // What the image needs at run time stays in the build context; what it must not carry is out.
  const needed = [
    'package.json',
    'package-lock.json',
    'deploy/demo/topology.yaml',
    'deploy/demo/policy-data.json',
    ...workspaces(facts.root).flatMap((w) => [
      `${w}/package.json`,
      ...(existsSync(join(facts.root, w, 'src/index.ts')) ? [`${w}/src/index.ts`] : []),
    ]),
    ...[...facts.services.values()].flatMap((s) => [
      `services/${s.dir}/src/main.ts`,
      `services/${s.dir}/src/config.ts`,
    ]),
  ];
  for (const path of needed) {
    if (!existsSync(join(facts.root, path))) problems.push(`.dockerignore check: ${path} does not exist`);
    else if (dockerignored(path, ignore))
      problems.push(`.dockerignore: leaves out ${path}, which the image needs`);
  }
  for (const path of [
    'node_modules/tsx/package.json',
    'services/cli/node_modules/x',
    '.git/HEAD',
    '.data/redis/appendonly.aof',
  ]) {
    if (!dockerignored(path, ignore)) problems.push(`.dockerignore: must leave out ${path}`);
  }
  return problems;
}

/** The npm workspace directories (package.json "workspaces" globs of the form `dir/*`). */
export function workspaces(root: string): string[] {
  const pkg = JSON.parse(read(root, 'package.json')) as { workspaces?: string[] };
  return (pkg.workspaces ?? []).flatMap((glob) => {
    const dir = glob.replace(/\/\*$/, '');
    return readdirSync(join(root, dir), { withFileTypes: true })
      .filter((e) => e.isDirectory() && existsSync(join(root, dir, e.name, 'package.json')))
      .map((e) => `${dir}/${e.name}`);
  });
}

// ------------------------------------------------------------------------------------------------
// Dashboard and documentation
// ------------------------------------------------------------------------------------------------

/** Metric names a PromQL expression uses. */
export function metricsIn(text: string): string[] {
  return [...new Set([...text.matchAll(/\b(svpn_[a-z0-9_]+)\b/g)].map((m) => m[1] as string))];
}

/** Problems of a Grafana dashboard: every query names metrics the code registers. */
export function checkDashboard(where: string, dashboard: unknown, facts: CodeFacts): string[] {
  const problems: string[] = [];
  const exprs: string[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (isObj(value)) {
      if (typeof value['expr'] === 'string') exprs.push(value['expr']);
      Object.values(value).forEach(visit);
    }
  };
  visit(dashboard);
  if (exprs.length === 0) problems.push(`${where}: no queries`);
  for (const expr of exprs) {
    for (const metric of metricsIn(expr)) {
      if (!facts.metricNames.has(metric))
        problems.push(`${where}: ${metric} is not a metric the code registers`);
    }
  }
  return problems;
}

/** Problems of docs/operations.md: the metrics and environment variables it names exist. */
export function checkOperationsDoc(text: string, facts: CodeFacts): string[] {
  const problems: string[] = [];
  for (const metric of metricsIn(text)) {
    if (!facts.metricNames.has(metric))
      problems.push(`docs/operations.md: ${metric} is not a metric the code registers`);
  }
  const known = new Set([...facts.services.values()].flatMap((s) => [...s.envNames]));
  for (const m of text.matchAll(/`((?:SVPN_)?[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`/g)) {
    const name = m[1] as string;
    if (!known.has(name)) problems.push(`docs/operations.md: ${name} is read by no service`);
  }
  return problems;
}
