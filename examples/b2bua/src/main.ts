/**
 * Command line of the example B2BUA:
 *
 *   tsx examples/b2bua/src/main.ts --listen 127.0.0.1:5070 --target sip:uas@127.0.0.1:5080
 *
 * Prints one line containing `ready` once it listens, logs calls as JSON (pino) on stderr, and
 * ends every call (BYE on both legs) on SIGINT / SIGTERM before it exits.
 */
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import type { TransportProtocol } from '@svpn/sip';
import { B2buaError, startB2bua } from './b2bua.js';

const USAGE = `usage: b2bua --listen <host:port> --target <sip-uri> [--protocols udp,tcp] [--log-level info]

  --listen     address callers reach the B2BUA on, e.g. 127.0.0.1:5070 or [::1]:5070
  --target     where every call is bridged to, e.g. sip:uas@127.0.0.1:5080 (;transport=tcp for TCP)
  --protocols  transports to listen on (default udp,tcp)
  --log-level  pino level: fatal, error, warn, info, debug, trace, silent (default info)`;

/** `host:port` or `[v6]:port`. */
function parseHostPort(text: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  if (match === null) {
    throw new B2buaError(
      'B2BUA_INVALID_OPTIONS',
      `--listen ${text}: expected host:port, e.g. 127.0.0.1:5070`,
    );
  }
  return { host: match[1] ?? match[2] ?? '', port: Number(match[3]) };
}

function parseProtocols(text: string): TransportProtocol[] {
  const protocols = text.split(',').map((p) => p.trim().toLowerCase());
  for (const p of protocols) {
    if (p !== 'udp' && p !== 'tcp') {
      throw new B2buaError('B2BUA_INVALID_OPTIONS', `--protocols ${text}: only udp and tcp are supported`);
    }
  }
  return protocols as TransportProtocol[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      listen: { type: 'string' },
      target: { type: 'string' },
      protocols: { type: 'string', default: 'udp,tcp' },
      'log-level': { type: 'string', default: 'info' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help === true) {
    console.log(USAGE);
    return;
  }
  if (values.listen === undefined || values.target === undefined) {
    throw new B2buaError('B2BUA_INVALID_OPTIONS', '--listen and --target are both required');
  }
  const logger = pino(
    { level: values['log-level'], base: { component: 'example.b2bua' } },
    pino.destination(2),
  );
  const b2bua = await startB2bua({
    listen: parseHostPort(values.listen),
    target: values.target,
    protocols: parseProtocols(values.protocols),
    logger,
  });
  b2bua.on('bridged', (call) => logger.info(call, 'call bridged'));
  b2bua.on('ended', (call) => logger.info(call, 'call ended'));
  b2bua.on('failed', (info) => logger.info(info, 'call not bridged'));

  const where = b2bua.addresses.map((a) => `${a.protocol} ${a.address}:${a.port}`).join(', ');
  console.log(`b2bua ready: listening on ${where}; calls go to ${values.target}`);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, activeCalls: b2bua.activeCalls }, 'stopping');
    b2bua.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'close failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof B2buaError || (error instanceof TypeError && 'code' in error)) {
    console.error(`b2bua: ${error.message}\n\n${USAGE}`);
  } else {
    console.error(`b2bua: cannot start: ${(error as Error).message}`);
  }
  process.exit(2);
});
