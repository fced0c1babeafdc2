// The HTTP side shared by every Open311 route: answering in the format the path asks for, errors in the
// spec's shape, and reading a POST body (urlencoded or multipart) into fields and files.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CITY_TIME_ZONE } from '../context.ts';
import { CONTENT_TYPE, errorDoc, render, type Doc, type Format } from './format.ts';

export function send(reply: FastifyReply, format: Format, doc: Doc, status = 200): FastifyReply {
  return reply.code(status).type(CONTENT_TYPE[format]).send(render(doc, format, CITY_TIME_ZONE));
}

export function fail(reply: FastifyReply, format: Format, status: number, ...descriptions: string[]): FastifyReply {
  return send(reply, format, errorDoc(status, descriptions), status);
}

/** An error to answer in the spec's format; thrown where returning would thread `reply` through helpers. */
export class Open311Error extends Error {
  constructor(
    readonly status: number,
    readonly descriptions: string[],
  ) {
    super(descriptions.join('; '));
  }
}

export interface PostBody {
  /** Every value sent under each name, in order (repeated names and `name[]` lists). */
  fields: Map<string, string[]>;
  files: { fieldname: string; filename: string; contentType: string; content: Buffer }[];
}

interface MultipartPart {
  type: 'file' | 'field';
  fieldname: string;
  value?: unknown;
  filename?: string;
  mimetype?: string;
  toBuffer?: () => Promise<Buffer>;
}

function isPart(v: unknown): v is MultipartPart {
  return typeof v === 'object' && v !== null && 'type' in v && 'fieldname' in v;
}

/** Reads a urlencoded or multipart body; anything else is refused as the spec's 400. */
export async function readPostBody(request: FastifyRequest): Promise<PostBody> {
  const body = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body) || Buffer.isBuffer(body)) {
    throw new Open311Error(400, ['send the fields as application/x-www-form-urlencoded or multipart/form-data']);
  }
  const fields = new Map<string, string[]>();
  const files: PostBody['files'] = [];
  for (const [name, raw] of Object.entries(body as Record<string, unknown>)) {
    for (const v of Array.isArray(raw) ? raw : [raw]) {
      if (isPart(v)) {
        if (v.type === 'file' && v.toBuffer) {
          const content = await v.toBuffer();
          if (content.length > 0) files.push({ fieldname: name, filename: v.filename || 'upload', contentType: v.mimetype || 'application/octet-stream', content });
        } else if (typeof v.value === 'string') fields.set(name, [...(fields.get(name) ?? []), v.value]);
      } else if (typeof v === 'string') fields.set(name, [...(fields.get(name) ?? []), v]);
    }
  }
  return { fields, files };
}

/** The first non-blank value of a field, trimmed; null when absent or blank (the spec treats both alike). */
export function one(body: PostBody, name: string): string | null {
  for (const v of body.fields.get(name) ?? []) {
    const t = v.trim();
    if (t !== '') return t;
  }
  return null;
}
