// Where open requests are: their own coordinates, else their street's from the gazetteer.
import type { Gazetteer } from '../classify/gazetteer.ts';
import { fold } from '../classify/street-names.ts';
import type { Db } from '../db/pool.ts';

export interface OpenRequestPlace {
  id: number;
  trackingNumber: string;
  category: string;
  street: string | null;
  houseNumber: string | null;
  crossStreet: string | null;
  lat: number | null;
  lon: number | null;
  dueAt: Date | null;
}

export async function openRequestPlaces(db: Db, category: string | null, limit = 5000): Promise<OpenRequestPlace[]> {
  const { rows } = await db.query<OpenRequestPlace>(
    `SELECT r.id, r.tracking_number AS "trackingNumber", r.category, r.street, r.house_number AS "houseNumber",
            r.cross_street AS "crossStreet", r.lat, r.lon, r.due_at AS "dueAt"
       FROM requests r
      WHERE r.closed_at IS NULL AND ($1::text IS NULL OR r.category = $1)
      ORDER BY r.id DESC LIMIT $2`,
    [category, limit],
  );
  return rows;
}

export function placeOf(r: OpenRequestPlace, gazetteer: Gazetteer): { lat: number; lon: number } | null {
  if (r.lat !== null && r.lon !== null) return { lat: r.lat, lon: r.lon };
  const s = r.street ? gazetteer.byName.get(fold(r.street)) : undefined;
  return s && s.lat !== null && s.lon !== null ? { lat: s.lat, lon: s.lon } : null;
}
