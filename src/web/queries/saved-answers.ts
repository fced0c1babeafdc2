// SQL for the saved_answers table: the answers staff reuse, per topic and language.
import type { Language } from '../../classify/types.ts';
import type { Db } from '../../db/pool.ts';

export interface SavedAnswer {
  id: number;
  topic: string;
  language: Language;
  body: string;
  updatedBy: string;
  updatedAt: Date;
}

const COLUMNS = `id, topic, language, body, updated_by AS "updatedBy", updated_at AS "updatedAt"`;

export async function listSavedAnswers(db: Db): Promise<SavedAnswer[]> {
  const { rows } = await db.query<SavedAnswer>(`SELECT ${COLUMNS} FROM saved_answers ORDER BY lower(topic), language`);
  return rows;
}

export async function getSavedAnswer(db: Db, id: number): Promise<SavedAnswer | null> {
  const { rows } = await db.query<SavedAnswer>(`SELECT ${COLUMNS} FROM saved_answers WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

/** Adds an answer, or replaces the one with the same topic and language (or the given id); returns its id. */
export async function saveAnswer(db: Db, a: { id: number | null; topic: string; language: Language; body: string; by: string }): Promise<number> {
  if (a.id !== null) {
    const { rows } = await db.query<{ id: number }>(
      `UPDATE saved_answers SET topic = $2, language = $3, body = $4, updated_by = $5, updated_at = now() WHERE id = $1 RETURNING id`,
      [a.id, a.topic, a.language, a.body, a.by],
    );
    if (rows[0]) return rows[0].id;
  }
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO saved_answers (topic, language, body, updated_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT (topic, language) DO UPDATE SET body = EXCLUDED.body, updated_by = EXCLUDED.updated_by, updated_at = now()
     RETURNING id`,
    [a.topic, a.language, a.body, a.by],
  );
  return (rows[0] as { id: number }).id;
}

export async function deleteSavedAnswer(db: Db, id: number): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM saved_answers WHERE id = $1', [id]);
  return rowCount === 1;
}
