// Open311 writes: POST requests (a new service request through the same pipeline as mail) and POST
// servicerequestupdates (a public comment). Both need a live API key, created by an admin in the staff app.
import type { FastifyInstance } from 'fastify';
import { describeError, isUnavailable, PermanentError } from '../../errors.ts';
import { storeSubmission, submissionByToken } from '../../intake/open311-submission.ts';
import { categoryLabel } from '../../notify/labels.ts';
import { addPublicComment } from '../../requests/actions.ts';
import { normalizeTrackingNumber } from '../../requests/tracking-number.ts';
import { CATEGORIES, type Category } from '../../classify/types.ts';
import type { RouteContext } from '../context.ts';
import { useApiKey } from '../queries/api-keys.ts';
import type { Format } from '../open311/format.ts';
import { fail, one, Open311Error, readPostBody, send, type PostBody } from '../open311/http.ts';
import { checkAttributes, type ServiceDefinitions, type SubmittedAttributes } from '../open311/services.ts';

const FORMATS: readonly Format[] = ['xml', 'json'];
const EMAIL = /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/;
/** The spec's limit on a description. */
const MAX_DESCRIPTION = 4000;
const POLL_MS = 100;

async function apiKeyOf(ctx: RouteContext, body: PostBody): Promise<{ id: number; name: string }> {
  const key = one(body, 'api_key');
  if (!key) throw new Open311Error(400, ['api_key was not provided']);
  const found = key.length <= 200 ? await useApiKey(ctx.pool, key) : null;
  if (!found) throw new Open311Error(403, ['api_key is not valid or has been revoked']);
  return found;
}

/** attribute[code]=v and attribute[code][]=v1&attribute[code][]=v2, as the spec writes them. */
function attributesOf(body: PostBody): SubmittedAttributes {
  const out: SubmittedAttributes = {};
  for (const [name, values] of body.fields) {
    const m = /^attribute\[([^\]]{1,64})\](\[\])?$/.exec(name);
    if (!m) continue;
    const code = m[1] as string;
    out[code] = m[2] ? [...(Array.isArray(out[code]) ? out[code] : []), ...values] : (values.length > 1 ? values : (values[0] ?? ''));
  }
  return out;
}

function coordinate(body: PostBody, name: 'lat' | 'long', errors: string[]): number | null {
  const raw = one(body, name);
  if (raw === null) return null;
  const n = Number(raw);
  const limit = name === 'lat' ? 90 : 180;
  if (!/^-?\d+(\.\d+)?$/.test(raw) || Math.abs(n) > limit) {
    errors.push(`${name} must be a WGS84 ${name === 'lat' ? 'latitude' : 'longitude'} in degrees`);
    return null;
  }
  return n;
}

function mediaUrl(raw: string | null, errors: string[]): string | null {
  if (raw === null) return null;
  try {
    const u = new URL(raw);
    if ((u.protocol === 'http:' || u.protocol === 'https:') && raw.length <= 2000) return u.toString();
  } catch {
    // reported below
  }
  errors.push('media_url must be an http or https URL');
  return null;
}

/** The fields both writes share: the text (required), who wrote it, and a photo link. */
function whatAndWho(body: PostBody, errors: string[]): { description: string | null; email: string | null; media: string | null } {
  const description = one(body, 'description');
  if (!description) errors.push('description was not provided: say what the problem is');
  else if (description.length > MAX_DESCRIPTION) errors.push(`description is longer than ${MAX_DESCRIPTION} characters`);
  const email = one(body, 'email');
  if (email && (email.length > 254 || !EMAIL.test(email))) errors.push('email is not an email address');
  return { description, email, media: mediaUrl(one(body, 'media_url'), errors) };
}

/** Waits for the pipeline to open the request; null when it takes longer than the client should wait. */
export async function openedWithin(ctx: RouteContext, token: string, ms: number): Promise<string | null> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const found = await submissionByToken(ctx.pool, token);
    if (found?.trackingNumber) return found.trackingNumber;
    if (found && found.state !== 'stored' && found.state !== 'parsed') return null;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return null;
}

export function open311WriteRoutes(api: FastifyInstance, ctx: RouteContext, services: ServiceDefinitions): void {
  const publicOpts = { config: { public: true } };
  for (const format of FORMATS) {
    api.post(`/requests.${format}`, publicOpts, async (request, reply) => {
      const body = await readPostBody(request);
      const key = await apiKeyOf(ctx, body);
      const code = one(body, 'service_code');
      if (!code) return fail(reply, format, 400, 'service_code was not provided');
      if (!(CATEGORIES as readonly string[]).includes(code)) return fail(reply, format, 404, `service_code ${code} was not found`);
      const serviceCode = code as Category;
      const def = services.get(serviceCode);
      const errors: string[] = [];
      const lat = coordinate(body, 'lat', errors);
      const lon = coordinate(body, 'long', errors);
      if ((lat === null) !== (lon === null) && errors.length === 0) errors.push('lat and long must be sent together');
      const addressString = one(body, 'address_string')?.slice(0, 500) ?? null;
      const addressId = one(body, 'address_id')?.slice(0, 200) ?? null;
      if (lat === null && lon === null && !addressString && !addressId && errors.length === 0) {
        errors.push('a location is required: lat and long, or address_string, or address_id');
      }
      const { description, email, media } = whatAndWho(body, errors);
      const checked = def ? checkAttributes(def, attributesOf(body)) : { ok: [], errors: [] };
      errors.push(...checked.errors);
      if (errors.length > 0) return fail(reply, format, 400, ...errors);

      let stored: { token: string; inboundMessageId: number };
      try {
        stored = await storeSubmission(ctx.pool, {
          apiKeyId: key.id,
          apiKeyName: key.name,
          serviceCode,
          serviceName: categoryLabel(serviceCode, 'en'),
          description: description as string,
          lat,
          lon,
          addressString,
          addressId,
          email,
          firstName: one(body, 'first_name')?.slice(0, 100) ?? null,
          lastName: one(body, 'last_name')?.slice(0, 100) ?? null,
          phone: one(body, 'phone')?.slice(0, 40) ?? null,
          mediaUrl: media,
          attributes: checked.ok,
          // Clients name the part differently (FixMyStreet's adapters send "uploads"); every file is a photo offered.
          files: body.files,
        }, { to: ctx.config.fromAddress, maxRawBytes: ctx.config.maxRawBytes });
      } catch (err) {
        if (err instanceof PermanentError) return fail(reply, format, 400, err.message);
        if (isUnavailable(err)) return fail(reply.header('Retry-After', '30'), format, 503, 'storage is unavailable; try again later');
        throw err;
      }
      const { token, inboundMessageId } = stored;
      request.log.info({ apiKey: key.name, inboundMessageId }, 'open311 request stored');
      // Stored is what counts: if Redis is down the sweeper queues the message later.
      await ctx.queues.requeue('parse', { inboundMessageId }).catch((err) =>
        request.log.warn({ err: describeError(err), inboundMessageId }, 'stored, but not queued yet'),
      );
      const opened = ctx.config.open311WaitMs > 0 ? await openedWithin(ctx, token, ctx.config.open311WaitMs) : null;
      const notice = def?.serviceNotice ?? null;
      return send(reply, format, {
        root: 'service_requests',
        item: 'request',
        items: [opened ? { service_request_id: opened, service_notice: notice, account_id: null } : { token, service_notice: notice, account_id: null }],
      });
    });

    api.post(`/servicerequestupdates.${format}`, publicOpts, async (request, reply) => {
      const body = await readPostBody(request);
      const key = await apiKeyOf(ctx, body);
      const rawId = one(body, 'service_request_id');
      if (!rawId) return fail(reply, format, 400, 'service_request_id was not provided');
      const trackingNumber = normalizeTrackingNumber(ctx.config.trackingPrefix, rawId);
      if (!trackingNumber) return fail(reply, format, 404, `service_request_id ${rawId} was not found`);
      const errors: string[] = [];
      const { description, email, media } = whatAndWho(body, errors);
      if (errors.length > 0) return fail(reply, format, 400, ...errors);
      try {
        const { updateId } = await addPublicComment({ ...ctx, enqueue: ctx.queues.enqueue }, {
          trackingNumber,
          apiKeyId: key.id,
          apiKeyName: key.name,
          description: description as string,
          mediaUrl: media,
          email,
          name: [one(body, 'first_name'), one(body, 'last_name')].filter(Boolean).join(' ').slice(0, 200) || null,
          clientStatus: one(body, 'status')?.slice(0, 40) ?? null,
        });
        return send(reply, format, { root: 'service_request_updates', item: 'request_update', items: [{ update_id: String(updateId) }] });
      } catch (err) {
        if (err instanceof PermanentError && err.code === 'NO_SUCH_REQUEST') return fail(reply, format, 404, err.message);
        throw err;
      }
    });
  }
}
