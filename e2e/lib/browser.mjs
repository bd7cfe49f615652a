// Shared helpers for the browser tests: chromium via playwright-core,
// viewports, screenshots, CSP/console watch, tokens and test photos.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = process.env.PA_ROOT || path.resolve(here, '../..');
export const BASE = (process.env.PA_BASE_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
export const SHOTS = path.join(ROOT, 'var', 'screenshots');
export const CHROMIUM = process.env.PA_CHROMIUM || '/usr/bin/chromium';

export const VIEWPORTS = {
  phone: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
  desktop: { viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1 },
};

export const HERE = { lat: 22.3964, lng: 103.4582 }; // Lai Châu ward

export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

// A context per viewport.  Tile requests are answered 404 at once: test
// runs have no network, and the map must work without tiles anyway.
export async function newContext(browser, name, extra = {}) {
  const ctx = await browser.newContext({
    ...VIEWPORTS[name],
    ...extra,
    locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh',
    geolocation: { latitude: HERE.lat, longitude: HERE.lng, accuracy: 8 },
    permissions: ['geolocation'],
  });
  await ctx.route((url) => !url.href.startsWith(BASE), (route) => route.fulfill({ status: 404, body: '' }));
  // requests in flight per page, for settled(): a live stream (EventSource)
  // never ends and is not counted
  // (a service worker's requests belong to no page).  A request the page
  // started just before it navigated away may end with neither
  // "requestfinished" nor "requestfailed": only requests of the document
  // now shown count (the set is emptied when the main frame navigates).
  const pageOf = (req) => {
    if (req.resourceType() === 'eventsource') return null;
    try { return req.frame().page(); } catch (e) { return null; }
  };
  const inflight = (pg) => {
    if (!pending.has(pg)) {
      pending.set(pg, new Set());
      pg.on('framenavigated', (fr) => { if (fr === pg.mainFrame()) pending.get(pg).clear(); });
    }
    return pending.get(pg);
  };
  ctx.on('request', (req) => {
    const pg = pageOf(req);
    // the navigation's own document request comes before framenavigated
    if (pg && !req.isNavigationRequest()) inflight(pg).add(req);
  });
  const done = (req) => {
    const pg = pageOf(req);
    if (pg) inflight(pg).delete(req);
  };
  ctx.on('requestfinished', done);
  ctx.on('requestfailed', done);
  return ctx;
}

const pending = new WeakMap();

// Chrome DevTools' "Slow 4G" preset
export const SLOW_4G = {
  offline: false,
  latency: 150 * 3.75,
  downloadThroughput: ((1.6 * 1000 * 1000) / 8) * 0.9,
  uploadThroughput: ((750 * 1000) / 8) * 0.9,
};

// The portal's pages: what on screen says each is usable (what it is for),
// and whether it has a map
export const PORTAL_PAGES = [
  ['index.html', '#report-form #send', true],
  ['track.html', '#my-empty:not([hidden]), #my-list li', false],
  ['public.html', '#public-list li, #public-empty:not([hidden])', true],
  ['staff.html', '#signin-form button[type=submit]', false],
  ['dashboard.html', '#dash-form button[type=submit]', false],
];

// A first visit on slow 4G: a context with no HTTP cache and no service
// worker, its page, and the page's DevTools session emulating the network
export async function coldSlowPage(browser, vp) {
  const ctx = await newContext(browser, vp, { serviceWorkers: 'block' });
  const page = await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
  return { ctx, page, cdp };
}

// When the page became usable (ms from its navigation, its own clock):
// `ready` and the header with its menu shown (the page's script ran),
// checked on every frame
export async function usableAt(page, ready, timeout = 10000) {
  const handle = await page.waitForFunction((sel) => {
    const shown = (q) => Array.from(document.querySelectorAll(q))
      .some((e) => e.getClientRects().length > 0);
    return shown(sel) && shown('header.site nav a') ? performance.now() : false;
  }, ready, { polling: 'raf', timeout });
  return Math.round(await handle.jsonValue());
}

// Playwright's "networkidle" waits forever on a page with a live stream
// (the staff console, a followed report): this is "networkidle" without
// the streams, no request in flight for 500 ms.
export async function settled(page, timeout = 30000) {
  await page.waitForLoadState('load');
  const end = Date.now() + timeout;
  let quietSince = Date.now();
  while (Date.now() < end) {
    if (pending.get(page) && pending.get(page).size) quietSince = Date.now();
    else if (Date.now() - quietSince >= 500) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  const left = [...(pending.get(page) || [])].map((r) => r.method() + ' ' + r.url());
  throw new Error('settled: requests still in flight after ' + timeout + ' ms: ' + left.join(', '));
}

// Collect page errors and CSP violations; tests assert the list is empty.
export function watch(page) {
  const problems = [];
  page.on('pageerror', (e) => problems.push('pageerror: ' + e.message));
  page.on('console', (m) => {
    const text = m.text();
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(text)) problems.push('csp: ' + text);
  });
  return problems;
}

// The whole page, cut at MAX_SHOT_HEIGHT CSS pixels: a long public list
// would make a picture too tall to look at (and to open with ImageMagick).
const MAX_SHOT_HEIGHT = 5000;
export async function shot(page, viewport, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${viewport}-${name}.png`);
  // the sticky header is drawn where the page happens to be scrolled: to
  // the top, and wait out a smooth scroll the page may have started
  await page.evaluate(async () => {
    const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
    for (let i = 0, still = 0; i < 60 && still < 3; i++) {
      window.scrollTo({ top: 0, left: 0, behavior: 'instant' });
      await frame();
      still = window.scrollY === 0 ? still + 1 : 0;
    }
  }).catch(() => {});
  const height = await page.evaluate(() => document.documentElement.scrollHeight).catch(() => 0);
  const width = page.viewportSize().width;
  const clip = height > MAX_SHOT_HEIGHT ? { x: 0, y: 0, width, height: MAX_SHOT_HEIGHT } : undefined;
  // transitions (a popup fading in) are drawn finished
  await page.screenshot({ path: file, fullPage: true, clip, animations: 'disabled' });
  return file;
}

// Public reads are cached by nginx for up to max-age (30 s in dev.conf):
// a report just published shows up once the cached list expires.  Waits
// for `locator` to be visible, calling `retrigger` (a reload, a filter
// submit) between short waits, until `timeout`.
export async function untilVisible(locator, retrigger, timeout = 60000) {
  const end = Date.now() + timeout;
  for (;;) {
    try {
      await locator.waitFor({ state: 'visible', timeout: 3000 });
      return;
    } catch (e) {
      if (Date.now() > end) throw e;
    }
    await retrigger();
  }
}

// act (a click that closes something) until locator is gone: on a loaded
// machine a click during the map's pan animation is lost, as a user's
// would be, who then clicks again
export async function untilGone(locator, act, timeout = 30000) {
  const end = Date.now() + timeout;
  for (;;) {
    // (it may be gone already, between the wait and the click)
    await act().catch(() => {});
    try {
      await locator.waitFor({ state: 'detached', timeout: 3000 });
      return;
    } catch (e) {
      if (Date.now() > end) throw e;
    }
  }
}

// the staff token as the console keeps it: sessionStorage only
export async function storedTokens(page) {
  return page.evaluate(() => {
    const dump = (st) => Object.fromEntries(Array.from({ length: st.length }, (_, i) => st.key(i)).map((k) => [k, st.getItem(k)]));
    return { session: dump(sessionStorage), local: dump(localStorage) };
  });
}

// ---------------------------------------------------------------- tokens
export function staffToken(role, agency, sub) {
  const args = ['--role', role, '--sub', sub || 'e2e-' + role];
  if (agency) args.push('--agency', agency);
  return execFileSync(path.join(ROOT, 'bin', 'pa-token'), args, { cwd: ROOT, encoding: 'utf8' }).trim();
}

// ---------------------------------------------------------------- API
export async function api(method, p, { token, reportToken, body, headers } = {}) {
  const hd = { Accept: 'application/json', ...(headers || {}) };
  if (token) hd.Authorization = 'Bearer ' + token;
  if (reportToken) hd['X-Report-Token'] = reportToken;
  if (body !== undefined) hd['Content-Type'] = 'application/json';
  const res = await fetch(BASE + '/api/v1' + p, { method, headers: hd, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
  return { status: res.status, json, headers: res.headers };
}

// ---------------------------------------------------------------- photo
// A JPEG with EXIF GPS + DateTimeOriginal (now, +07:00), made with
// ImageMagick and exiftool.
// gps: false makes one without any GPS tag.
export function makePhoto(label, { lat = HERE.lat, lng = HERE.lng, when = new Date(), gps = true } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pa-e2e-'));
  const file = path.join(dir, `hien-truong-${label}.jpg`);
  const convert = fs.existsSync('/usr/bin/convert') ? '/usr/bin/convert' : 'convert';
  // a noisy picture (so it is not a trivially tiny file) with a label
  execFileSync(convert, ['-size', '1280x960', 'plasma:#6d8f4e-#8a7b66', '-blur', '0x1',
    '-fill', '#333333', '-draw', 'rectangle 300,500 980,640',
    '-fill', 'white', '-pointsize', '48', '-gravity', 'center', '-annotate', '+0+0', 'O GA ' + label,
    '-quality', '85', file]);
  const local = new Date(when.getTime() + 7 * 3600000).toISOString().slice(0, 19).replace('T', ' ').replace(/-/g, ':');
  execFileSync('exiftool', ['-q', '-overwrite_original',
    `-DateTimeOriginal=${local}`, `-CreateDate=${local}`, '-OffsetTimeOriginal=+07:00',
    `-GPSLatitude=${Math.abs(lat)}`, `-GPSLatitudeRef=${lat >= 0 ? 'N' : 'S'}`,
    `-GPSLongitude=${Math.abs(lng)}`, `-GPSLongitudeRef=${lng >= 0 ? 'E' : 'W'}`,
    '-Make=E2E', '-Model=Camera', file]);
  if (!gps) execFileSync('exiftool', ['-q', '-overwrite_original', '-gps:all=', file]);
  return file;
}

// a phone number unique to this run (the backend refuses duplicates
// and rate-limits per reporter)
export function uniquePhone() {
  return '09' + String(crypto.randomInt(10000000, 99999999));
}

// ---------------------------------------------------------------- workflow
// An RFC 3339 time in Vietnam's zone, for X-PA-Now (make run TEST_CLOCK=1)
export function rfc3339(d) {
  return new Date(d.getTime() + 7 * 3600000).toISOString().replace(/\.\d+Z$/, '+07:00');
}

// POST /reports/{id}/actions as `who` ({token} or {reportToken}), at `now`
// (a Date, through X-PA-Now) when given; fails the test unless 200.
export async function act(id, action, fields, who, now) {
  const headers = now ? { 'X-PA-Now': rfc3339(now) } : undefined;
  const r = await api('POST', `/reports/${encodeURIComponent(id)}/actions`, { ...who, headers, body: { action, ...fields } });
  if (r.status !== 200) throw new Error(`${action} on ${id}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}

// A report through the whole workflow by the API: submitted, verified,
// received, dispatched to `agency`, accepted, resolved, published.
// steps: {at(step) -> Date|undefined} sets X-PA-Now per step (test clock).
export async function publishedReport(body, agency, { at = () => undefined, rating } = {}) {
  const now = at('submit');
  const sub = await api('POST', '/reports', {
    headers: now ? { 'X-PA-Now': rfc3339(now) } : undefined,
    body: { lat: HERE.lat, lng: HERE.lng, reporter_name: 'Người Thử', reporter_phone: uniquePhone(), ...body },
  });
  if (sub.status !== 201) throw new Error(`submit: ${sub.status} ${JSON.stringify(sub.json)}`);
  const { id, access_token: token } = sub.json;
  const ioc = { token: staffToken('ioc') };
  const handler = { token: staffToken('handler', agency) };
  let r = await act(id, 'verify', {}, ioc, at('verify'));
  r = await act(id, 'receive', {}, ioc, at('receive'));
  r = await act(id, 'dispatch', { agencies: [agency] }, ioc, at('dispatch'));
  r = await act(id, 'accept', {}, handler, at('accept'));
  r = await act(id, 'resolve', { summary: 'Đã xử lý xong (kiểm thử).', salutation: 'Ông/Bà' }, handler, at('resolve'));
  if (r.status === 'awaiting_approval') {
    r = await act(id, 'approve', {}, { token: staffToken('leader', agency) }, at('resolve'));
  }
  r = await act(id, 'publish', {}, ioc, at('publish'));
  if (rating) r = await act(id, 'rate', { rating }, { reportToken: token }, at('publish'));
  return { id, token, report: r };
}

// The reporter withdraws a report a test made, so test runs do not pile up
// in the dev server's queue (only from states before in_progress).
export async function cancelReport(id, token) {
  if (!id || !token) return;
  await api('POST', `/reports/${encodeURIComponent(id)}/actions`, { reportToken: token, body: { action: 'cancel' } }).catch(() => {});
}
