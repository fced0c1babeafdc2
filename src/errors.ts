// One place decides which failures are worth retrying.

/** A failure that will fail the same way every time: never retried, recorded for staff instead. */
export class PermanentError extends Error {
  override name = 'PermanentError';
  constructor(
    message: string,
    readonly code: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The database and this code's migrations disagree: the start stops, saying which file and what to do. */
export class MigrationError extends Error {
  override name = 'MigrationError';
}

// Node socket errors and PostgreSQL classes that mean "the other side is not there right now".
const TEMPORARY_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  '57P01', // admin_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);

/**
 * Permanent: a PermanentError, or a RangeError. A RangeError is the input's fault and comes back on
 * every retry (the stack overflowing on 10,000 nested elements, an invalid length or code point), so
 * retrying it eight times only delays the dead letter staff need to see.
 */
export function isPermanent(err: unknown): boolean {
  return err instanceof PermanentError || err instanceof RangeError;
}

/** True when the error says a service (PostgreSQL, Redis, SMTP, IMAP) could not be reached. */
export function isUnavailable(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; e && depth < 5; depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (TEMPORARY_CODES.has(code) || code.startsWith('08'))) return true;
    if (typeof message === 'string' && /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect/i.test(message)) {
      return true;
    }
    if (e instanceof AggregateError && e.errors.some(isUnavailable)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** A one-line description of an error and its causes, for logs and for the error column of a row. */
export function describeError(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e && depth < 5; depth++) {
    parts.push(e instanceof Error ? e.message || e.name : String(e));
    e = (e as { cause?: unknown }).cause;
  }
  return parts.join(': ').slice(0, 2000);
}
