// The command-line contract of DESIGN.md: stdout carries only JSON, whatever lies in the working folder.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATEGORIES } from '../../src/classify/types.ts';

const BIN = path.join(import.meta.dirname, '..', '..', 'bin', 'cityline');
const KEYS = ['category', 'confidence', 'alternatives', 'language', 'street', 'houseNumber', 'crossStreet', 'streetKnown', 'needsReview', 'urgency', 'hazard'];
let cwd: string;

function cityline(args: string[], input?: string) {
  // A clean environment: only what node needs, so the developer's own settings cannot leak in.
  const env = { PATH: process.env.PATH, HOME: process.env.HOME };
  const r = spawnSync(BIN, args, { cwd, input, encoding: 'utf8', env, timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  // natural loads dotenv, which reads ./.env and prints to stdout; this .env would also point the
  // classifier at a model that does not exist if it were ever read.
  cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'cityline-classify-'));
  fs.writeFileSync(path.join(cwd, '.env'), 'CITYLINE_MODEL_FILE=/nonexistent/model.json\nCITYLINE_REVIEW_THRESHOLD=0\nDOTENV_WAS_READ=yes\n');
});

afterAll(() => {
  fs.rmSync(cwd, { recursive: true, force: true });
});

function expectContract(line: string) {
  const obj = JSON.parse(line) as Record<string, unknown>;
  expect(Object.keys(obj)).toEqual(KEYS);
  expect(CATEGORIES).toContain(obj.category);
  expect(typeof obj.confidence).toBe('number');
  expect(Array.isArray(obj.alternatives)).toBe(true);
  return obj;
}

describe('cityline classify', () => {
  it('names a present danger: urgency and hazard, for one message and for --jsonl', () => {
    const one = cityline(['classify', '-'], "Power line down across the road, it's sparking");
    expect(one.code).toBe(0);
    expect(expectContract(one.stdout.trim())).toMatchObject({ urgency: 'emergency', hazard: 'downed_wire' });
    const file = path.join(cwd, 'dangers.jsonl');
    fs.writeFileSync(file, [
      { subject: 'gas', body: 'Huele a gas en toda la cuadra de la calle Main.' },
      { subject: 'URGENT!!!', body: 'My trash was not picked up again on Spring St.' },
      { subject: 'sinal', body: 'O semáforo do cruzamento da Main está apagado.' },
    ].map((r) => JSON.stringify(r)).join('\n'));
    const many = cityline(['classify', '--jsonl', file]);
    expect(many.code).toBe(0);
    const got = many.stdout.trim().split('\n').map((l) => expectContract(l)).map((o) => [o.urgency, o.hazard]);
    expect(got).toEqual([['emergency', 'gas_leak'], ['routine', null], ['urgent', 'signal_dark']]);
  });

  it('prints exactly one JSON object for plain text on stdin, ignoring a .env in the working folder', () => {
    const r = cityline(['classify', '-'], 'There is a huge pothole in front of 45 Padanaram Rd, my car almost lost a tire');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const obj = expectContract(lines[0]!);
    expect(obj).toMatchObject({ category: 'pothole', language: 'en', street: 'Padanaram Road', houseNumber: '45', streetKnown: true });
  });

  it('keeps a street the city does not have as written, says so, and sends it to review', () => {
    const file = path.join(cwd, 'unknown.jsonl');
    const bodies = ['pothole on Zzyzx Road, very deep', 'streetlight out on Mian Street', 'graffiti on Wite Street', 'TREE DOWN ON WHITE TURKEY RD BLOCKING BOTH LANES', 'pothole on Main Street'];
    fs.writeFileSync(file, bodies.map((body) => JSON.stringify({ subject: '', body })).join('\n'));
    const r = cityline(['classify', '--jsonl', file]);
    expect(r.code).toBe(0);
    const out = r.stdout.trim().split('\n').map(expectContract);
    expect(out.map((o) => [o.street, o.streetKnown])).toEqual([
      ['Zzyzx Road', false],
      ['Mian Street', false],
      ['Wite Street', false],
      ['White Turkey Road', false],
      ['Main Street', true],
    ]);
    expect(out.slice(0, 4).every((o) => o.needsReview === true)).toBe(true);
  });

  it('says streetKnown false when no street is named', () => {
    const r = cityline(['classify', '-'], 'When is leaf pickup this year?');
    expect(expectContract(r.stdout.trim())).toMatchObject({ street: null, streetKnown: false });
  });

  it('reads a raw RFC 822 message from a file: subject, and text made from HTML', () => {
    const eml = path.join(cwd, 'message.eml');
    fs.writeFileSync(
      eml,
      [
        'From: Ana Souza <ana@example.com>',
        'To: cityline311@danbury.example',
        'Subject: Luz do poste apagada',
        'Date: Thu, 20 Nov 2025 08:00:00 -0500',
        'Message-ID: <abc@example.com>',
        'MIME-Version: 1.0',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<html><body><p>O poste de luz na frente da minha casa na <b>Kenosia Ave</b> est&aacute; apagado faz duas semanas.</p></body></html>',
        '',
      ].join('\r\n'),
    );
    const r = cityline(['classify', eml]);
    expect(r.code).toBe(0);
    expect(expectContract(r.stdout.trim())).toMatchObject({ category: 'streetlight', language: 'pt', street: 'Kenosia Avenue' });
  });

  it('--jsonl prints one object per input line, in order', () => {
    const file = path.join(cwd, 'batch.jsonl');
    fs.writeFileSync(
      file,
      [
        { subject: 'Graffiti', body: 'someone spray painted the underpass on Main St' },
        { subject: '', body: 'Hay un bache enorme en la calle Osborne' },
        { subject: '', body: 'When is leaf pickup on my street?' },
      ]
        .map((l) => JSON.stringify(l))
        .join('\n'),
    );
    const r = cityline(['classify', '--jsonl', file]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map(expectContract);
    expect(lines.map((l) => l.category)).toEqual(['graffiti', 'pothole', 'info_request']);
    expect(lines[1]).toMatchObject({ language: 'es', street: 'Osborne Street' });
  });
});

describe('cityline eval', () => {
  it('ends with the JSON summary line', () => {
    const file = path.join(cwd, 'labelled.jsonl');
    fs.writeFileSync(
      file,
      [
        { subject: '', body: 'streetlight out in front of 8 Morris St', category: 'streetlight', street: 'Morris Street' },
        { subject: '', body: 'dead raccoon in the road on Lake Ave', category: 'dead_animal', street: 'Lake Avenue' },
        { subject: '', body: 'What are the transfer station hours?', category: 'info_request', street: null },
      ]
        .map((l) => JSON.stringify(l))
        .join('\n'),
    );
    const r = cityline(['eval', file]);
    expect(r.code).toBe(0);
    const last = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(Object.keys(last)).toEqual(['n', 'accuracy', 'macroF1', 'streetAccuracy', 'reviewRate', 'accuracyWhenConfident', 'houseNumberAccuracy', 'houseNumberSpurious', 'crossStreetAccuracy']);
    expect(last).toMatchObject({ n: 3, accuracy: 1, streetAccuracy: 1, houseNumberAccuracy: null, crossStreetAccuracy: null });
  });

  it('scores house numbers and cross streets where the set labels them', () => {
    const file = path.join(cwd, 'places.jsonl');
    fs.writeFileSync(
      file,
      [
        { body: 'pothole on Elm St, number 12', category: 'pothole', street: 'Elm Street', houseNumber: '12', crossStreet: null },
        { body: 'light out on Liberty St, pole #23917', category: 'streetlight', street: 'Liberty Street', houseNumber: null, crossStreet: null },
        { body: 'pothole on Main St by the corner of Elm', category: 'pothole', street: 'Main Street', houseNumber: null, crossStreet: 'Elm Street' },
        { body: 'pothole on Lake Ave, the house with the red door', category: 'pothole', street: 'Lake Avenue', houseNumber: '40', crossStreet: 'Mill Plain Road' },
      ]
        .map((l) => JSON.stringify(l))
        .join('\n'),
    );
    const last = JSON.parse(cityline(['eval', file]).stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(last).toMatchObject({ houseNumberAccuracy: 0.5, houseNumberSpurious: 0, crossStreetAccuracy: 0.5 });
  });
});
