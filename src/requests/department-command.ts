// A department changes a request's status by replying with a first line such as
// `status: resolved - filled on 11/27`. Only the first non-empty line can be a command, so a status
// word further down (a quoted earlier reply, a sentence that mentions "done") never changes anything.
import { STATUS_COMMAND_VOCABULARY, type CommandStatus } from '../routing/commands.ts';

export type DepartmentCommand =
  | { kind: 'none' }
  | { kind: 'status'; status: CommandStatus; note: string | null; line: string }
  | { kind: 'invalid'; line: string; reason: string };

/** What each status means to a resident, for the help text. */
export const STATUS_COMMAND_MEANINGS: Readonly<Record<CommandStatus, string>> = Object.freeze({
  in_progress: 'the work is planned or under way',
  resolved: 'the problem is fixed',
  closed: 'closed without a fix (nothing to do, or cannot be done)',
  not_city: 'not the city’s to fix (state road, private property...); say who it was sent to',
  duplicate: 'already reported; give the earlier tracking number in the note',
});

export const STATUS_COMMAND_EXAMPLES: readonly string[] = Object.freeze([
  'status: in_progress - crew scheduled for Monday',
  'status: resolved - filled on 11/27',
  'status: not_city - state road, sent to CT DOT',
  'status: duplicate - same as DB-100A7',
]);

/** Plain-text help listing the vocabulary, for the reply telling a department its command was not understood. */
export function statusCommandHelp(): string {
  const lines = ['Write the command on the first line of your reply, e.g.:', ...STATUS_COMMAND_EXAMPLES.map((e) => `  ${e}`), ''];
  lines.push('Statuses (and words that mean the same):');
  for (const status of Object.keys(STATUS_COMMAND_VOCABULARY) as CommandStatus[]) {
    const synonyms = STATUS_COMMAND_VOCABULARY[status].filter((w) => w !== status.replace('_', ' '));
    lines.push(`  ${status}: ${STATUS_COMMAND_MEANINGS[status]}${synonyms.length ? ` (also: ${synonyms.join(', ')})` : ''}`);
  }
  lines.push('', 'Separate the status from a note with "-", ":" or ",". The note may go on over the next lines, up to an empty line.');
  return lines.join('\n');
}

const SEPARATOR = String.raw`[-–—:,=]`;
const COMMAND = new RegExp(String.raw`^status\b\s*(?:${SEPARATOR}\s*)?(.*)$`, 'i');
const MAX_NOTE = 2000;

// Longest phrase first, so "working on it" wins over "working" and "no action needed" over "no action".
const PHRASES: ReadonlyArray<{ status: CommandStatus; re: RegExp }> = (Object.entries(STATUS_COMMAND_VOCABULARY) as Array<[CommandStatus, readonly string[]]>)
  .flatMap(([status, words]) => [status.replace('_', ' '), ...words].map((w) => ({ status, w })))
  .sort((a, b) => b.w.length - a.w.length)
  .map(({ status, w }) => ({
    status,
    // Spaces in a phrase also match '_' and '-', so in_progress, in-progress and "in progress" are one.
    re: new RegExp(`^${w.split(' ').map(escape).join('[\\s_-]+')}(?=$|[\\s.;!?()]|${SEPARATOR})`, 'i'),
  }));

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Reads a department's reply (quotes and signature already removed). The note is the rest of the
 * first line after the status, continued by the following lines up to the first empty line: people
 * write "status: resolved" and explain on the next line, and an empty line ends the command the way
 * it ends a paragraph, so a greeting or sign-off further down is not part of the note.
 */
export function parseDepartmentCommand(authoredText: string): DepartmentCommand {
  const lines = authoredText.replace(/\r\n?/g, '\n').split('\n');
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0) return { kind: 'none' };
  const line = (lines[first] as string).trim();
  // Mail clients render bold as *status* in the text part.
  const m = COMMAND.exec(line.replace(/^[*_]+(status)[*_]*(\s*[-–—:,=]?)[*_]*/i, '$1$2'));
  if (!m) return { kind: 'none' };
  const rest = (m[1] as string).trim();
  if (rest === '') return { kind: 'invalid', line, reason: 'no status after "status"' };
  const phrase = PHRASES.map((p) => ({ status: p.status, match: p.re.exec(rest) })).find((p) => p.match);
  if (!phrase?.match) {
    const word = rest.split(/\s+/)[0] ?? rest;
    return { kind: 'invalid', line, reason: `"${word}" is not a status we know; use ${Object.keys(STATUS_COMMAND_VOCABULARY).join(', ')}` };
  }
  let tail = rest.slice(phrase.match[0].length).trim();
  if (tail.startsWith('?')) return { kind: 'invalid', line, reason: 'a question, not a command' };
  tail = tail.replace(new RegExp(`^(?:${SEPARATOR}|[.;!])+\\s*`), '');
  const continuation: string[] = [];
  for (const next of lines.slice(first + 1)) {
    if (next.trim() === '') break;
    continuation.push(next.trim());
  }
  const note = [tail, ...continuation].filter((s) => s !== '').join('\n').slice(0, MAX_NOTE);
  return { kind: 'status', status: phrase.status, note: note === '' ? null : note, line };
}

/** The status a single word or phrase of the vocabulary names ("fixed", "in progress"), for `cityline status`; null for any other text. */
export function statusOfWord(word: string): CommandStatus | null {
  const w = word.trim();
  return PHRASES.find((p) => p.re.exec(w)?.[0].length === w.length)?.status ?? null;
}
