/** One step of a teardown: a name for the report and what to run. */
export type TeardownStep = readonly [name: string, run: () => unknown];

/**
 * Runs teardown steps in order, each one bounded: a step that has not settled after `stepMs` is
 * reported on stderr, with the kinds of handle the process still holds, and left behind. One stuck
 * close would otherwise hold the test file until the runner's timeout and never say which it was;
 * the steps after it (stopping redis-server, above all) still run. A step that fails does not stop
 * the others either; the first failure is thrown once all have run.
 */
export async function tearDown(steps: readonly TeardownStep[], stepMs = 15_000): Promise<void> {
  const failures: unknown[] = [];
  for (const [name, run] of steps) {
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise<'stuck'>((resolve) => {
      timer = setTimeout(() => resolve('stuck'), stepMs);
    });
    try {
      const outcome = await Promise.race([Promise.resolve().then(run), stuck]);
      if (outcome === 'stuck') {
        const held = process.getActiveResourcesInfo().join(', ');
        process.stderr.write(
          `teardown: "${name}" has not finished after ${stepMs} ms; going on (handles: ${held})\n`,
        );
      }
    } catch (error) {
      failures.push(error);
    } finally {
      clearTimeout(timer);
    }
  }
  if (failures.length > 0) throw failures[0];
}
