// The request status machine: which moves are allowed, and which ones the resident hears about.

export const STATUSES = ['received', 'needs_review', 'routed', 'in_progress', 'resolved', 'closed', 'duplicate', 'not_city'] as const;
export type Status = (typeof STATUSES)[number];

const TRANSITIONS: Record<Status, readonly Status[]> = {
  received: ['needs_review', 'routed', 'duplicate', 'not_city', 'closed'],
  needs_review: ['routed', 'duplicate', 'not_city', 'closed'],
  routed: ['needs_review', 'in_progress', 'resolved', 'closed', 'duplicate', 'not_city'],
  in_progress: ['routed', 'resolved', 'closed', 'not_city'],
  // A resolved or closed request comes back to life when the resident says the problem is back.
  resolved: ['in_progress', 'routed', 'closed'],
  closed: ['routed', 'in_progress', 'needs_review'],
  // Undoing a duplicate link puts the request back in front of staff or its department.
  duplicate: ['needs_review', 'routed', 'closed'],
  not_city: ['needs_review', 'routed', 'closed'],
};

/** Statuses that end the work on a request (a later reply may reopen it). */
export const FINISHED: readonly Status[] = ['resolved', 'closed', 'not_city', 'duplicate'];

/** Statuses of a request still being worked on: every status that is not FINISHED. */
export const OPEN: readonly Status[] = STATUSES.filter((s) => !FINISHED.includes(s));

/**
 * A set of statuses as an SQL list ('a', 'b'), for `status IN (...)`: the sets live here and nowhere else.
 * Statuses are fixed identifiers, never input, so they are safe to place in the text.
 */
export function sqlList(statuses: readonly Status[]): string {
  return statuses.map((s) => `'${s}'`).join(', ');
}

/** The resident is emailed on these; needs_review and received are internal. */
export const NOTIFY_RESIDENT: readonly Status[] = ['routed', 'in_progress', 'resolved', 'closed', 'not_city', 'duplicate'];

export function isStatus(value: string): value is Status {
  return (STATUSES as readonly string[]).includes(value);
}

export function canMove(from: Status, to: Status): boolean {
  return TRANSITIONS[from].includes(to);
}

export function allowedMoves(from: Status): readonly Status[] {
  return TRANSITIONS[from];
}
