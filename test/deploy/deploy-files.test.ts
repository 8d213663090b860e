/**
 * The deployment files against the code (issue 4 item 7): no Docker engine or cluster runs here, so
 * Dockerfile, .dockerignore, docker-compose.yml, every manifest under deploy/k8s, the Grafana
 * dashboard and docs/operations.md are parsed and checked (see deploy-checks.ts for what is derived
 * from the code). The checker is also fed broken copies, to show it catches what it claims to.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import yaml from 'js-yaml';
import {
  checkCompose,
  checkDashboard,
  checkDockerfile,
  checkKubernetes,
  checkOperationsDoc,
  dockerignored,
  loadCodeFacts,
  type CodeFacts,
} from './deploy-checks.js';
import { NODE_FLAGS } from '../../services/cli/src/node-flags.js';

const ROOT = new URL('../../', import.meta.url).pathname;
let facts: CodeFacts;

const text = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const compose = (): Record<string, unknown> =>
  yaml.load(text('docker-compose.yml')) as Record<string, unknown>;
const K8S_DIR = 'deploy/k8s';
const k8sFiles = (): string[] => readdirSync(join(ROOT, K8S_DIR)).filter((f) => /\.ya?ml$/.test(f));
const manifests = (): { file: string; doc: unknown }[] =>
  k8sFiles().flatMap((f) =>
    yaml
      .loadAll(text(`${K8S_DIR}/${f}`))
      .filter((doc) => doc !== null && doc !== undefined)
      .map((doc) => ({ file: `${K8S_DIR}/${f}`, doc })),
  );

/** A manifest by kind and name, to break on purpose (a deep copy: the originals stay). */
function find(docs: { doc: unknown }[], kind: string, name: string): Record<string, unknown> {
  const found = docs.find(({ doc }) => {
    const d = doc as { kind?: string; metadata?: { name?: string } };
    return d.kind === kind && d.metadata?.name === name;
  });
  assert.ok(found, `${kind} ${name}`);
  return found.doc as Record<string, unknown>;
}

// Paths into parsed YAML, for the broken copies below.
type Tree = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test-local YAML surgery

before(async () => {
  facts = await loadCodeFacts(ROOT);
});

test('what the code reads: svpn run services, their settings and ports, from run.ts and each ConfigSchema', () => {
  assert.deepEqual([...facts.services.keys()].sort(), [
    'api',
    'charging',
    'policy',
    'provisioner',
    'sip-gateway',
  ]);
  const gateway = facts.services.get('sip-gateway');
  assert.ok(gateway);
  // Own schema (both spellings), POLICY_URL from main.ts's inline schema, the in-process provisioner's
  // schema, LOG_LEVEL from the logger; not the keys main.ts overrides for the provisioner.
  for (const name of [
    'SVPN_SIP_PORT',
    'SIP_PORT',
    'REDIS_URL',
    'POLICY_URL',
    'SVPN_FLOW_DEADLINE_MS',
    'LOG_LEVEL',
  ]) {
    assert.ok(gateway.envNames.has(name), name);
  }
  assert.ok(!gateway.envNames.has('SVPN_RUN_WORKERS'), 'main.ts overrides runWorkers');
  assert.ok(!facts.services.get('policy')?.envNames.has('POLICY_URL'));
  assert.deepEqual(
    gateway.ports({}).map((p) => [p.key, p.port, p.protocols.join('+')]),
    [
      ['sipPort', 5060, 'udp+tcp'],
      ['httpPort', 8081, 'tcp'],
    ],
  );
  assert.deepEqual(
    ['policy', 'provisioner', 'charging', 'api'].map((s) => facts.services.get(s)?.ports({})[0]?.port),
    [8082, 8083, 8084, 8085],
  );
  // The API: its own schema (the timer lease, the gateway's SIP address), nothing of the gateway's.
  const api = facts.services.get('api');
  for (const name of ['SVPN_GATEWAY_SIP', 'SVPN_GATEWAY_URL', 'SVPN_LEADER_LEASE_MS', 'SVPN_INSTANCE_ID'])
    assert.ok(api?.envNames.has(name), name);
  assert.ok(!api?.envNames.has('SVPN_SIP_PORT'), 'the API has no SIP listening port of its own');
  assert.equal(facts.shutdownGraceMs, 30_000);
  assert.ok(facts.metricNames.has('svpn_calls_total'));
  assert.ok(facts.metricNames.has('svpn_provisioning_job_duration_seconds_bucket'));
});

test('Dockerfile and .dockerignore: node:20-bookworm-slim, non-root, ENTRYPOINT svpn, CMD run sip-gateway; runtime files kept', () => {
  assert.deepEqual(checkDockerfile(text('Dockerfile'), text('.dockerignore'), facts), []);
});

test('V8 flags: deploy/local/up.sh passes NODE_FLAGS to node, the image sets them as NODE_OPTIONS', () => {
  assert.ok(NODE_FLAGS.length > 0);
  const upLine = text('deploy/local/up.sh')
    .split('\n')
    .find((l) => /^exec node .*services\/cli\/bin\/svpn\.js up/.test(l));
  assert.ok(upLine, 'up.sh execs node on the svpn bin');
  const upFlags =
    upLine
      .replace(/^exec node /, '')
      .split(' services/cli/bin/svpn.js')[0]
      ?.split(' ') ?? [];
  assert.deepEqual(upFlags, [...NODE_FLAGS]);
  // The runtime stage (after the last FROM) sets them for every service the image runs.
  const runtime =
    text('Dockerfile')
      .split(/^FROM /m)
      .at(-1) ?? '';
  const options = /^ENV NODE_OPTIONS="([^"]*)"$/m.exec(runtime)?.[1];
  assert.equal(options, NODE_FLAGS.join(' '));
});

test('docker-compose.yml: Redis with AOF, each service its own container, every env var read, every port served', () => {
  const file = compose();
  assert.deepEqual(checkCompose(file, facts), []);
  const services = file['services'] as Tree;
  assert.ok(services['redis'], 'Redis runs in compose');
  for (const name of facts.services.keys()) {
    assert.ok(
      Object.values(services).some(
        (s: Tree) => JSON.stringify(s['command']) === JSON.stringify(['run', name]),
      ),
      name,
    );
  }
});

test('deploy/k8s: every manifest parses and matches the code; gateway and provisioner scale horizontally', () => {
  const docs = manifests();
  assert.ok(docs.length >= 18, `${docs.length} documents`);
  assert.deepEqual(checkKubernetes(docs, facts), []);
  // Two API replicas (one fires the timers under the lease), kept at one at least during disruptions.
  const api = find(docs, 'Deployment', 'api') as Tree;
  assert.ok(api['spec']['replicas'] >= 2);
  assert.equal(find(docs, 'PodDisruptionBudget', 'api')['kind'], 'PodDisruptionBudget');
  // kubectl apply -k deploy/k8s applies every file.
  const kustomization = yaml.load(text(`${K8S_DIR}/kustomization.yaml`)) as { resources: string[] };
  assert.deepEqual(
    [...kustomization.resources].sort(),
    k8sFiles()
      .filter((f) => f !== 'kustomization.yaml')
      .sort(),
  );
});

test('deploy/grafana: every dashboard query names metrics the code registers', () => {
  const dir = 'deploy/grafana';
  const files = readdirSync(join(ROOT, dir)).filter((f) => f.endsWith('.json'));
  assert.ok(files.length >= 1);
  for (const f of files)
    assert.deepEqual(checkDashboard(`${dir}/${f}`, JSON.parse(text(`${dir}/${f}`)), facts), []);
});

test('docs/operations.md names only metrics and environment variables that exist', () => {
  assert.deepEqual(checkOperationsDoc(text('docs/operations.md'), facts), []);
});

// ------------------------------------------------------------------------------------------------
// The checker catches what it claims to (broken copies of the real files)
// ------------------------------------------------------------------------------------------------

test('checker: compose naming an env var no service reads, an unknown service, a port not served, a dangling URL', () => {
  const broken = structuredClone(compose()) as Tree;
  broken['services']['policy']['environment']['SVPN_NO_SUCH_SETTING'] = '1';
  broken['services']['charging']['command'] = ['run', 'billing'];
  broken['services']['provisioner']['expose'] = ['9999'];
  broken['services']['sip-gateway']['environment']['POLICY_URL'] = 'http://policy-service:8082';
  broken['services']['provisioner']['environment']['SVPN_HTTP_PORT'] = 'eighty';
  broken['services']['sip-gateway']['ports'] = ['5060:5060/udp', '127.0.0.1:8081:8081'];
  broken['services']['redis']['command'] = ['redis-server', '--appendonly', 'no'];
  const problems = checkCompose(broken, facts).join('\n');
  assert.match(problems, /services\.policy: SVPN_NO_SUCH_SETTING is not read by svpn run policy/);
  assert.match(problems, /services\.charging: "svpn run billing" is no service/);
  assert.match(problems, /no container runs "svpn run charging"/);
  assert.match(problems, /services\.provisioner: port 9999\/tcp is not one svpn run provisioner listens on/);
  assert.match(problems, /POLICY_URL: policy-service is no service of this file/);
  assert.match(
    problems,
    /services\.provisioner: the environment does not configure provisioner: [^]*httpPort/,
  );
  assert.match(problems, /SIP port 5060\/tcp is not published/);
  assert.match(problems, /Redis must run with --appendonly yes/);
});

test('checker: a container port that is not the configured one, and a port the config moved', () => {
  const broken = structuredClone(compose()) as Tree;
  // The port mapping still says 8082, but the environment moved the policy service to 9082.
  broken['services']['policy']['environment']['SVPN_HTTP_PORT'] = '9082';
  const problems = checkCompose(broken, facts).join('\n');
  assert.match(
    problems,
    /services\.policy: port 8082\/tcp is not one svpn run policy listens on \(httpPort 9082/,
  );
  assert.match(problems, /services\.policy: healthcheck port 8082 is not the HTTP port/);
  assert.match(problems, /POLICY_URL: policy does not serve http on port 8082/);
});

test('checker: manifests naming an unread env var, a wrong probe, an unknown service, a missing autoscaler', () => {
  const docs = structuredClone(manifests());
  const gateway = find(docs, 'StatefulSet', 'sip-gateway') as Tree;
  const container = gateway['spec']['template']['spec']['containers'][0];
  container['env'].push({ name: 'SVPN_SIP_PROXY', value: 'x' });
  container['readinessProbe']['httpGet']['path'] = '/ready';
  const policy = find(docs, 'Deployment', 'policy') as Tree;
  policy['spec']['template']['spec']['containers'][0]['args'] = ['run', 'policy-engine'];
  const config = find(docs, 'ConfigMap', 'svpn-config') as Tree;
  config['data']['SVPN_COLOUR'] = 'blue';
  const withoutHpa = docs.filter(({ doc }) => (doc as Tree)['kind'] !== 'HorizontalPodAutoscaler');
  const problems = checkKubernetes(withoutHpa, facts).join('\n');
  assert.match(
    problems,
    /StatefulSet sip-gateway container sip-gateway: SVPN_SIP_PROXY is not read by svpn run sip-gateway/,
  );
  assert.match(problems, /readinessProbe must GET \/readyz, not \/ready/);
  assert.match(problems, /Deployment policy container policy: "svpn run policy-engine" is no service/);
  assert.match(problems, /SVPN_COLOUR is not read by svpn run charging/);
  assert.match(problems, /sip-gateway has no workload with ≥ 2 replicas and an autoscaler/);
  assert.match(problems, /provisioner has no workload with ≥ 2 replicas and an autoscaler/);
});

test('checker: a Service pointing at a port no pod serves, a URL to no Service, Service links left on', () => {
  const docs = structuredClone(manifests());
  const sip = find(docs, 'Service', 'sip-gateway-sip') as Tree;
  sip['spec']['ports'][0]['targetPort'] = 5070;
  const leader = find(docs, 'StatefulSet', 'sip-gateway-leader') as Tree;
  const env = leader['spec']['template']['spec']['containers'][0]['env'] as Tree[];
  const policyUrl = env.find((e) => e['name'] === 'POLICY_URL');
  assert.ok(policyUrl);
  policyUrl['value'] = 'http://policy:9999';
  delete leader['spec']['template']['spec']['enableServiceLinks'];
  const problems = checkKubernetes(docs, facts).join('\n');
  assert.match(problems, /Service sip-gateway-sip: StatefulSet sip-gateway(-leader)? serves no 5070\/UDP/);
  assert.match(problems, /POLICY_URL: Service policy has no port 9999/);
  assert.match(problems, /StatefulSet sip-gateway-leader: set enableServiceLinks: false/);
});

test('checker: the API kept out of the policy service by its NetworkPolicy, a SIP target that is no Service', () => {
  const docs = structuredClone(manifests());
  const policy = find(docs, 'NetworkPolicy', 'policy') as Tree;
  const from = policy['spec']['ingress'][0]['from'] as Tree[];
  policy['spec']['ingress'][0]['from'] = from.filter(
    (peer) => peer['podSelector']?.['matchLabels']?.['app.kubernetes.io/name'] !== 'api',
  );
  const api = find(docs, 'Deployment', 'api') as Tree;
  const env = api['spec']['template']['spec']['containers'][0]['env'] as Tree[];
  const sip = env.find((e) => e['name'] === 'SVPN_GATEWAY_SIP');
  assert.ok(sip);
  sip['value'] = 'sip-gateway-udp:5060';
  const problems = checkKubernetes(docs, facts).join('\n');
  assert.match(
    problems,
    /Deployment api SVPN_POLICY_URL: NetworkPolicy policy keeps it out of Service policy/,
  );
  assert.match(problems, /Deployment api SVPN_GATEWAY_SIP: sip-gateway-udp is no Service/);
  assert.doesNotMatch(
    problems,
    /sip-gateway(-leader)? POLICY_URL: NetworkPolicy/,
    'the gateways stay admitted',
  );

  const broken = structuredClone(compose()) as Tree;
  broken['services']['api']['environment']['SVPN_GATEWAY_SIP'] = 'sip-gateway:5070';
  broken['services']['api']['environment']['SVPN_GATEWAY_URL'] = 'http://gateway:8081';
  const composeProblems = checkCompose(broken, facts).join('\n');
  assert.match(
    composeProblems,
    /services\.api SVPN_GATEWAY_SIP: sip-gateway does not serve sip on port 5070/,
  );
  assert.match(composeProblems, /services\.api SVPN_GATEWAY_URL: gateway is no service of this file/);
});

test('checker: a Dockerfile whose entry point is missing, runs as root, or whose .dockerignore drops sources', () => {
  const dockerfile = text('Dockerfile')
    .replace(
      'ENTRYPOINT ["node", "services/cli/bin/svpn.js"]',
      'ENTRYPOINT ["node", "services/cli/bin/svpn.mjs"]',
    )
    .replace('CMD ["run", "sip-gateway"]', 'CMD ["run", "gateway"]')
    .replace(/^USER node$/m, 'USER root');
  const problems = checkDockerfile(dockerfile, text('.dockerignore') + '\nservices/*/src\n', facts).join(
    '\n',
  );
  assert.match(problems, /ENTRYPOINT services\/cli\/bin\/svpn\.mjs does not exist/);
  assert.match(problems, /"svpn run gateway" is no service/);
  assert.match(problems, /non-root USER/);
  assert.match(problems, /\.dockerignore: leaves out services\/policy\/src\/main\.ts/);
});

test('checker: .dockerignore matching follows Docker (directories, **, exceptions)', () => {
  const patterns = ['**/node_modules', 'test', '*.log', 'docs', '!docs/keep.md'];
  assert.equal(dockerignored('node_modules/tsx/package.json', patterns), true);
  assert.equal(dockerignored('services/cli/node_modules/a/b.js', patterns), true);
  assert.equal(dockerignored('test/deploy/x.ts', patterns), true);
  assert.equal(dockerignored('packages/test-support/src/index.ts', patterns), false);
  assert.equal(dockerignored('a.log', patterns), true);
  assert.equal(dockerignored('services/a.log', patterns), false);
  assert.equal(dockerignored('docs/other.md', patterns), true);
  assert.equal(dockerignored('docs/keep.md', patterns), false);
});

test('checker: dashboards and docs naming metrics or variables that do not exist', () => {
  const dashboard = {
    panels: [{ targets: [{ expr: 'sum(rate(svpn_calls_total[5m])) / svpn_call_attempts' }] }],
  };
  assert.deepEqual(checkDashboard('d.json', dashboard, facts), [
    'd.json: svpn_call_attempts is not a metric the code registers',
  ]);
  assert.deepEqual(
    checkOperationsDoc('`svpn_calls_total` and `svpn_nope_total`; `SVPN_SIP_PORT`, `SVPN_SIP_PROXY`.', facts),
    [
      'docs/operations.md: svpn_nope_total is not a metric the code registers',
      'docs/operations.md: SVPN_SIP_PROXY is read by no service',
    ],
  );
});
