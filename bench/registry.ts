import type { Benchmark } from '@svpn/bench-kit';

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
  'te-cspf': {
    description: 'CSPF p50/p99 on generated topologies of 100, 1 000 and 5 000 nodes',
    load: async () => (await import('../packages/te/bench/cspf.bench.js')).default,
  },
  'pe-sim-signal': {
    description: 'pe-sim rsvp-te.signal/teardown latency and throughput on loopback Redis, bytes per LSP',
    load: async () => (await import('../packages/pe-sim/bench/signal.bench.js')).default,
  },
  'te-admission': {
    description: 'admit + release throughput and p99 vs number of active reservations; bytes per reservation',
    load: async () => (await import('../packages/te/bench/admission.bench.js')).default,
  },
  'provisioner-flow': {
    description:
      'session setup/release through the per-PE BullMQ queues (pe-sim, zero latency) vs direct PE calls; sessions/s',
    load: async () => (await import('../services/provisioner/bench/provision.bench.js')).default,
  },
  'e2e-calls': {
    description:
      'INVITE/200/ACK/BYE cycles through svpn up (gateway, policy, provisioner, pe-sim at zero latency) under SIPp uac+uas: highest calls/s with 0 failures; INVITE-to-200 p50/p99 at 100 calls/s',
    load: async () => (await import('./e2e/e2e-calls.bench.js')).default,
  },
  'api-cycle': {
    description:
      'NSI reserve → commit → provision → release cycles/s through the API (real SIP call, pe-sim zero latency); p50/p99 per operation',
    load: async () => (await import('../services/api/bench/api-cycle.bench.js')).default,
  },
};
