// cityline eval FILE.jsonl: classifies labelled lines, prints a per-category table, then one JSON line.
import fs from 'node:fs/promises';
import { loadConfig } from '../../config/index.ts';
import { loadClassifier } from '../../classify/index.ts';
import { isCategory } from '../../classify/corpus.ts';
import { evaluate, type Labelled } from '../../classify/evaluate.ts';
import type { Classification } from '../../classify/types.ts';
import { progressBar } from '../progress.ts';

// A label left out means the set does not label that field; null or "" means the message gives none.
const label = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

export async function run(args: string[]): Promise<number> {
  const file = args[0];
  if (!file) {
    process.stderr.write('usage: cityline eval FILE.jsonl\n');
    return 64;
  }
  const config = loadConfig();
  const classifier = await loadClassifier({ modelFile: config.modelFile, reviewThreshold: config.reviewThreshold });
  const rows: { subject: string; body: string; gold: Labelled }[] = [];
  for (const [i, line] of (await fs.readFile(file, 'utf8')).split('\n').entries()) {
    if (line.trim() === '') continue;
    const r = JSON.parse(line) as { subject?: unknown; body?: unknown; category?: unknown; street?: unknown; houseNumber?: unknown; crossStreet?: unknown };
    if (typeof r.category !== 'string' || !isCategory(r.category)) {
      process.stderr.write(`eval: ${file}:${i + 1}: unknown category ${JSON.stringify(r.category)}\n`);
      return 65;
    }
    rows.push({
      subject: typeof r.subject === 'string' ? r.subject : '',
      body: typeof r.body === 'string' ? r.body : '',
      gold: { category: r.category, street: label(r.street), houseNumber: 'houseNumber' in r ? label(r.houseNumber) : undefined, crossStreet: 'crossStreet' in r ? label(r.crossStreet) : undefined },
    });
  }
  const started = process.hrtime.bigint();
  const progress = progressBar('eval', rows.length);
  const got: Classification[] = rows.map((r) => {
    const c = classifier.classify({ subject: r.subject, text: r.body });
    progress.increment();
    return c;
  });
  progress.stop();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const { summary, perCategory, lowConfidenceRate } = evaluate(
    rows.map((r, i) => ({ gold: r.gold, got: got[i]! })),
    config.reviewThreshold,
  );
  const out: string[] = [`${'category'.padEnd(16)} ${'support'.padStart(7)} ${'predicted'.padStart(9)} ${'precision'.padStart(9)} ${'recall'.padStart(7)} ${'f1'.padStart(6)}`];
  for (const c of perCategory) {
    if (c.support === 0 && c.predicted === 0) continue;
    out.push(`${c.category.padEnd(16)} ${String(c.support).padStart(7)} ${String(c.predicted).padStart(9)} ${c.precision.toFixed(3).padStart(9)} ${c.recall.toFixed(3).padStart(7)} ${c.f1.toFixed(3).padStart(6)}`);
  }
  out.push(`model ${classifier.modelVersion}, review threshold ${config.reviewThreshold}, below threshold ${lowConfidenceRate}, ${Math.round(rows.length / Math.max(seconds, 1e-9))} messages/second`);
  out.push(JSON.stringify(summary));
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}
