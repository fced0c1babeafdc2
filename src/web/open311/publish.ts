// What Open311 may publish about a request: anyone can read it, so it names a place only as coarsely as
// a crew needs to find the street (the block, never the house: a house number may be a resident's home,
// read from a signature), coordinates rounded to about a hundred metres, and only notes written for the public.
import { FINISHED, type Status } from '../../requests/status.ts';

/** Three decimals of a degree: about 110 m north-south, 80 m east-west at Danbury's latitude. */
const COORDINATE_DECIMALS = 3;

export function coarse(value: number | null): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const f = 10 ** COORDINATE_DECIMALS;
  return Math.round(value * f) / f;
}

/** "1200-1299 block of Main Street" from 1234 Main Street; the street alone when the number is not a plain one. */
export function blockAddress(place: { street: string | null; houseNumber: string | null; crossStreet: string | null; outsideTown: string | null }): string | null {
  let where: string | null = null;
  if (place.street && place.crossStreet) where = `${place.street} and ${place.crossStreet}`;
  else if (place.street) {
    const n = place.houseNumber ? /^(\d{1,6})/.exec(place.houseNumber)?.[1] : undefined;
    const low = n === undefined ? null : Math.floor(Number(n) / 100) * 100;
    where = low === null ? place.street : `${Math.max(1, low)}-${low + 99} block of ${place.street}`;
  }
  if (place.outsideTown) return where ? `${where}, ${place.outsideTown}` : place.outsideTown;
  return where;
}

export function openOrClosed(status: Status): 'open' | 'closed' {
  return FINISHED.includes(status) ? 'closed' : 'open';
}

/** mySociety's extended statuses (as FixMyStreet reads them); work not started yet is plain "open". */
export const EXTENDED_STATUS: Readonly<Record<Status, string>> = {
  received: 'open',
  needs_review: 'open',
  routed: 'open',
  in_progress: 'in_progress',
  resolved: 'fixed',
  closed: 'no_further_action',
  duplicate: 'duplicate',
  not_city: 'not_councils_responsibility',
};
