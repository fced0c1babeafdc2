// Waiting in the intake loops: a sleep that new mail (or stop) can cut short, and the retry backoff.

export interface Waker {
  /** Resolves true when woken, false when ms passed. A wake with nobody waiting ends the next wait at once. */
  wait(ms: number): Promise<boolean>;
  wake(): void;
}

export function createWaker(): Waker {
  let pending = false;
  let current: (() => void) | null = null;
  return {
    wait(ms) {
      if (pending) {
        pending = false;
        return Promise.resolve(true);
      }
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          current = null;
          resolve(false);
        }, Math.max(0, ms));
        current = () => {
          clearTimeout(timer);
          current = null;
          resolve(true);
        };
      });
    },
    wake() {
      if (current) current();
      else pending = true;
    },
  };
}

/** Exponential backoff with jitter: attempt 1 waits about baseMs, doubling; never more than capMs. */
export function backoffMs(attempt: number, baseMs: number, capMs: number): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.min(capMs, Math.round(exp * (0.75 + Math.random() * 0.5)));
}

/** Rejects with a message naming what timed out; the late outcome of the original promise is ignored. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  promise.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`${what} got no answer within ${ms} ms`), { code: 'ETIMEDOUT' })), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
