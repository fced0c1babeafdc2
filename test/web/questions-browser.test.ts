// Questions in a real browser against the whole system: a resident's question arrives in Dovecot, waits in
// the questions queue; staff keep a saved answer, insert it into a reply, edit it and send it (closing
// the request); the resident's answer is read at the real SMTP peer, threaded under the confirmation.
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/db.ts';
import { residentMail, startTestSystem, type TestSystem } from '../helpers/system.ts';
import { PASSWORD, createUser } from './harness.ts';

const ARTIFACTS = path.resolve(import.meta.dirname, '..', '..', 'test-artifacts');
const AGENT = 'agent@danbury.example';
const uniq = (): string => randomBytes(6).toString('hex');

let t: TestSystem;
let browser: Browser;
let webUrl: string;

beforeAll(async () => {
  t = await startTestSystem({
    web: true,
    env: { CITYLINE_PHONE: '(203) 797-4500', CITYLINE_PHONE_HOURS: 'mon-fri 08:00-16:30', CITYLINE_PUBLIC_URL: 'https://311.danbury.example' },
  });
  webUrl = t.system.webUrl as string;
  await createUser(t.db, AGENT, PASSWORD);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  await mkdir(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

async function signedInPage(width = 1280): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  page.setDefaultTimeout(10_000);
  await page.goto(`${webUrl}/signin?next=/questions`);
  await page.fill('input[name=email]', AGENT);
  await page.fill('input[name=password]', PASSWORD);
  await page.press('input[name=password]', 'Enter');
  await page.waitForURL(`${webUrl}/questions`);
  return page;
}

describe('answering questions in the browser', () => {
  it('a question waits in the queue, is answered from a saved answer edited before sending, and the resident gets it', async () => {
    const resident = `q${uniq()}@resident.example`;
    const messageId = `${uniq()}@resident.example`;
    await t.dovecot.append(residentMail({ from: `Rosa Lima <${resident}>`, subject: 'Transfer station hours', body: 'What are the hours of the transfer station on New Street? Is it open on Saturday?', messageId }));
    const req = await t.requestFor(messageId, 30_000);
    const confirmation = await t.smtp.waitFor((m) => m.envelopeTo.includes(resident), 20_000);
    expect(confirmation.parsed.text).toMatch(/A person from 311 will answer your question by \w+day, \w+ \d+\./);
    expect(confirmation.parsed.text).toContain('call (203) 797-4500 (Monday to Friday, 8:00 AM to 4:30 PM)');
    expect(confirmation.parsed.text).toContain(`https://311.danbury.example/status/${req.trackingNumber}`);
    // Not mailed to anyone as a ticket.
    const { rows: tickets } = await t.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE request_id = $1 AND kind = 'routed_ticket'`, [req.id]);
    expect(tickets[0]?.n).toBe(0);

    const page = await signedInPage();
    // The library first: a saved answer, in English.
    await page.click('nav a[href="/answers"]');
    await page.fill('input[name=topic]', 'Transfer station hours');
    await page.selectOption('select[name=language]', 'en');
    await page.fill('textarea[name=body]', 'The transfer station on New Street is open Monday to Saturday, 7 AM to 3 PM.');
    await page.click('button:has-text("Add answer")');
    await page.locator('table.list td', { hasText: 'Transfer station hours' }).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'saved-answers.png'), fullPage: true });

    await page.click('nav a[href="/questions"]');
    const row = page.locator('table.questions tr', { hasText: req.trackingNumber });
    await row.waitFor();
    expect(await row.textContent()).toContain('What are the hours of the transfer station');
    await page.screenshot({ path: path.join(ARTIFACTS, 'questions-queue.png'), fullPage: true });

    await row.locator('a').first().click();
    await page.waitForURL(new RegExp(`/requests/${req.id}`));
    await page.selectOption('select[name=insert]', { label: 'Transfer station hours (en)' });
    await page.click('button:has-text("Insert")');
    const box = page.locator('#reply-body');
    expect(await box.inputValue()).toContain('open Monday to Saturday');
    await box.fill(`${await box.inputValue()}\nIt is closed on Sundays and holidays.`);
    await page.check('input[name=close]');
    await page.screenshot({ path: path.join(ARTIFACTS, 'reply-box.png'), fullPage: true });
    await page.click('button:has-text("Send to the resident")');
    await page.locator('.notice', { hasText: 'on its way' }).waitFor();

    const answer = await t.smtp.waitFor((m) => m.envelopeTo.includes(resident) && (m.parsed.text ?? '').includes('closed on Sundays'), 20_000);
    expect(answer.parsed.text).toContain('open Monday to Saturday, 7 AM to 3 PM.');
    expect(answer.parsed.subject).toContain(req.trackingNumber);
    expect(answer.parsed.inReplyTo).toBe(confirmation.parsed.messageId);
    expect(answer.parsed.headers.get('auto-submitted')).toBeUndefined();

    await waitFor(async () => {
      const { rows } = await t.db.pool.query('SELECT status, awaiting_answer_since FROM requests WHERE id = $1', [req.id]);
      return rows[0]?.status === 'closed' && rows[0]?.awaiting_answer_since === null;
    }, 10_000, 'the request to be closed and out of the queue');
    await page.goto(`${webUrl}/requests/${req.id}`);
    await page.locator('.thread-list li.out', { hasText: 'staff reply' }).waitFor();
    await page.goto(`${webUrl}/questions`);
    expect(await page.locator('table.questions tr', { hasText: req.trackingNumber }).count()).toBe(0);
    await page.close();

    // The same pages on a phone.
    const phone = await signedInPage(390);
    await phone.goto(`${webUrl}/requests/${req.id}`);
    await phone.screenshot({ path: path.join(ARTIFACTS, 'request-reply-390.png'), fullPage: true });
    await phone.goto(`${webUrl}/answers`);
    await phone.screenshot({ path: path.join(ARTIFACTS, 'saved-answers-390.png'), fullPage: true });
    // The page is no wider than the phone (nothing sideways to scroll to).
    const width = await phone.locator('html').evaluate((el) => el.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    await phone.close();

    // The public status page: status and history, nothing personal, no sign-in.
    const visitor = await browser.newPage({ viewport: { width: 390, height: 800 } });
    await visitor.goto(`${webUrl}/status/${req.trackingNumber}?lang=es`);
    expect(await visitor.locator('#public-status').textContent()).toBe('Cerrada');
    const text = (await visitor.locator('main').textContent()) ?? '';
    expect(text).not.toContain(resident);
    expect(text).not.toContain('Rosa');
    expect(text).not.toContain('New Street');
    await visitor.screenshot({ path: path.join(ARTIFACTS, 'status-page-390.png'), fullPage: true });
    await visitor.close();
  });
});
