// The staff queue in a real browser: urgent first, then the nearest
// deadline; live countdowns; overdue in red; the overdue filter.
// An overdue report is made with the test clock (make run TEST_CLOCK=1):
// submitted with X-PA-Now five days ago, its verify deadline has passed.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newContext, watch, shot, staffToken, api, uniquePhone, BASE } from '../lib/browser.mjs';

const VIEWPORTS = (process.env.PA_VIEWPORTS || 'phone,desktop').split(',');
const WAIT = { timeout: 15000 };

function rfc3339(d) {
  return new Date(d.getTime() + 7 * 3600000).toISOString().replace(/\.\d+Z$/, '+07:00');
}

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
    const s = { old: null, urgent: null, fresh: null, urgentCat: null, clock: false };

    before(async () => {
      browser = await launch();
      const ctx = await newContext(browser, vp);
      page = await ctx.newPage();
      problems = watch(page);
      const d = await api('GET', '/directory');
      s.urgentCat = ((d.json && d.json.categories) || []).find((c) => c.urgent) || null;
    });
    after(async () => { if (browser) await browser.close(); });

    test('queue: urgent first, then the nearest deadline; overdue in red', async (t) => {
      const q = await api('GET', '/queue', { token: staffToken('ioc') });
      if (q.status !== 200) { t.skip(`GET /api/v1/queue answered ${q.status}`); return; }
      const past = rfc3339(new Date(Date.now() - 5 * 86400000));
      s.old = await submit({ content: `Cống thoát nước bị tắc (${vp}, cũ).`, occurred_at: past }, { 'X-PA-Now': past });
      s.clock = Date.parse(s.old.deadlines[0].due) < Date.now();
      s.fresh = await submit({ content: `Vỉa hè bị lấn chiếm (${vp}, mới).` });
      if (s.urgentCat) s.urgent = await submit({ content: `Cháy nhà dân (${vp}, khẩn cấp).`, category: s.urgentCat.id });

      await page.goto(BASE + '/staff.html');
      await page.fill('#token', staffToken('ioc'));
      await page.click('#signin-form button[type=submit]');
      // the queue may be cut to its first page (urgent and nearest deadlines)
      await page.waitForSelector(`.queue-item[data-id="${(s.urgent || s.old).id}"]`, WAIT);
      const order = await page.locator('.queue-item').evaluateAll((els) => els.map((e) => e.dataset.id));
      const at = (r) => (r ? order.indexOf(r.id) : -1);
      const freshShown = at(s.fresh) >= 0;
      if (!freshShown) console.log(`# NOTE (${vp}): the fresh report is beyond the queue's first page`);
      if (s.urgent) {
        assert.ok(at(s.urgent) >= 0, 'the urgent report is in the queue');
        assert.ok(await page.locator(`.queue-item[data-id="${s.urgent.id}"].is-urgent`).count() === 1, 'marked urgent');
        const firstNonUrgent = (await page.locator('.queue-item').evaluateAll((els) => els.map((e) => e.classList.contains('is-urgent')))).indexOf(false);
        assert.ok(firstNonUrgent === -1 || at(s.urgent) < firstNonUrgent, 'urgent reports come first');
      } else {
        console.log(`# NOTE (${vp}): the directory has no urgent category; urgent ordering not checked`);
      }
      await page.waitForFunction(() => /\d\d:\d\d:\d\d|\d/.test(document.querySelector('.queue-item .countdown')?.textContent || ''), null, WAIT);
      if (s.clock) {
        assert.ok(at(s.old) >= 0, 'the overdue report is in the queue');
        if (freshShown) assert.ok(at(s.old) < at(s.fresh), 'the overdue report before the fresh one');
        const item = page.locator(`.queue-item[data-id="${s.old.id}"]`);
        assert.ok(await item.evaluate((e) => e.classList.contains('is-overdue') || e.classList.contains('is-late')), 'overdue row');
        const color = await item.locator('.countdown').evaluate((e) => getComputedStyle(e).color);
        assert.match(color, /rgb\((19[0-9]|2\d\d), (\d|[1-6]\d), (\d|[1-6]\d)\)/, 'countdown in red: ' + color);
        assert.match(await item.locator('.countdown').textContent(), /quá hạn|overdue/);
      } else {
        console.log(`# NOTE (${vp}): X-PA-Now not honoured (no TEST_CLOCK): overdue display not checked`);
      }
      // a countdown under a day shows seconds: it must move
      const texts = await page.locator('.queue-item .countdown').allTextContents();
      const i = texts.findIndex((x) => /\d\d:\d\d:\d\d/.test(x));
      if (i >= 0) {
        const cd = page.locator('.queue-item .countdown').nth(i);
        const before = await cd.textContent();
        await page.waitForTimeout(1500);
        assert.notEqual(await cd.textContent(), before, 'the countdown is live');
      }
      await shot(page, vp, 'queue-01-urgent-overdue');
    });

    test('queue: the overdue filter', async (t) => {
      if (!s.clock) { t.skip('no overdue report (the test clock is off)'); return; }
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
