// The public status page the confirmation links to: a tracking number's status and history, in the
// resident's language, with nothing personal (no name, address, text or notes), like Open311.
import type { FastifyInstance } from 'fastify';
import { LANGUAGES, type Language } from '../../classify/types.ts';
import { categoryLabel, statusLabel } from '../../notify/labels.ts';
import { normalizeTrackingNumber } from '../../requests/tracking-number.ts';
import type { RouteContext } from '../context.ts';
import { field } from '../forms.ts';
import { publicStatus } from '../queries/status-page.ts';
import { statusPage } from '../views/status-page.ts';

/** ?lang= wins, then the browser's first language we write in, then English. */
function languageOf(query: unknown, acceptLanguage: string | undefined): Language {
  const asked = field(query, 'lang', 5);
  if (asked && (LANGUAGES as readonly string[]).includes(asked)) return asked as Language;
  for (const part of (acceptLanguage ?? '').split(',')) {
    const code = part.trim().slice(0, 2).toLowerCase();
    if ((LANGUAGES as readonly string[]).includes(code)) return code as Language;
  }
  return 'en';
}

export function statusPageRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const show = async (language: Language, input: string | null) => {
    const number = input ? normalizeTrackingNumber(ctx.config.trackingPrefix, input) : null;
    const found = number ? await publicStatus(ctx.pool, number) : null;
    return statusPage({
      language,
      city: ctx.config.cityName,
      phone: ctx.config.phone,
      asked: input,
      request: found && {
        trackingNumber: found.trackingNumber,
        category: categoryLabel(found.category, language),
        status: statusLabel(found.status, language),
        createdAt: found.createdAt,
        history: found.history.map((h) => ({ at: h.at, status: statusLabel(h.status, language) })),
      },
    });
  };

  app.get('/status', { config: { public: true } }, async (request, reply) => {
    const language = languageOf(request.query, request.headers['accept-language']);
    const page = await show(language, field(request.query, 'n', 40));
    return reply.type('text/html').send(page.value);
  });

  app.get('/status/:number', { config: { public: true } }, async (request, reply) => {
    const language = languageOf(request.query, request.headers['accept-language']);
    const input = field(request.params, 'number', 40);
    const page = await show(language, input);
    return reply.code(page.found ? 200 : 404).type('text/html').send(page.value);
  });
}
