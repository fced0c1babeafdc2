// The stylesheet and the keyboard-shortcut script, read once at start: there is no build step.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';

const DIR = path.join(import.meta.dirname, '..', 'static');
const FILES: Record<string, string> = { 'app.css': 'text/css; charset=utf-8', 'app.js': 'text/javascript; charset=utf-8' };

export function staticRoutes(app: FastifyInstance): void {
  for (const [name, type] of Object.entries(FILES)) {
    const body = readFileSync(path.join(DIR, name));
    app.get(`/static/${name}`, { config: { public: true } }, async (_request, reply) =>
      reply.type(type).header('Cache-Control', 'public, max-age=300').send(body),
    );
  }
  // Browsers ask for it on every page; answering keeps the sign-in page from logging a 401.
  app.get('/favicon.ico', { config: { public: true } }, async (_request, reply) => reply.code(204).header('Cache-Control', 'public, max-age=86400').send());
}
