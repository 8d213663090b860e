/**
 * The V8 flags every svpn process runs with: `deploy/local/up.sh` passes them to node, the Dockerfile
 * sets them as NODE_OPTIONS, and the e2e-calls bench starts its system with them (test/deploy checks
 * the first two name these). They must be given when node starts: V8 sizes its heap then.
 *
 * `--max-semi-space-size=64`: a young generation of 64 MiB semi-spaces instead of V8's default
 * 16 on 64-bit. A call's objects live tens of milliseconds, but at 100 calls/s the gateway allocates
 * ~70 MB/s, and with small semi-spaces a collection comes every ~170 ms and moves whatever is still
 * in flight to the old generation, whose Mark-Compacts (every few seconds, 40–100 ms of marking on a
 * busy machine) delay the calls around them. With 64 MiB: e2e-calls at 100 calls/s, p99 28–40 ms
 * against 36–56 ms, and a little less CPU per call, in interleaved runs (bench/e2e/README.md); it
 * costs up to ~100 MB more resident memory per JavaScript thread under load.
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];
