// cityline status <tracking-number> [<new-status> [--note TEXT]] [--json]
import os from 'node:os';
import { loadConfig } from '../../config/index.ts';
import { createPool } from '../../db/pool.ts';
import { describeError, isPermanent } from '../../errors.ts';
import { createQueues } from '../../jobs/queues.ts';
import { createLogger } from '../../log.ts';
import { changeStatus } from '../../requests/actions.ts';
import { statusOfWord } from '../../requests/department-command.ts';
import { isStatus, STATUSES, type Status } from '../../requests/status.ts';
import { getRequestByTrackingNumber, statusHistory } from '../../requests/store.ts';
import { normalizeTrackingNumber } from '../../requests/tracking-number.ts';
import { loadRouting } from '../../routing/rules.ts';

const USAGE = `usage: cityline status <tracking-number> [<new-status> [--note TEXT]] [--json]\n  statuses: ${STATUSES.join(', ')}\n  and the words departments write, e.g. fixed, done, working on it, not ours\n`;

function parseArgs(args: string[]): { tracking: string; status: string | null; note: string | null; json: boolean } | null {
  const positional: string[] = [];
  let note: string | null = null;
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--note') {
      const v = args[++i];
      if (v === undefined) return null;
      note = v;
    } else if (a === '--json') json = true;
    else positional.push(a);
  }
  if (positional.length < 1 || positional.length > 2) return null;
  return { tracking: positional[0] as string, status: positional[1] ?? null, note, json };
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args);
  if (!parsed) {
    process.stderr.write(USAGE);
    return 64;
  }
  const config = loadConfig();
  const tracking = normalizeTrackingNumber(config.trackingPrefix, parsed.tracking);
  if (!tracking) {
    process.stderr.write(`cityline: "${parsed.tracking}" is not a valid tracking number (check character does not match)\n`);
    return 65;
  }
  // The same words a department may write by mail ("fixed", "working on it") mean the same here.
  const to: Status | null = parsed.status === null ? null : isStatus(parsed.status) ? parsed.status : statusOfWord(parsed.status);
  if (parsed.status !== null && to === null) {
    process.stderr.write(`cityline: unknown status "${parsed.status}"\n${USAGE}`);
    return 64;
  }
  const pool = createPool(config.databaseUrl, 2);
  try {
    let req = await getRequestByTrackingNumber(pool, tracking);
    if (!req) {
      process.stderr.write(`cityline: no request ${tracking}\n`);
      return 66;
    }
    if (to !== null) {
      const queues = createQueues(config.redisUrl, config.queuePrefix, createLogger(config.logLevel));
      try {
        const routing = await loadRouting(config.routingFile);
        req = await changeStatus(
          { pool, config, routing, enqueue: queues.enqueue },
          { requestId: req.id, to, note: parsed.note, actor: `cli:${os.userInfo().username}` },
        );
      } catch (err) {
        if (!isPermanent(err)) throw err;
        process.stderr.write(`cityline: ${describeError(err)}\n`);
        return 65;
      } finally {
        await queues.close();
      }
    }
    const history = await statusHistory(pool, req.id);
    if (parsed.json) {
      process.stdout.write(`${JSON.stringify({ ...req, history })}\n`);
      return 0;
    }
    const place = [req.houseNumber, req.street].filter(Boolean).join(' ') + (req.crossStreet ? ` and ${req.crossStreet}` : '');
    const lines = [
      `${req.trackingNumber}  ${req.status}`,
      `  category:   ${req.category} (confidence ${req.confidence.toFixed(2)})`,
      `  location:   ${place || 'none found'}${req.outsideTown ? ` (${req.outsideTown})` : ''}`,
      `  resident:   ${req.residentEmail ?? 'unknown'} (${req.language})`,
      `  department: ${req.departmentCode ?? 'not routed'}`,
      '  history:',
      ...history.map((h) => `    ${h.at.toISOString()}  ${h.fromStatus ?? '-'} -> ${h.toStatus}  by ${h.actor}${h.note ? `: ${h.note}` : ''}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } finally {
    await pool.end();
  }
}
