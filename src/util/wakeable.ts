/** A sleep that can be cut short: `wake()` ends the current (or the next) `sleep`. */
export function createWakeable() {
  let pending = false;
  let release: (() => void) | undefined;
  return {
    sleep(ms: number): Promise<void> {
      if (pending) {
        pending = false;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          release = undefined;
          resolve();
        }
        release = done;
      });
    },
    wake(): void {
      if (release) release();
      else pending = true;
    },
  };
}
