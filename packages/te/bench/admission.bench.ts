import type { Benchmark } from '@svpn/bench-kit';

const bench: Benchmark = {
  name: 'admission',
  description: 'not written yet',
  async run() {
    throw new Error('benchmark admission is not written yet');
  },
};
export default bench;
