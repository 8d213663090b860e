/**
 * Compensation for a session setup that stops half-way (CANCEL, callee refusal, timeout, a PE
 * failure): every step that took something registers how to give it back, and `run` gives it all
 * back in reverse order, each step once, whatever the others do (DESIGN §5: nothing leaks).
 */
export class Rollback {
  private readonly steps: { name: string; undo: () => Promise<unknown> }[] = [];
  private done = false;

  /** Registers how to give a step back; after `run`, a late step is given back at once. */
  add(name: string, undo: () => Promise<unknown>): void {
    if (this.done) {
      // A CANCEL rolled back while this step was still taking its share: undo it now.
      void undo().catch(() => undefined);
      return;
    }
    this.steps.push({ name, undo });
  }

  /** Forgets every step: the setup succeeded and the session now owns what they took. */
  commit(): void {
    this.steps.length = 0;
  }

  /** Undoes every registered step (newest first); returns the names of those that failed. */
  async run(): Promise<string[]> {
    if (this.done) return [];
    this.done = true;
    const failed: string[] = [];
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step.undo();
      } catch {
        failed.push(step.name);
      }
    }
    return failed;
  }
}
