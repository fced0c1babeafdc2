// Reports and the map in a real browser: the page, its CSV download, the map's points leading to their
// requests, at desktop and phone width (screenshots in test-artifacts/).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, PASSWORD, seedRequest, startHarness, type Harness } from './harness.ts';

const ARTIFACTS = path.resolve(import.meta.dirname, '..', '..', 'test-artifacts');
const AGENT = 'reports-agent@danbury.example';

let h: Harness;
let browser: Browser;
let url: string;
let pothole: Awaited<ReturnType<typeof seedRequest>>;

beforeAll(async () => {
  h = await startHarness();
  await createUser(h.db, AGENT, PASSWORD);
  const seeds = [
    { category: 'pothole', street: 'Main Street', status: 'routed', departmentCode: 'highway', day: '2026-11-03' },
    { category: 'pothole', street: 'Padanaram Road', status: 'resolved', departmentCode: 'highway', day: '2026-11-04' },
    { category: 'streetlight', street: 'White Street', status: 'in_progress', departmentCode: 'traffic', day: '2026-10-12' },
    { category: 'graffiti', street: 'Elm Street', status: 'routed', departmentCode: 'inspection', day: '2026-09-21' },
    { category: 'tree', street: 'Deer Hill Avenue', status: 'needs_review', departmentCode: null, day: '2026-11-20' },
  ] as const;
  for (const s of seeds) {
    const r = await seedRequest(h.db, { category: s.category, street: s.street, status: s.status, departmentCode: s.departmentCode, createdAt: new Date(`${s.day}T15:00:00Z`) });
    await h.db.pool.query(
      `UPDATE requests SET due_at = created_at + interval '3 days', routed_at = CASE WHEN department_code IS NOT NULL THEN created_at + interval '20 minutes' END,
              closed_at = CASE WHEN status = 'resolved' THEN created_at + interval '26 hours' END WHERE id = $1`,
      [r.id],
    );
    if (s.category === 'pothole' && s.status === 'routed') pothole = r;
  }
  const address = await h.app.listen({ port: 0, host: '127.0.0.1' });
  url = address;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  await mkdir(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

async function signedIn(width: number): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 900 }, acceptDownloads: true });
  page.setDefaultTimeout(15_000);
  await page.goto(`${url}/signin`);
  await page.fill('input[name=email]', AGENT);
  await page.fill('input[name=password]', PASSWORD);
  await page.press('input[name=password]', 'Enter');
  await page.waitForURL(`${url}/review`);
  return page;
}

const noSidewaysScroll = (page: Page): Promise<boolean> => page.evaluate('document.documentElement.scrollWidth <= document.documentElement.clientWidth');

describe('reports in the browser', () => {
  it('shows the year with its charts, exports a table as CSV, and fits a phone', async () => {
    const page = await signedIn(1280);
    await page.goto(`${url}/reports`);
    await page.fill('input[name=year]', '2026');
    await page.fill('input[name=from]', '');
    await page.fill('input[name=to]', '');
    await page.click('form.report-period button[type=submit]');
    await page.waitForURL(/\/reports\?.*year=2026/);
    await expect(page.locator('h1').textContent()).resolves.toBe('Report: 2026-01-01 to 2026-12-31');
    await expect(page.locator('.tile .big').first().textContent()).resolves.toBe('5');
    expect(await page.locator('svg.chart').count()).toBe(3);
    await page.screenshot({ path: path.join(ARTIFACTS, 'reports-desktop.png'), fullPage: true });
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a.csv[href*="table=categories"]')]);
    expect(download.suggestedFilename()).toBe('cityline-categories-2026-01-01-to-2026-12-31.csv');
    const csv = await download.path().then((p) => import('node:fs/promises').then((fs) => fs.readFile(p, 'utf8')));
    expect(csv.split('\r\n')[0]).toMatch(/^category,opened,resolved,/);
    expect(csv).toMatch(/\r\npothole,2,1,1,/);
    await page.close();

    const phone = await signedIn(390);
    await phone.goto(`${url}/reports?year=2026`);
    await phone.screenshot({ path: path.join(ARTIFACTS, 'reports-phone.png'), fullPage: true });
    expect(await noSidewaysScroll(phone)).toBe(true);
    await phone.close();
  });

  it('draws open requests on the map, and a point opens its request', async () => {
    const page = await signedIn(1280);
    await page.goto(`${url}/map`);
    expect(await page.locator('.map svg.map-canvas a').count()).toBe(4);
    await page.screenshot({ path: path.join(ARTIFACTS, 'map-desktop.png'), fullPage: true });
    await page.locator(`.map svg.map-canvas a[href="/requests/${pothole.id}"] circle`).click();
    await page.waitForURL(`${url}/requests/${pothole.id}`);
    await expect(page.locator('h1').textContent()).resolves.toContain(pothole.trackingNumber);
    await page.close();

    const phone = await signedIn(390);
    await phone.goto(`${url}/map`);
    await phone.screenshot({ path: path.join(ARTIFACTS, 'map-phone.png'), fullPage: true });
    expect(await noSidewaysScroll(phone)).toBe(true);
    await phone.close();
  });

  it('saves a new digest schedule from its page', async () => {
    const page = await signedIn(1280);
    await page.goto(`${url}/reports/schedule`);
    await page.fill('input[name=sendAt]', '06:30');
    await page.fill('input[name=supervisorEmail]', 'supervisor@danbury.example');
    await page.click('.schedule-form button[type=submit]');
    await page.waitForURL(/saved=1/);
    await expect(page.locator('.notice').textContent()).resolves.toContain('Saved');
    await expect(page.locator('.schedule-form p').first().textContent()).resolves.toContain('on weekdays at 06:30');
    await page.screenshot({ path: path.join(ARTIFACTS, 'digest-schedule-desktop.png'), fullPage: true });
    await page.close();
  });
});
