/**
 * `svpn` — run the whole system with demo data (`svpn up`), one service (`svpn run <service>`),
 * place a test call (`svpn call`), list live sessions (`svpn sessions`).
 */
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { createLogger } from '@svpn/service-kit';
import { startPrivateRedis, type PrivateRedis } from './private-redis.js';
import { startSystem } from './system.js';
import { placeCall } from './call.js';
import { SERVICES, runService } from './run.js';

/** Demo passwords (deploy/demo/policy-data.json) so `svpn call` works out of the box. */
const DEMO_PASSWORDS: Record<string, string> = {
  'primary-dc': 'primary-secret',
  'backup-dc': 'backup-secret',
  'grid-a': 'grid-a-secret',
  'grid-b': 'grid-b-secret',
  'grid-c': 'grid-c-secret',
};
const DEMO_CES: Record<string, string> = {
  'primary-dc': 'CE1',
  'backup-dc': 'CE2',
  'grid-a': 'CE3',
  'grid-b': 'CE4',
  'grid-c': 'CE5',
};

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('a port is a whole number from 0 to 65535');
  return n;
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a number above 0');
  return n;
}

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command()
    .name('svpn')
    .description('svpn — VPN capacity on demand over SIP')
    .exitOverride()
    .showHelpAfterError('(run `svpn --help` for the commands)');

  program
    .command('up')
    .description(
      'run every service in one process with demo data (a private redis-server unless --redis-url/REDIS_URL)',
    )
    .option('--sip-port <port>', 'SIP port (UDP and TCP)', port, 5060)
    .option('--sip-address <address>', 'SIP address to bind', '127.0.0.1')
    .option(
      '--http-port <port>',
      'HTTP port of the gateway; policy, provisioner, charging and the API use the next four',
      port,
      8080,
    )
    .option('--redis-url <url>', 'use this Redis instead of a private one', process.env['REDIS_URL'])
    .option('--no-demo', 'do not seed the demo customers, VPNs and applications')
    .option('--data-dir <dir>', 'where the private redis-server keeps its AOF', '.data')
    .action(
      async (opts: {
        sipPort: number;
        sipAddress: string;
        httpPort: number;
        redisUrl?: string;
        demo: boolean;
        dataDir: string;
      }) => {
        const log = createLogger('svpn');
        let privateRedis: PrivateRedis | undefined;
        const given = opts.redisUrl === undefined || opts.redisUrl === '' ? undefined : opts.redisUrl;
        const redisUrl =
          given ?? (privateRedis = await startPrivateRedis(resolve(opts.dataDir, 'redis'))).url;
        const system = await startSystem({
          redisUrl,
          sipAddress: opts.sipAddress,
          sipPort: opts.sipPort,
          httpAddress: '127.0.0.1',
          httpPort: opts.httpPort,
          demo: opts.demo,
          operatorKeyFile: resolve(opts.dataDir, 'operator-key'),
          log,
        });
        const line = [
          `svpn ready: sip udp+tcp ${system.sip.address}:${system.sip.port}`,
          `http ${system.urls.gateway} (gateway)`,
          `${system.urls.policy} (policy)`,
          `${system.urls.provisioner} (provisioner)`,
          `${system.urls.charging} (charging)`,
          `${system.urls.api} (api, dashboard; docs ${system.urls.api}/docs; operator key in ${resolve(opts.dataDir, 'operator-key')})`,
          `redis ${redisUrl}${privateRedis ? ' (private)' : ''}`,
        ].join(' · ');
        process.stdout.write(line + '\n');
        await new Promise<void>((done) => {
          let stopping = false;
          const stop = (): void => {
            if (stopping) process.exit(1);
            stopping = true;
            void (async () => {
              await system.stop();
              await privateRedis?.stop();
              done();
            })();
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      },
    );

  program
    .command('run')
    .description(
      `run one service in this process: ${SERVICES.join(', ')} (configuration from the environment)`,
    )
    .argument('<service>', 'the service to run')
    .action(async (service: string) => {
      exitCode = await runService(service);
    });

  program
    .command('call')
    .description('place a test call through a running gateway and show what was granted')
    .option('--gateway <host:port>', 'the gateway SIP address', '127.0.0.1:5060')
    .option('--domain <domain>', 'SIP domain', 'svpn.example.net')
    .option('--from <application>', 'calling application', 'primary-dc')
    .option('--to <application>', 'called application', 'backup-dc')
    .option('--vpn <vpn-id>', 'VPN-ID or name', '00000a:00000001')
    .option('--kbps <kbit/s>', 'bandwidth to ask for (b=AS)', positive, 100_000)
    .option('--class <service-class>', 'RFC 4594 service class', 'high-throughput-data')
    .option('--priority <value>', 'Resource-Priority, e.g. dsn.priority')
    .option('--hold <seconds>', 'how long to keep the session up', positive, 2)
    .option('--duration <seconds>', 'a=svpn-duration', positive)
    .option('--from-password <password>', 'password of the caller (demo default)')
    .option('--to-password <password>', 'password of the callee (demo default)')
    .action(async (o: Record<string, string | number | undefined>) => {
      const from = String(o['from']);
      const to = String(o['to']);
      const fromPassword = (o['fromPassword'] as string | undefined) ?? DEMO_PASSWORDS[from];
      const toPassword = (o['toPassword'] as string | undefined) ?? DEMO_PASSWORDS[to];
      if (fromPassword === undefined || toPassword === undefined) {
        process.stderr.write('svpn call: give --from-password and --to-password for non-demo applications\n');
        exitCode = 2;
        return;
      }
      const outcome = await placeCall(
        {
          gateway: String(o['gateway']),
          domain: String(o['domain']),
          from,
          fromPassword,
          fromCe: DEMO_CES[from] ?? 'CE1',
          to,
          toPassword,
          toCe: DEMO_CES[to] ?? 'CE2',
          vpn: String(o['vpn']),
          kbps: Number(o['kbps']),
          serviceClass: String(o['class']),
          holdS: Number(o['hold']),
          ...(o['priority'] === undefined ? {} : { resourcePriority: String(o['priority']) }),
          ...(o['duration'] === undefined ? {} : { durationS: Number(o['duration']) }),
        },
        (line) => process.stdout.write(line + '\n'),
      );
      if (outcome.status !== 200) {
        process.stdout.write(`refused: ${outcome.status} ${outcome.reason}\n`);
        exitCode = 1;
        return;
      }
      process.stdout.write('granted:\n');
      for (const [k, v] of Object.entries(outcome.granted ?? {}))
        process.stdout.write(`  ${k.padEnd(12)} ${v}\n`);
    });

  program
    .command('sessions')
    .description('list the live sessions of a running gateway')
    .option('--http <url>', 'the gateway HTTP address', 'http://127.0.0.1:8080')
    .action(async (o: { http: string }) => {
      let body: { sessions: Record<string, unknown>[] };
      try {
        const res = await fetch(new URL('/v1/sessions', o.http));
        body = (await res.json()) as typeof body;
      } catch (error) {
        process.stderr.write(
          `svpn sessions: cannot reach ${o.http} (${(error as Error).message}); is \`svpn up\` running?\n`,
        );
        exitCode = 1;
        return;
      }
      if (body.sessions.length === 0) {
        process.stdout.write('no live sessions\n');
        return;
      }
      const rows = body.sessions.map((s) => {
        const ingress = s['ingress'] as { pe: string; ce: string };
        const egress = s['egress'] as { pe: string; ce: string };
        return [
          String(s['sessionId']),
          `${String(s['caller'])} → ${String(s['callee'])}`,
          String(s['vpnId']),
          `${Math.round(Number(s['grantedBps']) / 1e6)} Mbit/s`,
          String(s['serviceClass']),
          String(s['precedence']),
          `${ingress.ce}@${ingress.pe} → ${egress.ce}@${egress.pe}`,
          String(s['lspId']),
        ];
      });
      const header = ['SESSION', 'PARTIES', 'VPN', 'BANDWIDTH', 'CLASS', 'PRECEDENCE', 'PATH', 'TUNNEL'];
      const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
      for (const r of [header, ...rows])
        process.stdout.write(r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ') + '\n');
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    const e = error as { code?: string; exitCode?: number; message?: string };
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) return e.exitCode ?? 2;
    process.stderr.write(`svpn: ${e.message ?? String(error)}\n`);
    return 1;
  }
  return exitCode;
}
