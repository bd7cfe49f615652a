// The staff queue in a real browser: urgent first, then the nearest
// deadline; live countdowns; overdue in red; the overdue filter.
// An overdue report is made with the test clock (make run TEST_CLOCK=1,
// which make test-e2e starts): submitted with X-PA-Now five days ago, its
// verify deadline has passed.  The reports are withdrawn afterwards so test
// runs do not fill the dev server's queue.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, newContext, watch, shot, staffToken, api, uniquePhone, rfc3339, cancelReport, BASE,
} from '../lib/browser.mjs';

const VIEWPORTS = (process.env.PA_VIEWPORTS || 'phone,desktop').split(',');
const WAIT = { timeout: 15000 };

async function submit(body, headers) {
  const r = await api('POST', '/reports', {
    body: { lat: 22.3964, lng: 103.4582, reporter_name: 'Phạm E2E', reporter_phone: uniquePhone(), ...body },
    headers,
  });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return r.json;
}

for (const vp of VIEWPORTS) {
  describe(`staff queue on ${vp}`, { concurrency: false }, () => {
    let browser;
    let page;
    let problems;
    const s = { old: null, urgent: null, fresh: null, urgentCat: null };

    before(async () => {
      browser = await launch();
      const ctx = await newContext(browser, vp);
      page = await ctx.newPage();
      problems = watch(page);
      const d = await api('GET', '/directory');
      s.urgentCat = ((d.json && d.json.categories) || []).find((c) => c.urgent) || null;
    });
    after(async () => {
      if (browser) await browser.close();
      for (const r of [s.old, s.fresh, s.urgent]) if (r) await cancelReport(r.id, r.access_token);
    });

    test('queue: urgent first, then the nearest deadline; overdue in red', async () => {
      const past = rfc3339(new Date(Date.now() - 5 * 86400000));
      s.old = await submit({ content: `Cống thoát nước bị tắc (${vp}, cũ).`, occurred_at: past }, { 'X-PA-Now': past });
      assert.ok(Date.parse(s.old.deadlines[0].due) < Date.now(),
        'X-PA-Now was not honoured: the dev server must run with the test clock (make run TEST_CLOCK=1)');
      s.fresh = await submit({ content: `Vỉa hè bị lấn chiếm (${vp}, mới).` });
      assert.ok(s.urgentCat, 'the directory has an urgent category');
      s.urgent = await submit({ content: `Cháy nhà dân (${vp}, khẩn cấp).`, category: s.urgentCat.id });
      assert.equal(s.urgent.urgent, true, 'an urgent category makes the report urgent');

      await page.goto(BASE + '/staff.html');
      await page.fill('#token', staffToken('ioc'));
      await page.click('#signin-form button[type=submit]');
      // the queue may be cut to its first page (urgent and nearest deadlines)
      await page.waitForSelector(`.queue-item[data-id="${(s.urgent || s.old).id}"]`, WAIT);
      const order = await page.locator('.queue-item').evaluateAll((els) => els.map((e) => e.dataset.id));
      const at = (r) => (r ? order.indexOf(r.id) : -1);
      const freshShown = at(s.fresh) >= 0;
      if (!freshShown) console.log(`# NOTE (${vp}): the fresh report is beyond the queue's first page`);
      assert.ok(at(s.urgent) >= 0, 'the urgent report is in the queue');
      assert.ok(await page.locator(`.queue-item[data-id="${s.urgent.id}"].is-urgent`).count() === 1, 'marked urgent');
      const firstNonUrgent = (await page.locator('.queue-item').evaluateAll((els) => els.map((e) => e.classList.contains('is-urgent')))).indexOf(false);
      assert.ok(firstNonUrgent === -1 || at(s.urgent) < firstNonUrgent, 'urgent reports come first');
      await page.waitForFunction(() => /\d\d:\d\d:\d\d|\d/.test(document.querySelector('.queue-item .countdown')?.textContent || ''), null, WAIT);
      assert.ok(at(s.old) >= 0, 'the overdue report is in the queue');
      if (freshShown) assert.ok(at(s.old) < at(s.fresh), 'the overdue report before the fresh one');
      const item = page.locator(`.queue-item[data-id="${s.old.id}"]`);
      assert.ok(await item.evaluate((e) => e.classList.contains('is-overdue') || e.classList.contains('is-late')), 'overdue row');
      const color = await item.locator('.countdown').evaluate((e) => getComputedStyle(e).color);
      assert.match(color, /rgb\((19[0-9]|2\d\d), (\d|[1-6]\d), (\d|[1-6]\d)\)/, 'countdown in red: ' + color);
      assert.match(await item.locator('.countdown').textContent(), /quá hạn|overdue/);
      // a countdown under a day shows seconds: it must move (the urgent
      // report's is due within the hour)
      const sel = `.queue-item[data-id="${s.urgent.id}"] .countdown`;
      await page.waitForFunction((q) => /\d\d:\d\d:\d\d/.test((document.querySelector(q) || {}).textContent || ''), sel, WAIT);
      const before = await page.textContent(sel);
      await page.waitForFunction(([q, was]) => (document.querySelector(q) || {}).textContent !== was, [sel, before], WAIT);
      await shot(page, vp, 'queue-01-urgent-overdue');
    });

    test('queue: the overdue filter', async () => {
      assert.ok(s.old, 'the first test made an overdue report');
      await page.check('#q-overdue');
      await page.waitForSelector(`.queue-item[data-id="${s.old.id}"]`, WAIT);
      await page.waitForFunction((id) => !document.querySelector(`.queue-item[data-id="${id}"]`), s.fresh.id, WAIT);
      const flags = await page.locator('.queue-item').evaluateAll((els) => els.map((e) => e.classList.contains('is-overdue')));
      assert.ok(flags.length && flags.every(Boolean), 'only overdue reports');
      await shot(page, vp, 'queue-02-overdue-only');
      await page.uncheck('#q-overdue');
    });

    test('no script errors and no CSP violations', () => {
      assert.deepEqual(problems, []);
    });
  });
}
