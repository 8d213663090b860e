import type { Benchmark } from '@svpn/bench-kit';

const bench: Benchmark = {
  name: 'parse',
  description: 'not written yet',
  async run() {
    throw new Error('benchmark parse is not written yet');
  },
};
export default bench;
