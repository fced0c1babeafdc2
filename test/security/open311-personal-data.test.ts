// Issue 9 item 6, as an attacker would look for it: Open311 is public, so anything it publishes about a
// resident is published to the world. A resident's mail whose only address is their home one (in the
// signature), a staff note written for that resident and a department's note go through the real
// pipeline; the public documents must carry the block, coarse coordinates and the public note only.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type System } from '../../src/app.ts';
import { loadConfig } from '../../src/config/index.ts';
import { changeStatus } from '../../src/requests/actions.ts';
import { createTestDb, waitFor, type TestDb } from '../helpers/db.ts';
import { testEnv } from '../helpers/system.ts';

const xml = new XMLParser({ parseTagValue: false, isArray: (name) => ['request', 'request_update'].includes(name) });

describe('Open311 publishes nothing personal', () => {
  let system: System;
  let db: TestDb;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDb();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cityline-o311-'));
    await fs.mkdir(path.join(dir, 'in'));
    const config = loadConfig(testEnv(db, { CITYLINE_DROP_DIR: path.join(dir, 'in'), CITYLINE_OUTBOX_DIR: path.join(dir, 'out') }));
    system = await startSystem(config, { web: true, log: pino({ level: 'warn' }, pino.destination(2)), sweep: { intervalMs: 500, graceSeconds: 2 } });
  }, 60_000);
  afterAll(async () => {
    await system?.stop();
    await system?.queues.close();
    await db?.drop();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('a home address read from a signature, and the notes written for the resident, stay private', async () => {
    const eml = [
      'From: Maria Lopez <maria.lopez@resident.example>',
      'To: cityline311@danbury.example',
      'Subject: Light out',
      'Message-ID: <home-address-1@resident.example>',
      'Date: Wed, 02 Dec 2026 09:00:00 -0500',
      '',
      'The streetlight in front of my house has been out for a week, it is very dark at night.',
      '',
      'Thanks,',
      'Maria Lopez',
      '14 Elm St, Danbury',
      '203-555-0188',
      '',
    ].join('\r\n');
    await fs.writeFile(path.join(dir, 'in', 'home.eml'), eml);
    const req = await waitFor(async () => (await db.pool.query(
      `SELECT r.id, r.tracking_number AS "trackingNumber", r.house_number AS "houseNumber", r.street
         FROM requests r JOIN inbound_messages i ON i.id = r.source_message_id WHERE i.message_id = 'home-address-1@resident.example'`,
    )).rows[0] as { id: number; trackingNumber: string; houseNumber: string | null; street: string | null } | undefined, 20_000, 'the request');
    // The attack needs the pipeline to have read the signature as the place, as it does today.
    expect(req).toMatchObject({ street: 'Elm Street', houseNumber: '14' });

    const deps = { pool: system.pool, config: system.config, routing: system.routing, enqueue: system.queues.enqueue };
    await changeStatus(deps, { requestId: req.id, to: 'in_progress', note: 'Maria, we will ring 203-555-0188 before the crew comes.', actor: 'staff@danbury.example' });
    await changeStatus(deps, { requestId: req.id, to: 'resolved', note: 'Replaced the bulb outside number 14.', publicNote: 'Lamp replaced.', actor: 'department:traffic' });

    const base = `${system.webUrl}/open311/v2`;
    const since = encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString());
    for (const url of [`${base}/requests.xml`, `${base}/requests.json`, `${base}/requests/${req.trackingNumber}.xml`, `${base}/servicerequestupdates.xml?start_date=${since}`, `${base}/servicerequestupdates.json?start_date=${since}`]) {
      const body = await (await fetch(url)).text();
      for (const secret of ['Maria', 'Lopez', 'maria.lopez', '14 Elm', 'number 14', '555-0188', 'in front of my house', 'we will ring']) {
        expect(body, `${url} publishes "${secret}"`).not.toContain(secret);
      }
    }
    const doc = xml.parse(await (await fetch(`${base}/requests/${req.trackingNumber}.xml`)).text()) as { service_requests: { request: Record<string, string>[] } };
    const published = doc.service_requests.request[0] as Record<string, string>;
    expect(published.address).toBe('1-99 block of Elm Street');
    expect(published.status_notes).toBe('Lamp replaced.');
    for (const c of [published.lat, published.long]) if (c !== '') expect(c).toMatch(/^-?\d+(\.\d{1,3})?$/);
    const updates = xml.parse(await (await fetch(`${base}/servicerequestupdates.xml?start_date=${since}`)).text()) as { service_request_updates: { request_update: Record<string, string>[] } };
    const mine = updates.service_request_updates.request_update.filter((u) => u.service_request_id === req.trackingNumber);
    expect(mine.map((u) => [u.status, u.description])).toEqual(expect.arrayContaining([['in_progress', ''], ['fixed', 'Lamp replaced.']]));
  });
});
