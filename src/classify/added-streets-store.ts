// SQL for the added_streets table: streets staff added from the app.
import type { Db } from '../db/pool.ts';

/** Adds the street; false when it was there already. */
export async function insertAddedStreet(db: Db, s: { name: string; addedBy: string; requestId: number | null }): Promise<boolean> {
  const { rowCount } = await db.query('INSERT INTO added_streets (name, added_by, request_id) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING', [s.name, s.addedBy, s.requestId]);
  return rowCount === 1;
}

export async function listAddedStreets(db: Db): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>('SELECT name FROM added_streets ORDER BY name');
  return rows.map((r) => r.name);
}
