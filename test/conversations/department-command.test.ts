import { describe, expect, it } from 'vitest';
import {
  parseDepartmentCommand,
  statusCommandHelp,
  STATUS_COMMAND_EXAMPLES,
  statusOfWord,
} from '../../src/requests/department-command.ts';
import { STATUS_COMMAND_VOCABULARY, type CommandStatus } from '../../src/routing/commands.ts';

describe('parseDepartmentCommand', () => {
  it.each<[string, CommandStatus, string | null]>([
    ['status: resolved - filled on 11/27', 'resolved', 'filled on 11/27'],
    ['status: in_progress', 'in_progress', null],
    ['Status: In Progress – crew out Monday', 'in_progress', 'crew out Monday'],
    ['STATUS - in-progress', 'in_progress', null],
    ['status: not_city - state road, sent to CT DOT', 'not_city', 'state road, sent to CT DOT'],
    ['status: not city: Route 6 is a state road', 'not_city', 'Route 6 is a state road'],
    ['status: state road, sent to CT DOT', 'not_city', 'sent to CT DOT'],
    ['status: private property', 'not_city', null],
    ['status: done', 'resolved', null],
    ['status: Fixed.', 'resolved', null],
    ['status: completed, 11/27', 'resolved', '11/27'],
    ['status, finished - patched', 'resolved', 'patched'],
    ['status: working on it - tree crew Tuesday', 'in_progress', 'tree crew Tuesday'],
    ['status: scheduled for next week', 'in_progress', 'for next week'],
    ['status: closed - nothing found at the address', 'closed', 'nothing found at the address'],
    ['status: no action needed', 'closed', null],
    ['status: duplicate of DB-100A7', 'duplicate', 'of DB-100A7'],
    ['status:resolved', 'resolved', null],
    ['status=resolved', 'resolved', null],
    ['*Status:* resolved', 'resolved', null],
  ])('"%s" sets %s with note %s', (text, status, note) => {
    expect(parseDepartmentCommand(text)).toEqual({ kind: 'status', status, note, line: text.trim() });
  });

  it('reads the first non-empty line only, and keeps the line as written', () => {
    const r = parseDepartmentCommand('\n\n   status: resolved - filled  \n');
    expect(r).toEqual({ kind: 'status', status: 'resolved', note: 'filled', line: 'status: resolved - filled' });
  });

  it('continues the note on the following lines, up to an empty line', () => {
    const text = 'status: resolved\r\nFilled with cold patch.\r\nWill hot-patch in spring.\r\n\r\nThanks,\r\nBob';
    expect(parseDepartmentCommand(text)).toEqual({
      kind: 'status',
      status: 'resolved',
      note: 'Filled with cold patch.\nWill hot-patch in spring.',
      line: 'status: resolved',
    });
    expect(parseDepartmentCommand('status: resolved - filled\nby crew 3\n\nsee you')).toMatchObject({ note: 'filled\nby crew 3' });
  });

  it.each([
    ['status: pending', '"pending"'],
    ['status: not done', '"not"'],
    ['status update: crew will be there Tuesday', '"update:"'],
    ['status', 'no status'],
    ['Status:', 'no status'],
    ['status: resolved? not sure', 'question'],
    ['status: resolvedish', '"resolvedish"'],
  ])('"%s" is invalid (%s)', (text, reasonPart) => {
    const r = parseDepartmentCommand(text);
    expect(r.kind).toBe('invalid');
    expect(r.kind === 'invalid' && r.reason).toContain(reasonPart.replace(/"/g, '').split(' ')[0]);
    expect(r.kind === 'invalid' && r.line).toBe(text);
  });

  it.each([
    '',
    '   \n  ',
    'Thanks, we will look at it.',
    'The status of this one: resolved',
    'Done. Filled the pothole this morning.',
    '> status: resolved',
    'statuses are updated weekly',
    'Hi,\nstatus: resolved',
  ])('"%s" is not a command', (text) => {
    expect(parseDepartmentCommand(text)).toEqual({ kind: 'none' });
  });

  it('accepts every word of the vocabulary, and every example', () => {
    for (const [status, words] of Object.entries(STATUS_COMMAND_VOCABULARY)) {
      for (const w of [status, ...words]) {
        const r = parseDepartmentCommand(`status: ${w} - note`);
        expect(r, w).toEqual({ kind: 'status', status, note: 'note', line: `status: ${w} - note` });
      }
    }
    for (const e of STATUS_COMMAND_EXAMPLES) expect(parseDepartmentCommand(e).kind, e).toBe('status');
  });

  it('has help text that names every status', () => {
    const help = statusCommandHelp();
    for (const status of Object.keys(STATUS_COMMAND_VOCABULARY)) expect(help).toContain(`${status}:`);
    expect(help).toContain('status: resolved - filled on 11/27');
  });
});

describe('statusOfWord (cityline status)', () => {
  it('reads the words departments write as the status they set, and nothing else', () => {
    expect(statusOfWord('fixed')).toBe('resolved');
    expect(statusOfWord('Working on it')).toBe('in_progress');
    expect(statusOfWord('in-progress')).toBe('in_progress');
    expect(statusOfWord('not ours')).toBe('not_city');
    expect(statusOfWord('fixed it yesterday')).toBeNull();
    expect(statusOfWord('exploded')).toBeNull();
  });
});
