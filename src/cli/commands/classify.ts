// cityline classify [FILE|-] | --jsonl FILE: one JSON object per message on stdout, nothing else.
import fs from 'node:fs/promises';
import { loadConfig } from '../../config/index.ts';
import { loadClassifier } from '../../classify/index.ts';
import type { Classification, ClassifyInput } from '../../classify/types.ts';

/** The command-line contract's fields, in its order (DESIGN.md "Command line contract"), then urgency and hazard. */
export function contractJson(c: Classification): string {
  return JSON.stringify({
    category: c.category,
    confidence: c.confidence,
    alternatives: c.alternatives,
    language: c.language,
    street: c.street,
    houseNumber: c.houseNumber,
    crossStreet: c.crossStreet,
    streetKnown: c.streetKnown,
    needsReview: c.needsReview,
    urgency: c.urgency,
    hazard: c.hazard,
  });
}

async function readInput(file: string | undefined): Promise<Buffer> {
  if (file === undefined || file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
  return fs.readFile(file);
}

// An RFC 822 message starts with header fields; plain text a resident typed does not.
const HEADER = /^(from|to|subject|date|message-id|mime-version|received|return-path|content-type|delivered-to|reply-to|cc|x-[\w-]+|dkim-signature|arc-[\w-]+|authentication-results):[ \t]*\S?/i;

export function looksLikeMime(text: string): boolean {
  const head = text.replace(/^\uFEFF/, '').split(/\r?\n\r?\n/, 1)[0] ?? '';
  const lines = head.split(/\r?\n/).filter((l) => !/^[ \t]/.test(l));
  if (lines.length < 2 || !/^[\w-]+:/.test(lines[0]!)) return false;
  const known = lines.filter((l) => HEADER.test(l)).length;
  return known >= 2 && lines.every((l) => /^[\x21-\x39\x3b-\x7e]+:/.test(l));
}

export async function messageInput(raw: Buffer): Promise<ClassifyInput> {
  const text = raw.toString('utf8');
  if (!looksLikeMime(text)) return { subject: '', text };
  const { simpleParser } = await import('mailparser');
  const parsed = await simpleParser(raw);
  let body = parsed.text ?? '';
  if (body.trim() === '' && typeof parsed.html === 'string') {
    const { convert } = await import('html-to-text');
    body = convert(parsed.html, { wordwrap: false });
  }
  return { subject: parsed.subject ?? '', text: body };
}

export async function run(args: string[]): Promise<number> {
  const config = loadConfig();
  const jsonlAt = args.indexOf('--jsonl');
  if (jsonlAt >= 0) {
    const file = args[jsonlAt + 1];
    if (!file) {
      process.stderr.write('usage: cityline classify --jsonl FILE\n');
      return 64;
    }
    const classifier = await loadClassifier({ modelFile: config.modelFile, reviewThreshold: config.reviewThreshold });
    const lines = (await readInput(file)).toString('utf8').split('\n');
    const out: string[] = [];
    for (const [i, line] of lines.entries()) {
      if (line.trim() === '') continue;
      let row: { subject?: unknown; body?: unknown };
      try {
        row = JSON.parse(line) as typeof row;
      } catch (err) {
        process.stderr.write(`classify: ${file}:${i + 1}: not JSON (${(err as Error).message})\n`);
        return 65;
      }
      out.push(contractJson(classifier.classify({ subject: typeof row.subject === 'string' ? row.subject : '', text: typeof row.body === 'string' ? row.body : '' })));
    }
    process.stdout.write(out.length ? `${out.join('\n')}\n` : '');
    return 0;
  }
  const positional = args.filter((a) => !a.startsWith('--') || a === '-');
  if (positional.length > 1) {
    process.stderr.write('usage: cityline classify [FILE|-] | --jsonl FILE\n');
    return 64;
  }
  const input = await messageInput(await readInput(positional[0]));
  const classifier = await loadClassifier({ modelFile: config.modelFile, reviewThreshold: config.reviewThreshold });
  process.stdout.write(`${contractJson(classifier.classify(input))}\n`);
  return 0;
}
