// The staff app in a real browser against the whole system: mail arrives in Dovecot, goes through the stages,
// waits in the review queue; a reviewer corrects it with the keyboard; the department's email reaches SMTP.
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Category } from '../../src/classify/types.ts';
import { waitFor } from '../helpers/db.ts';
import { residentMail, startTestSystem, type TestSystem } from '../helpers/system.ts';
import { PASSWORD, createUser } from './harness.ts';

const ARTIFACTS = path.resolve(import.meta.dirname, '..', '..', 'test-artifacts');
const REVIEWER = 'reviewer@danbury.example';
const uniq = (): string => randomBytes(6).toString('hex');

let t: TestSystem;
let browser: Browser;
let webUrl: string;
/** A server that stands for the outside world: any request it gets is content that should not have loaded. */
let tracker: http.Server;
let trackerUrl: string;
const trackerHits: string[] = [];
const timings: Record<string, number> = {};

beforeAll(async () => {
  // Every message waits for review, whatever the classifier thinks of it.
  t = await startTestSystem({ web: true, env: { CITYLINE_REVIEW_THRESHOLD: '0.999' } });
  webUrl = t.system.webUrl as string;
  await createUser(t.db, REVIEWER, PASSWORD);
  tracker = http.createServer((req, res) => {
    trackerHits.push(req.url ?? '');
    res.end();
  });
  await new Promise<void>((resolve) => tracker.listen(0, '127.0.0.1', resolve));
  trackerUrl = `http://127.0.0.1:${(tracker.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  await mkdir(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await writeFile(path.join(ARTIFACTS, 'review-timing.json'), `${JSON.stringify(timings, null, 2)}\n`).catch(() => {});
  await browser?.close();
  await new Promise((resolve) => tracker?.close(resolve));
  await t?.stop();
});

async function waitingForReview(messageId: string) {
  const req = await t.requestFor(messageId, 30_000);
  let status = '';
  await waitFor(async () => {
    const { rows } = await t.db.pool.query('SELECT status FROM requests WHERE id = $1', [req.id]);
    status = rows[0]?.status;
    return status === 'needs_review';
  }, 20_000, `${req.trackingNumber} to wait for review`).catch((err: Error) => {
    throw new Error(`${err.message} (it is ${status})`);
  });
  return req;
}

async function signedInPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(10_000);
  page.on('dialog', (d) => {
    throw new Error(`a dialog opened: ${d.message()}`);
  });
  await page.goto(`${webUrl}/signin`);
  await page.fill('input[name=email]', REVIEWER);
  await page.fill('input[name=password]', PASSWORD);
  await page.press('input[name=password]', 'Enter');
  await page.waitForURL(`${webUrl}/review`);
  return page;
}

describe('reviewing in the browser', () => {
  it('corrects the category of a mailbox message with two key presses, routes it, and the department gets the email', async () => {
    const messageId = `${uniq()}@resident.example`;
    await t.dovecot.append(
      residentMail({
        from: 'Ana Souza <ana@resident.example>',
        subject: 'Road problem',
        body: 'The road in front of 42 Padanaram Road is a mess, big holes and the water does not drain. Can someone come look?',
        messageId,
      }),
    );
    const req = await waitingForReview(messageId);
    const page = await signedInPage();
    const outside: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(webUrl)) outside.push(r.url());
    });
    await page.reload();
    await page.locator('table.list a', { hasText: req.trackingNumber }).waitFor();

    const started = performance.now();
    await page.keyboard.press('Enter'); // the oldest item: ours, the only one
    await page.waitForURL(`${webUrl}/review/${req.id}`);
    timings.openFromQueueSeconds = (performance.now() - started) / 1000;
    await page.locator('.authored', { hasText: 'big holes and the water does not drain' }).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'review-screen.png'), fullPage: true });

    const correction = (await page.getAttribute('[data-key="1"]', 'value')) as Category;
    expect(correction).not.toBe(req.category);
    const department = t.system.routing.departmentFor(correction);
    const decided = performance.now();
    await page.keyboard.press('1');
    await page.waitForURL(new RegExp(`done=${req.id}`));
    timings.correctKeyToRoutedSeconds = (performance.now() - decided) / 1000;
    // Opening and deciding, without the screenshot taken in between.
    timings.keyboardReviewWithCorrectionSeconds = timings.openFromQueueSeconds + timings.correctKeyToRoutedSeconds;
    expect(await page.locator('.notice').textContent()).toContain(`${req.trackingNumber} is routed to ${department.name}`);

    const ticket = await t.smtp.waitFor(
      (m) => m.envelopeTo.includes(department.emails[0] as string) && (m.parsed.subject ?? '').includes(req.trackingNumber),
      20_000,
    );
    expect(ticket.parsed.text).toContain('big holes and the water does not drain');

    await page.goto(`${webUrl}/requests/${req.id}`);
    expect(await page.locator('#request-status').textContent()).toBe('routed');
    expect(await page.locator('.history').textContent()).toContain(REVIEWER);
    const { rows } = await t.db.pool.query('SELECT category, department_code FROM requests WHERE id = $1', [req.id]);
    expect(rows[0]).toEqual({ category: correction, department_code: department.code });
    expect((await t.db.pool.query('SELECT category FROM training_examples WHERE request_id = $1', [req.id])).rows).toEqual([{ category: correction }]);
    expect(outside).toEqual([]);
    await page.close();
  });

  it('confirms the suggestion with a single key press', async () => {
    const messageId = `${uniq()}@resident.example`;
    await t.dovecot.append(
      residentMail({
        from: 'Luis <luis@resident.example>',
        subject: 'please check',
        body: 'Something looks wrong near 17 Osborne Street, the light thing by the corner. Can someone check?',
        messageId,
      }),
    );
    const req = await waitingForReview(messageId);
    const page = await signedInPage();
    await page.goto(`${webUrl}/review/${req.id}`);
    const department = t.system.routing.departmentFor(req.category as Category);
    const started = performance.now();
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`done=${req.id}`));
    timings.confirmKeyToRoutedSeconds = (performance.now() - started) / 1000;
    expect(await page.locator('.notice').textContent()).toContain(`is routed to ${department.name}`);
    await t.smtp.waitFor((m) => m.envelopeTo.includes(department.emails[0] as string) && (m.parsed.subject ?? '').includes(req.trackingNumber), 20_000);
    await page.close();
  });
  it('suggests gazetteer streets while typing, and Enter in a field confirms with the correction', async () => {
    const messageId = `${uniq()}@resident.example`;
    await t.dovecot.append(
      residentMail({ from: 'Kim <kim@resident.example>', subject: 'help', body: 'Something looks wrong on my street, the light thing by the corner. Can someone check?', messageId }),
    );
    const req = await waitingForReview(messageId);
    const page = await signedInPage();
    await page.goto(`${webUrl}/review/${req.id}`);
    await page.keyboard.press('s');
    await page.keyboard.type('padanar');
    await page.locator('#street-options option[value="Padanaram Road"]').waitFor({ state: 'attached' });
    await page.fill('#street', 'Padanaram Road');
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`done=${req.id}`));
    const { rows } = await t.db.pool.query('SELECT status, street FROM requests WHERE id = $1', [req.id]);
    expect(rows[0]).toEqual({ status: 'routed', street: 'Padanaram Road' });
    await page.close();
  });

  it('shows a street the city does not have, and one click puts the nearest known street in the field', async () => {
    const messageId = `${uniq()}@resident.example`;
    await t.dovecot.append(residentMail({ from: 'Dan <dan@resident.example>', subject: 'streetlight', body: 'streetlight out on Mian Street, pole #4471, dark all week', messageId }));
    const req = await waitingForReview(messageId);
    const page = await signedInPage();
    await page.goto(`${webUrl}/review/${req.id}`);
    await page.locator('.street-unknown', { hasText: '“Mian Street” is not in the city' }).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'review-street-unknown.png'), fullPage: true });
    await page.click('button[data-fill="street"][value="Main Street"]');
    expect(await page.inputValue('#street')).toBe('Main Street');
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`done=${req.id}`));
    const { rows } = await t.db.pool.query('SELECT status, street FROM requests WHERE id = $1', [req.id]);
    expect(rows[0]).toEqual({ status: 'routed', street: 'Main Street' });
    await page.close();
  });
});

describe('hostile HTML in the browser', () => {
  it('a message with a script, an onerror handler and a remote image: nothing runs, nothing loads', async () => {
    const messageId = `${uniq()}@resident.example`;
    const boundary = `b-${uniq()}`;
    const htmlBody = `<p>Someone painted stuff all over the wall at 5 Main Street</p>
<script>fetch('${trackerUrl}/script'); document.title = 'ran-script';</script>
<img src="x" onerror="fetch('${trackerUrl}/onerror'); document.title = 'ran-onerror'">
<img src="${trackerUrl}/pixel.gif" width="1" height="1">
<div style="background:url(${trackerUrl}/css.png)">styled</div>`;
    await t.dovecot.append(
      [
        'From: Sam <sam@resident.example>',
        'To: cityline311@danbury.example',
        'Subject: the wall',
        `Message-ID: <${messageId}>`,
        `Date: ${new Date().toUTCString()}`,
        'MIME-Version: 1.0',
        `Content-Type: multipart/alternative; boundary="${boundary}"`,
        '',
        `--${boundary}`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Someone painted stuff all over the wall at 5 Main Street',
        `--${boundary}`,
        'Content-Type: text/html; charset=utf-8',
        '',
        htmlBody,
        `--${boundary}--`,
        '',
      ].join('\r\n'),
    );
    const req = await waitingForReview(messageId);
    const { rows } = await t.db.pool.query('SELECT html_body FROM inbound_messages i JOIN requests r ON r.source_message_id = i.id WHERE r.id = $1', [req.id]);
    expect(rows[0].html_body).toContain('onerror');

    const page = await signedInPage();
    const blocked: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) blocked.push(m.text());
    });
    for (const url of [`${webUrl}/review/${req.id}`, `${webUrl}/requests/${req.id}`]) {
      await page.goto(url);
      await page.keyboard.press('o');
      await page.locator('details.original').first().evaluate((d) => d.setAttribute('open', ''));
      await page.waitForLoadState('networkidle');
      expect(await page.title()).not.toMatch(/^ran-/);
      expect(trackerHits).toEqual([]);
      expect(await page.locator('.html-body').first().textContent()).toContain('Someone painted stuff all over the wall');
      expect(await page.locator('.html-body .blocked-image').first().textContent()).toBe('[remote image not loaded]');
    }
    await page.close();
  });
});

describe('the 311 desk in the browser', () => {
  const AGENT2 = 'second-agent@danbury.example';
  const READER = 'supervisor@danbury.example';

  async function pageAs(email: string, width = 1280): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    page.setDefaultTimeout(10_000);
    await page.goto(`${webUrl}/signin`);
    await page.fill('input[name=email]', email);
    await page.fill('input[name=password]', PASSWORD);
    await page.press('input[name=password]', 'Enter');
    await page.waitForURL(`${webUrl}/review`);
    return page;
  }

  let logged: { id: number; trackingNumber: string };

  it('logs a phone call: the suggestion shows before saving, and the tracking number is there to read out', async () => {
    const page = await signedInPage();
    await page.goto(`${webUrl}/requests/new`);
    await page.check('input[name=channel][value=phone]');
    await page.fill('#call-description', 'A deep pothole in the road in front of my house, cars are swerving around it.');
    await page.fill('input[name=house_number]', '42');
    await page.fill('#call-street', 'Padanaram Road');
    await page.fill('input[name=name]', 'Dana Caller');
    await page.fill('input[name=email]', 'dana@resident.example');
    await page.fill('input[name=phone]', '203-555-0199');
    await page.screenshot({ path: path.join(ARTIFACTS, 'log-call-desktop.png'), fullPage: true });
    await page.click('button[value=suggest]');
    await page.locator('#suggestion').waitFor();
    expect(await page.locator('#suggestion').textContent()).toContain('pothole');
    expect(await page.inputValue('#call-category')).toBe('pothole');
    await page.click('#call-save');
    await page.waitForURL(/done=logged/);
    const trackingNumber = ((await page.locator('#read-out').textContent()) ?? '').trim();
    expect(trackingNumber).toMatch(/^DB-[0-9A-Z]{5,}$/);
    const fontSize = await page.evaluate<number>("parseFloat(getComputedStyle(document.getElementById('read-out')).fontSize)");
    expect(fontSize).toBeGreaterThanOrEqual(28);
    await page.screenshot({ path: path.join(ARTIFACTS, 'logged-call-desktop.png'), fullPage: true });
    const { rows } = await t.db.pool.query('SELECT id, channel, status FROM requests WHERE tracking_number = $1', [trackingNumber]);
    expect(rows[0]).toMatchObject({ channel: 'phone', status: 'routed' });
    logged = { id: rows[0].id, trackingNumber };
    const confirmation = await t.smtp.waitFor((m) => m.envelopeTo.includes('dana@resident.example') && (m.parsed.subject ?? '').includes(trackingNumber), 20_000);
    expect(confirmation.parsed.text).toContain(trackingNumber);
    await page.close();
  });

  it('re-routes it: the new department gets the ticket, the first a withdrawal; a note stays internal; assignment fills "my requests"', async () => {
    const page = await signedInPage();
    await page.goto(`${webUrl}/requests/${logged.id}`);
    const first = t.system.routing.departmentFor('pothole');
    const second = t.system.routing.departmentFor('drainage');
    expect(second.code).not.toBe(first.code);
    await t.smtp.waitFor((m) => m.envelopeTo.includes(first.emails[0] as string) && (m.parsed.subject ?? '').includes(logged.trackingNumber), 20_000);

    await page.locator('details.reroute summary').click();
    await page.selectOption('#reroute-category', 'drainage');
    await page.fill('.reroute-form input[name=reason]', 'The water is the problem, not the road');
    await page.click('.reroute-form button[type=submit]');
    await page.waitForURL(/done=rerouted/);
    expect(await page.locator('.notice').textContent()).toContain(`Re-routed from ${first.name} to ${second.name}`);
    const ticket = await t.smtp.waitFor((m) => m.envelopeTo.includes(second.emails[0] as string) && (m.parsed.subject ?? '').includes(logged.trackingNumber), 20_000);
    expect(ticket.parsed.text).toContain('cars are swerving');
    const withdrawal = await t.smtp.waitFor((m) => m.envelopeTo.includes(first.emails[0] as string) && (m.parsed.subject ?? '').includes('Withdrawn'), 20_000);
    expect(withdrawal.parsed.text).toContain(`moved from ${first.name} to ${second.name}`);

    const secret = `internal-${uniq()}`;
    await page.fill('#note-text', `Caller is the landlord, ${secret}`);
    await page.click('.note-form button[type=submit]');
    await page.waitForURL(/done=note/);
    expect(await page.locator('.note-list').textContent()).toContain(secret);

    await page.click('button.take');
    await page.waitForURL(/done=assign/);
    expect(await page.locator('#assignee').textContent()).toBe('you');
    await page.screenshot({ path: path.join(ARTIFACTS, 'request-desk-desktop.png'), fullPage: true });
    await page.goto(`${webUrl}/requests`);
    await page.click('a[href="/requests?assigned=me"]');
    await page.locator('table.list a', { hasText: logged.trackingNumber }).waitFor();

    // Nothing the resident got, then or since, carries the note.
    const toResident = t.smtp.messages.filter((m) => m.envelopeTo.includes('dana@resident.example'));
    expect(toResident.length).toBeGreaterThan(0);
    for (const m of t.smtp.messages) expect(m.raw.toString('utf8')).not.toContain(secret);
    await page.close();
  });

  it('a second agent sees who else is on it; a read-only supervisor cannot change the status', async () => {
    await createUser(t.db, AGENT2, PASSWORD);
    await createUser(t.db, READER, PASSWORD);
    await t.db.pool.query(`UPDATE staff_users SET role = 'read_only' WHERE email = $1`, [READER]);
    const mine = await signedInPage();
    await mine.goto(`${webUrl}/requests/${logged.id}`);
    const theirs = await pageAs(AGENT2);
    await theirs.goto(`${webUrl}/requests/${logged.id}`);
    expect(await theirs.locator('#on-it').textContent()).toContain(REVIEWER);

    const reader = await pageAs(READER);
    await reader.goto(`${webUrl}/requests/${logged.id}`);
    expect(await reader.locator('.read-only').textContent()).toContain('read-only');
    expect(await reader.locator('form.status-form').count()).toBe(0);
    // Even a hand-made post is refused.
    const res = await reader.evaluate<number>(`(async () => {
      const csrf = document.querySelector('input[name=_csrf]').value;
      const r = await fetch('/requests/${logged.id}/status', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '_csrf=' + encodeURIComponent(csrf) + '&to=resolved' });
      return r.status;
    })()`);
    expect(res).toBe(403);
    const { rows } = await t.db.pool.query('SELECT status FROM requests WHERE id = $1', [logged.id]);
    expect(rows[0].status).toBe('routed');
    for (const p of [mine, theirs, reader]) await p.close();
  });

  it('finds a request by its tracking number typed carelessly, and says when the last character is wrong', async () => {
    const page = await signedInPage();
    const sloppy = logged.trackingNumber.toLowerCase().replace('-', ' ').replace(/0/g, 'o');
    await page.goto(`${webUrl}/requests`);
    await page.fill('#search-q', sloppy);
    await page.press('#search-q', 'Enter');
    await page.locator('table.list a', { hasText: logged.trackingNumber }).waitFor();
    const last = logged.trackingNumber.slice(-1);
    await page.fill('#search-q', `${logged.trackingNumber.slice(0, -1)}${last === 'X' ? 'Y' : 'X'}`);
    await page.press('#search-q', 'Enter');
    expect(await page.locator('#search-hint').textContent()).toContain('check the last character');
    await page.close();
  });

  it('an admin disables an account, which then cannot sign in', async () => {
    const LEAVER = 'leaver@danbury.example';
    await createUser(t.db, LEAVER, PASSWORD);
    await t.db.pool.query('UPDATE staff_users SET is_admin = true WHERE email = $1', [REVIEWER]);
    const page = await signedInPage();
    await page.goto(`${webUrl}/admin/users`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'admin-users-desktop.png'), fullPage: true });
    await page.locator(`tr[data-email="${LEAVER}"] button`, { hasText: 'Disable' }).click();
    await page.locator('.notice', { hasText: `${LEAVER}: disabled` }).waitFor();
    const leaver = await browser.newPage();
    await leaver.goto(`${webUrl}/signin`);
    await leaver.fill('input[name=email]', LEAVER);
    await leaver.fill('input[name=password]', PASSWORD);
    await leaver.press('input[name=password]', 'Enter');
    await leaver.waitForLoadState('load');
    expect(leaver.url()).toContain('/signin');
    await page.goto(`${webUrl}/admin/audit?q=${encodeURIComponent(LEAVER)}`);
    expect(await page.locator('table.audit').textContent()).toContain('account disabled');
    for (const p of [page, leaver]) await p.close();
  });

  it('every page fits a 390 px phone screen without sideways scrolling, the sign-out link included', async () => {
    const page = await signedInPage();
    await page.setViewportSize({ width: 390, height: 844 });
    const { rows } = await t.db.pool.query<{ id: number }>(`SELECT id FROM requests WHERE status = 'needs_review' ORDER BY id LIMIT 1`);
    const pages: [string, string][] = [
      ['review', '/review'],
      ['requests', '/requests'],
      ['request', `/requests/${logged.id}`],
      ['log-call', '/requests/new'],
      ['dashboard', '/dashboard'],
      ['reports', '/reports'],
      ['schedule', '/reports/schedule'],
      ['map', '/map'],
      ['password', '/account/password'],
      ['admin-users', '/admin/users'],
      ['admin-suppressions', '/admin/suppressions'],
      ['admin-audit', '/admin/audit'],
      ...(rows[0] ? [['review-item', `/review/${rows[0].id}`] as [string, string]] : []),
    ];
    const overflowing: string[] = [];
    for (const [name, url] of pages) {
      await page.goto(`${webUrl}${url}`);
      const { scrollWidth, clientWidth } = await page.evaluate<{ scrollWidth: number; clientWidth: number }>('({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth })');
      if (scrollWidth > clientWidth) overflowing.push(`${url}: ${scrollWidth} > ${clientWidth}`);
      const signOut = page.locator('header.top .signout button');
      expect(await signOut.isVisible(), `${url}: sign-out visible`).toBe(true);
      const box = await signOut.boundingBox();
      expect(box && box.x + box.width <= 390, `${url}: sign-out inside the screen`).toBe(true);
      if (['requests', 'request', 'log-call', 'review', 'admin-users', 'admin-audit'].includes(name)) await page.screenshot({ path: path.join(ARTIFACTS, `${name}-390.png`), fullPage: true });
    }
    await page.context().clearCookies();
    await page.goto(`${webUrl}/signin`);
    const signin = await page.evaluate<boolean>('document.documentElement.scrollWidth <= document.documentElement.clientWidth');
    expect(signin, '/signin fits').toBe(true);
    expect(overflowing).toEqual([]);
    await page.close();
  });
});
