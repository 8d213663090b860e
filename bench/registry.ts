import type { Benchmark } from './figure.js';

/** Every benchmark reachable through `npm run bench -- <name>`, loaded on demand. */
export const benchmarks: Record<string, { description: string; load: () => Promise<Benchmark> }> = {
  'sip-parse': {
    description: 'SIP parser throughput on an INVITE-with-SDP corpus vs the npm `sip` package',
    load: async () => (await import('../packages/sip/bench/parse.bench.js')).default,
  },
  'sip-uas': {
    description: 'stack-only UAS call rate under SIPp uac vs SIPp uas, UDP loopback',
    load: async () => (await import('../packages/sip/bench/uas.bench.js')).default,
  },
};
