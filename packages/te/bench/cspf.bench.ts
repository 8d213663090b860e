import type { Benchmark } from '@svpn/bench-kit';

const bench: Benchmark = {
  name: 'cspf',
  description: 'not written yet',
  async run() {
    throw new Error('benchmark cspf is not written yet');
  },
};
export default bench;
