// Staff corrections (table training_examples) as training examples for `cityline train`.
import type { Db } from '../db/pool.ts';
import { isCategory, type Example } from './corpus.ts';

export async function readStaffExamples(db: Db): Promise<{ examples: Example[]; skipped: number }> {
  const { rows } = await db.query<{ subject: string; body: string; category: string; street: string | null }>(
    'SELECT subject, body, category, street FROM training_examples ORDER BY id',
  );
  const examples: Example[] = [];
  let skipped = 0;
  for (const r of rows) {
    if (isCategory(r.category)) examples.push({ subject: r.subject, body: r.body, category: r.category, street: r.street });
    else skipped++;
  }
  return { examples, skipped };
}
