// Reports for a period (page and CSV) and the map of open requests.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { loadGazetteer } from '../../classify/gazetteer.ts';
import { CATEGORIES } from '../../classify/types.ts';
import { openRequestPlaces, placeOf } from '../../reports/map-points.ts';
import { buildReport, parsePeriod, PeriodError, reportTables, toCsv } from '../../reports/report.ts';
import { localDateOf } from '../../targets/calendar.ts';
import { CITY_TIME_ZONE, pageContext, staffOf, type RouteContext } from '../context.ts';
import { field } from '../forms.ts';
import { mapPage } from '../views/map.ts';
import { reportsPage, schedulePage } from '../views/reports.ts';
import { describeSchedule } from '../../accountability/scheduler.ts';
import { getDigestSchedule, saveDigestSchedule } from '../../accountability/schedule-store.ts';

const PERIOD_FIELDS = ['month', 'quarter', 'year', 'from', 'to'] as const;

function periodQuery(query: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of PERIOD_FIELDS) {
    const v = field(query, k, 20);
    if (v) out[k] = v;
  }
  return out;
}

function weekdaysOf(body: unknown): number[] {
  const raw = (body as Record<string, unknown> | null)?.weekdays;
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return [...new Set(list.map(Number).filter((d) => Number.isInteger(d) && d >= 1 && d <= 7))].sort();
}

export function reportRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const departmentName = (code: string | null): string => (code === null ? '(not routed)' : (ctx.routing.departments.get(code)?.name ?? code));
  const today = (): string => localDateOf(new Date(), CITY_TIME_ZONE);

  app.get('/reports', async (request, reply) => {
    const picked = periodQuery(request.query);
    let error: string | null = null;
    let period;
    try {
      period = parsePeriod(picked, today(), CITY_TIME_ZONE);
    } catch (err) {
      if (!(err instanceof PeriodError)) throw err;
      error = err.message;
      period = parsePeriod({}, today(), CITY_TIME_ZONE);
    }
    const report = await buildReport(ctx.pool, period);
    const query = new URLSearchParams(error ? { from: period.from, to: period.to } : picked).toString();
    return reply.type('text/html').send(
      reportsPage(pageContext(request, 'reports'), {
        report,
        departmentName,
        query,
        pick: { month: picked.month ?? '', quarter: picked.quarter ?? '', year: picked.year ?? '', from: picked.from ?? period.from, to: picked.to ?? period.to },
        error,
      }).value,
    );
  });

  app.get('/reports.csv', async (request, reply) => {
    const name = field(request.query, 'table', 40) ?? 'summary';
    let period;
    try {
      period = parsePeriod(periodQuery(request.query), today(), CITY_TIME_ZONE);
    } catch (err) {
      if (err instanceof PeriodError) return reply.code(400).type('text/plain; charset=utf-8').send(`${err.message}\n`);
      throw err;
    }
    const table = reportTables(await buildReport(ctx.pool, period), { department: departmentName })[name];
    if (!table) return reply.code(400).type('text/plain; charset=utf-8').send(`no table "${name}": summary, months, categories, departments or days\n`);
    return reply
      .type('text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="cityline-${name}-${period.from}-to-${period.to}.csv"`)
      .send(toCsv(table));
  });

  app.get('/map', async (request, reply) => {
    const wanted = field(request.query, 'category', 40);
    const category = wanted && (CATEGORIES as readonly string[]).includes(wanted) ? wanted : null;
    const gazetteer = loadGazetteer();
    const open = await openRequestPlaces(ctx.pool, category);
    const now = Date.now();
    const points = open.flatMap((r) => {
      const at = placeOf(r, gazetteer);
      if (!at) return [];
      const place = [r.houseNumber, r.street].filter(Boolean).join(' ') + (r.crossStreet ? ` at ${r.crossStreet}` : '');
      return [{ id: r.id, trackingNumber: r.trackingNumber, category: r.category, ...at, place, late: r.dueAt !== null && r.dueAt.getTime() < now }];
    });
    const streets = gazetteer.streets.flatMap((s) => (s.lat !== null && s.lon !== null ? [{ lat: s.lat, lon: s.lon, name: s.name }] : []));
    return reply.type('text/html').send(
      mapPage(pageContext(request, 'map'), { streets, points, unplaced: open.length - points.length, category, categories: [...CATEGORIES] }).value,
    );
  });
}

export function scheduleRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const NOTICE = 'Saved. The next digests follow the new schedule.';
  const show = async (request: FastifyRequest, error: string | null, notice: string | null): Promise<string> => {
    const schedule = await getDigestSchedule(ctx.pool);
    return schedulePage(pageContext(request, 'reports'), {
      schedule,
      described: describeSchedule(schedule),
      targets: ctx.targets.businessDays,
      escalateAfter: ctx.targets.escalateAfterBusinessDays,
      notice,
      error,
    }).value;
  };
  app.get('/reports/schedule', async (request, reply) => reply.type('text/html').send(await show(request, null, field(request.query, 'saved') ? NOTICE : null)));
  app.post('/reports/schedule', async (request, reply) => {
    const sendAt = field(request.body, 'sendAt', 5) ?? '';
    const weekdays = weekdaysOf(request.body);
    const supervisor = field(request.body, 'supervisorEmail', 254);
    const error = !/^([01]\d|2[0-3]):[0-5]\d$/.test(sendAt)
      ? 'The time must look like 07:00.'
      : weekdays.length === 0
        ? 'Pick at least one day.'
        : supervisor !== null && !/^[^\s@<>,;]+@[^\s@<>,;]+\.[^\s@<>,;]+$/.test(supervisor)
          ? "The supervisor's address is not an email address."
          : null;
    if (error) return reply.code(400).type('text/html').send(await show(request, error, null));
    await saveDigestSchedule(ctx.pool, {
      enabled: field(request.body, 'enabled') === '1',
      sendAt,
      weekdays,
      escalationEnabled: field(request.body, 'escalationEnabled') === '1',
      supervisorEmail: supervisor?.toLowerCase() ?? null,
      updatedBy: staffOf(request).email,
    });
    request.log.info({ by: staffOf(request).email }, 'staff changed the digest schedule');
    return reply.redirect('/reports/schedule?saved=1', 303);
  });
}
