// cityline eval-urgency FILE.jsonl: urgency recognition on labelled lines; a per-hazard table, the lines
// it got wrong, then one JSON line.
import fs from 'node:fs/promises';
import { assessExample, parseUrgencyExample, scoreUrgency, type UrgencyExample } from '../../classify/urgency-eval.ts';

export async function run(args: string[]): Promise<number> {
  const file = args[0];
  if (!file || args.length > 1) {
    process.stderr.write('usage: cityline eval-urgency FILE.jsonl\n');
    return 64;
  }
  const examples: UrgencyExample[] = [];
  for (const [i, line] of (await fs.readFile(file, 'utf8')).split('\n').entries()) {
    if (line.trim() === '') continue;
    try {
      examples.push(parseUrgencyExample(line));
    } catch (err) {
      process.stderr.write(`eval-urgency: ${file}:${i + 1}: ${(err as Error).message}\n`);
      return 65;
    }
  }
  const { summary, perHazard, misses } = scoreUrgency(examples.map((gold) => ({ gold, got: assessExample(gold) })));
  const out = [`${'hazard'.padEnd(18)} ${'dangers'.padStart(7)} ${'caught'.padStart(6)} ${'named'.padStart(5)} ${'near misses'.padStart(11)} ${'false alarms'.padStart(12)}`];
  for (const h of perHazard) {
    out.push(`${h.hazard.padEnd(18)} ${String(h.positives).padStart(7)} ${String(h.caught).padStart(6)} ${String(h.hazardRight).padStart(5)} ${String(h.nearMisses).padStart(11)} ${String(h.falseAlarms).padStart(12)}`);
  }
  for (const m of misses) {
    out.push(`wrong: expected ${m.gold.urgency}/${m.gold.hazard ?? m.gold.nearMiss ?? '-'}, got ${m.got.urgency}/${m.got.hazard ?? '-'} (${m.got.rule ?? 'no rule'}): ${JSON.stringify(`${m.gold.subject} | ${m.gold.body}`.slice(0, 100))}`);
  }
  out.push(JSON.stringify(summary));
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}
