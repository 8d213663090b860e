/**
 * Runs a refresh at most once at a time: a request while one runs schedules exactly one more
 * after it (so a burst of stream events costs two fetches, not one per event).
 */
export class Refresher {
  readonly #run: () => Promise<void>;
  #running: Promise<void> | undefined;
  #again = false;

  constructor(run: () => Promise<void>) {
    this.#run = run;
  }

  /** Resolves when a refresh that started after this call has finished. */
  request(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      try {
        do {
          this.#again = false;
          await this.#run();
        } while (this.#again);
      } finally {
        this.#running = undefined;
      }
    })();
    return this.#running;
  }
}
