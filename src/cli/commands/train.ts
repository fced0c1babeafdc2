// cityline train [--no-db] [--out FILE]: builds the model from data/training plus staff corrections.
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { loadConfig, PROJECT_ROOT, redact } from '../../config/index.ts';
import { createPool } from '../../db/pool.ts';
import { describeError, isUnavailable } from '../../errors.ts';
import { isDev, readCorpus, type Example } from '../../classify/corpus.ts';
import { readStaffExamples } from '../../classify/staff-examples.ts';
import { parseLexicon } from '../../classify/lexicon.ts';
import { DEFAULT_HYPER } from '../../classify/model.ts';
import { buildModel, calibratedThreshold, serializeModel, TRAINING_STEPS } from '../../classify/training.ts';
import { progressBar } from '../progress.ts';

const CORPUS_DIR = path.join(PROJECT_ROOT, 'data', 'training', 'corpus');
const DEV_FILE = path.join(PROJECT_ROOT, 'data', 'training', 'dev.jsonl');
const LEXICON_FILE = path.join(PROJECT_ROOT, 'data', 'training', 'lexicon.txt');
/** Confident answers must be right this often on held-out data (the issue asks for 0.97; we keep a margin). */
const TARGET_CONFIDENT_ACCURACY = 0.975;

async function staffExamples(databaseUrl: string): Promise<Example[] | string> {
  const pool = createPool(databaseUrl, 1);
  try {
    const { examples, skipped } = await readStaffExamples(pool);
    if (skipped) process.stderr.write(`train: skipped ${skipped} staff example(s) with an unknown category\n`);
    return examples;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (isUnavailable(err) || code === '3D000') {
      return `cannot reach the database at ${redact(databaseUrl)} to read staff corrections (${describeError(err)}); start PostgreSQL or set DATABASE_URL, or pass --no-db to train from the corpus alone`;
    }
    if (code === '42P01') return `the database at ${redact(databaseUrl)} has no training_examples table: run "cityline migrate" first, or pass --no-db`;
    throw err;
  } finally {
    await pool.end();
  }
}

export async function run(args: string[]): Promise<number> {
  const noDb = args.includes('--no-db');
  const outAt = args.indexOf('--out');
  const config = loadConfig();
  const out = outAt >= 0 ? args[outAt + 1] : config.modelFile;
  if (!out) {
    process.stderr.write('usage: cityline train [--no-db] [--out FILE]\n');
    return 64;
  }
  const corpus = readCorpus(CORPUS_DIR);
  const trainSet = corpus.filter((e) => !isDev(e));
  const dev = corpus.filter(isDev);
  let staff: Example[] = [];
  if (!noDb) {
    const got = await staffExamples(config.databaseUrl);
    if (typeof got === 'string') {
      process.stderr.write(`train: ${got}\n`);
      return 75;
    }
    staff = got;
  }
  const started = process.hrtime.bigint();
  const lexicon = parseLexicon(fs.readFileSync(LEXICON_FILE, 'utf8'));
  const progress = progressBar('train', TRAINING_STEPS);
  const { model, outOfFold } = buildModel(trainSet, staff, lexicon, DEFAULT_HYPER, (done) => progress.update(done));
  progress.stop();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const text = serializeModel(model);
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  fs.writeFileSync(out, text);
  if (outAt < 0) {
    // The held-out split, in the format `cityline eval` reads, rewritten with the model it was held out from.
    fs.writeFileSync(DEV_FILE, dev.map((e) => JSON.stringify({ subject: e.subject, body: e.body, category: e.category, street: e.street ?? null })).join('\n') + '\n');
  }
  process.stdout.write(
    `${JSON.stringify({
      modelFile: path.resolve(out),
      modelVersion: createHash('sha256').update(text).digest('hex').slice(0, 12),
      trainExamples: trainSet.length,
      staffExamples: staff.length,
      devExamples: dev.length,
      features: Object.keys(model.weights).length,
      temperature: model.temperature,
      calibratedReviewThreshold: calibratedThreshold(outOfFold, TARGET_CONFIDENT_ACCURACY),
      trainSeconds: Math.round(seconds * 100) / 100,
    })}\n`,
  );
  return 0;
}
