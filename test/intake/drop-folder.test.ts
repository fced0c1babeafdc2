// The drop folder intake against a real folder and a real PostgreSQL.
import { mkdtemp, open, readdir, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPool, type Db } from '../../src/db/pool.ts';
import { startDropFolderIntake, type DropFolderIntake } from '../../src/intake/drop-folder.ts';
import { createTestDb, waitFor, type TestDb } from '../helpers/db.ts';
import { captureLog } from './capture-log.ts';

let db: TestDb;
let dir: string;
let intake: DropFolderIntake | null = null;
let stored: number[] = [];

function eml(id: string): string {
  return ['From: Resident <resident@example.com>', 'To: cityline311@danbury.example', 'Subject: Streetlight out', `Message-ID: <${id}>`, '', 'The light on Elm Street is out.', ''].join('\r\n');
}

function start(over: { db?: Db; maxRawBytes?: number } = {}) {
  const logs = captureLog();
  intake = startDropFolderIntake({
    dir,
    db: over.db ?? db.pool,
    maxRawBytes: over.maxRawBytes ?? 1_000_000,
    onStored: async (id) => {
      stored.push(id);
    },
    log: logs.log,
    pollMs: 5_000,
  });
  return { intake, logs };
}

beforeAll(async () => {
  db = await createTestDb();
});

afterAll(async () => {
  await db?.drop();
});

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cityline-drop-'));
  stored = [];
  await db.pool.query('TRUNCATE inbound_messages CASCADE');
});

afterEach(async () => {
  await intake?.stop();
  intake = null;
  await rm(dir, { recursive: true, force: true });
});

describe('drop folder intake', () => {
  it('takes files present at start, and files dropped later, into processed/', async () => {
    await writeFile(path.join(dir, 'a.eml'), eml('a@resident.example'));
    const { intake } = start();
    await intake.ready;
    expect(stored).toHaveLength(1);
    expect(await readdir(path.join(dir, 'processed'))).toEqual(['a.eml']);

    // The usual way to drop a file: write it under another name, then rename it in.
    await writeFile(path.join(dir, '.b.tmp'), eml('b@resident.example'));
    await rename(path.join(dir, '.b.tmp'), path.join(dir, 'b.eml'));
    await waitFor(() => stored.length === 2, 5_000, 'the dropped file to be stored');
    await waitFor(async () => (await readdir(path.join(dir, 'processed'))).length === 2, 5_000, 'b.eml in processed/');
    const rows = await db.pool.query('SELECT source, source_ref FROM inbound_messages ORDER BY id');
    expect(rows.rows.map((r) => r.source)).toEqual(['drop', 'drop']);
    expect(rows.rows[1].source_ref).toMatch(/^b\.eml:[0-9a-f]{64}$/);
  });

  it('leaves a file alone while it is still being written', async () => {
    const { intake } = start();
    await intake.ready;
    const file = path.join(dir, 'slow.eml');
    const fh = await open(file, 'w');
    const text = eml('slow@resident.example');
    await fh.write(text.slice(0, 40));
    // Keep writing a little at a time for well over the settle time.
    for (let i = 0; i < 8; i++) {
      await new Promise((r) => setTimeout(r, 100));
      await fh.write(' ');
      expect(stored).toEqual([]);
    }
    await fh.write(text.slice(40));
    await fh.close();
    await waitFor(() => stored.length === 1, 5_000, 'the finished file to be stored');
    const row = await db.pool.query('SELECT raw FROM inbound_messages');
    expect((row.rows[0].raw as Buffer).toString()).toContain('The light on Elm Street is out.');
  });

  it('moves a file that can never be stored to failed/ with a note saying why', async () => {
    await writeFile(path.join(dir, 'empty.eml'), '');
    await writeFile(path.join(dir, 'huge.eml'), eml('huge@resident.example') + 'x'.repeat(5_000));
    await writeFile(path.join(dir, 'fine.eml'), eml('fine@resident.example'));
    const { intake } = start({ maxRawBytes: 2_000 });
    await intake.ready;
    expect(stored).toHaveLength(1);
    const failed = (await readdir(path.join(dir, 'failed'))).sort();
    expect(failed).toEqual(['empty.eml', 'empty.eml.error.txt', 'huge.eml', 'huge.eml.error.txt']);
    expect(await readFile(path.join(dir, 'failed', 'huge.eml.error.txt'), 'utf8')).toMatch(/MESSAGE_TOO_LARGE/);
    expect(await readFile(path.join(dir, 'failed', 'empty.eml.error.txt'), 'utf8')).toMatch(/EMPTY_MESSAGE/);
  });

  it('leaves files in place while the database is unreachable, and takes them once it is back', async () => {
    const dead = createPool('postgres://postgres@127.0.0.1:1/cityline_nowhere', 1);
    let target: Db = dead;
    const switchable: Db = { query: ((text: string, values?: unknown[]) => target.query(text, values)) as Db['query'] };
    try {
      await writeFile(path.join(dir, 'c.eml'), eml('c@resident.example'));
      const { intake, logs } = start({ db: switchable });
      await intake.ready;
      await waitFor(() => logs.lines.filter((l) => l.msg.includes('could not store')).length >= 2, 10_000, 'two failed attempts');
      expect(await readdir(dir)).toContain('c.eml');
      expect(stored).toEqual([]);
      target = db.pool;
      await waitFor(() => stored.length === 1, 40_000, 'the file to be stored once the database is back');
      await waitFor(async () => (await readdir(path.join(dir, 'processed'))).includes('c.eml'), 5_000, 'c.eml in processed/');
    } finally {
      await intake?.stop();
      await dead.end();
    }
  });

  it('stores the same message dropped twice once, and moves both files', async () => {
    await writeFile(path.join(dir, 'one.eml'), eml('same@resident.example'));
    await writeFile(path.join(dir, 'two.eml'), eml('same@resident.example'));
    const { intake } = start();
    await intake.ready;
    expect(new Set(stored).size).toBe(1);
    expect((await readdir(path.join(dir, 'processed'))).sort()).toEqual(['one.eml', 'two.eml']);
    const n = await db.pool.query('SELECT count(*)::int AS n FROM inbound_messages');
    expect(n.rows[0].n).toBe(1);
  });

  it('works through a backlog larger than one listing batch, each file once, before it is ready', async () => {
    // Three listing batches and a bit: the folder is read in pieces, stored piece by piece.
    const count = 700;
    const old = new Date(Date.now() - 60_000);
    for (let i = 0; i < count; i++) {
      const file = path.join(dir, `m${String(i).padStart(4, '0')}.eml`);
      await writeFile(file, eml(`backlog-${i}@resident.example`));
      await utimes(file, old, old);
    }
    const { intake } = start();
    await intake.ready;
    expect(new Set(stored).size).toBe(count);
    expect((await readdir(dir)).filter((n) => n.endsWith('.eml'))).toEqual([]);
    expect(await readdir(path.join(dir, 'processed'))).toHaveLength(count);
    const rows = await db.pool.query<{ n: number }>(`SELECT count(DISTINCT source_ref)::int AS n FROM inbound_messages WHERE source = 'drop'`);
    expect(rows.rows[0]?.n).toBe(count);
  });
});
