// The PE worker thread's entry. svpn runs its TypeScript sources through tsx (bin/svpn.js), and a
// worker thread starts without the main thread's module hooks: register them, then run the thread.
import { register } from 'tsx/esm/api';

register();
await import('./thread-main.ts');
