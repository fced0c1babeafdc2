// Streets staff add from the app reach the classifier in every worker, on the real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertAddedStreet, listAddedStreets } from '../../src/classify/added-streets-store.ts';
import { loadClassifier } from '../../src/classify/index.ts';
import { staffGazetteer, withStaffStreets } from '../../src/classify/staff-streets.ts';
import { loadConfig } from '../../src/config/index.ts';
import { createPool } from '../../src/db/pool.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

let db: TestDb;
const config = loadConfig({});
const base = await loadClassifier({ modelFile: config.modelFile, reviewThreshold: config.reviewThreshold });
const text = { subject: '', text: 'pothole in front of 12 Foxglove Ln, very deep' };

beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db?.drop();
});

describe('streets added by staff', () => {
  it('are stored once, with who added them', async () => {
    expect(await insertAddedStreet(db.pool, { name: 'Quarry Ledge Road', addedBy: 'ana@danbury.example', requestId: null })).toBe(true);
    expect(await insertAddedStreet(db.pool, { name: 'Quarry Ledge Road', addedBy: 'bo@danbury.example', requestId: null })).toBe(false);
    const { rows } = await db.pool.query('SELECT name, added_by FROM added_streets');
    expect(rows).toEqual([{ name: 'Quarry Ledge Road', added_by: 'ana@danbury.example' }]);
  });

  it('count for the classifier after its next read of the list, no restart needed', async () => {
    let clock = 0;
    const c = withStaffStreets(base, db.pool, { refreshMs: 60_000, onError: (err) => { throw err; }, now: () => clock });
    await c.refresh();
    expect(c.classify(text)).toMatchObject({ street: 'Foxglove Lane', houseNumber: '12', streetKnown: false });
    expect(c.classify(text).reviewReasons).toContain('street_unknown');

    await insertAddedStreet(db.pool, { name: 'Foxglove Lane', addedBy: 'ana@danbury.example', requestId: null });
    clock = 30_000;
    c.classify(text);
    // Within the refresh interval the list is not read again.
    expect(c.classify(text).streetKnown).toBe(false);
    clock = 61_000;
    c.classify(text);
    await c.refresh();
    const after = c.classify(text);
    expect(after).toMatchObject({ street: 'Foxglove Lane', streetKnown: true });
    expect(after.reviewReasons).not.toContain('street_unknown');
    expect(after.modelVersion).toBe(base.modelVersion);
    expect((await staffGazetteer(db.pool)).isKnownStreet('Foxglove Ln')).toBe(true);
  });

  it('keep classification going with the last list read when the database fails', async () => {
    const errors: unknown[] = [];
    // A real client against a port nothing listens on: the connection is refused.
    const down = createPool('postgres://postgres@127.0.0.1:9/cityline', 1);
    const c = withStaffStreets(base, down, { refreshMs: 0, onError: (err) => errors.push(err) });
    await c.refresh();
    await down.end();
    expect(errors).toHaveLength(1);
    expect(c.classify(text)).toMatchObject({ street: 'Foxglove Lane', streetKnown: false });
    expect(await listAddedStreets(db.pool)).toEqual(['Foxglove Lane', 'Quarry Ledge Road']);
  });
});
