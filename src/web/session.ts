// Sessions and CSRF tokens. The cookie holds a random token; the database holds its SHA-256.
// CSRF tokens are an HMAC of the session under a key derived from the reply secret, so no extra setting
// is needed and a token is only good for the session it was issued to.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'cityline_session';
/** Before sign-in there is no session to bind the form to: this cookie stands in for it (double submit). */
export const PRESESSION_COOKIE = 'cityline_presession';
/** Idle timeout: each request slides it forward. */
export const SESSION_TTL_SECONDS = 8 * 3600;
/** Absolute lifetime: however active, a session ends this long after sign-in (a stolen cookie does not live for ever). */
export const SESSION_MAX_AGE_SECONDS = 12 * 3600;

export interface Keys {
  csrf(binding: string): string;
}

export function deriveKeys(replySecret: string): Keys {
  const key = createHmac('sha256', replySecret).update('cityline web app: session and csrf key v1').digest();
  return {
    csrf: (binding) => createHmac('sha256', key).update(binding).digest('base64url'),
  };
}

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Over HTTPS (directly, or through a proxy trusted with CITYLINE_TRUST_PROXY) cookies carry the
 * __Host- prefix: the browser then only accepts them Secure, for the whole site, from this host alone.
 */
export function cookieName(request: FastifyRequest, base: string): string {
  return request.protocol === 'https' ? `__Host-${base}` : base;
}

export function readCookie(request: FastifyRequest, base: string): string | undefined {
  return request.cookies[cookieName(request, base)];
}

export function setCookie(request: FastifyRequest, reply: FastifyReply, base: string, value: string, maxAgeSeconds: number): void {
  reply.setCookie(cookieName(request, base), value, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    // Secure whenever the app is reached over HTTPS; plain HTTP only works on a development machine.
    secure: request.protocol === 'https',
    maxAge: maxAgeSeconds,
  });
}

export function clearCookie(request: FastifyRequest, reply: FastifyReply, base: string): void {
  reply.clearCookie(cookieName(request, base), { path: '/', httpOnly: true, sameSite: 'lax', secure: request.protocol === 'https' });
}
