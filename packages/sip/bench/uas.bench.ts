import type { Benchmark } from '@svpn/bench-kit';

const bench: Benchmark = {
  name: 'uas',
  description: 'not written yet',
  async run() {
    throw new Error('benchmark uas is not written yet');
  },
};
export default bench;
