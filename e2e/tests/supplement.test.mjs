// Side paths of the workflow, in a real browser: a position picked on the
// map (no tiles), the IOC asks for a supplement, the citizen sees the
// request and answers with a photo, then cancels; the IOC rejects another
// report with a reason code that the citizen sees.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newContext, watch, shot, staffToken, api, makePhoto, uniquePhone, BASE } from '../lib/browser.mjs';

const VIEWPORTS = (process.env.PA_VIEWPORTS || 'phone,desktop').split(',');
const WAIT = { timeout: 15000 };

for (const vp of VIEWPORTS) {
  describe(`supplement, cancel and reject on ${vp}`, { concurrency: false }, () => {
    let browser;
    let ctx;
    let page;
    let problems;
    let n = 0;
    const s = { failed: null, id: null, token: null };
    const snap = (name) => shot(page, vp, 'side-' + String(++n).padStart(2, '0') + '-' + name);
    // skipped when an earlier step failed (it says which)
    const step = (name, fn) => test(name, async (t) => {
      if (s.failed) { t.skip(`an earlier step failed ("${s.failed}")`); return; }
      try { await fn(t); } catch (e) {
        s.failed = name;
        await snap('FAILED').catch(() => {});
        throw e;
      }
    });

    before(async () => {
      browser = await launch();
      ctx = await newContext(browser, vp);
      page = await ctx.newPage();
      page.on('dialog', (d) => d.accept());
      problems = watch(page);
    });
    after(async () => { if (browser) await browser.close(); });

    async function signInIoc() {
      await page.goto(BASE + '/staff.html');
      if (!(await page.isVisible('#signout'))) {
        await page.fill('#token', staffToken('ioc'));
        await page.click('#signin-form button[type=submit]');
        await page.waitForSelector('#console:not([hidden])', WAIT);
      }
    }

    async function openById(id) {
      await page.fill('#open-id', id);
      await page.click('#open-form button[type=submit]');
      await page.waitForSelector(`#detail[data-id="${id}"]`, WAIT);
    }

    step('citizen: picks the position on the map (no tiles) and submits without a photo', async () => {
      await page.goto(BASE + '/');
      await page.waitForSelector('#pick-map.leaflet-container');
      await page.fill('#content', 'Rác thải đổ trộm bên đường, bốc mùi hôi thối.');
      const map = page.locator('#pick-map');
      await map.scrollIntoViewIfNeeded();
      const box = await map.boundingBox();
      const position = { x: Math.round(box.width * 0.6), y: Math.round(box.height * 0.5) };
      if (vp === 'phone') await map.tap({ position }); else await map.click({ position });
      await page.waitForFunction(() => document.querySelector('#lat').value !== '', null, WAIT);
      assert.ok(await page.locator('#pick-map path.pick').count() === 1, 'a marker where the map was clicked');
      await page.fill('#reporter_name', 'Trần Thị E2E');
      await page.fill('#reporter_phone', uniquePhone());
      await snap('map-pick');
      await page.click('#send');
      await page.waitForSelector('#done:not([hidden]), #report-form .form-error:not([hidden]), #report-form .field-error:not([hidden])', { timeout: 30000 });
      if (!(await page.isVisible('#done'))) {
        const msg = await page.locator('#report-form .form-error:not([hidden]), #report-form .field-error:not([hidden])').first().textContent();
        await snap('submit-refused');
        throw new Error('refused: ' + msg);
      }
      s.id = (await page.textContent('#done-id')).trim();
      s.token = (await page.textContent('#done-token')).trim();
      assert.ok(s.id && s.token);
    });

    step('IOC: asks for a supplement', async () => {
      await signInIoc();
      await openById(s.id);
      await page.click('#actions button[data-action="request_info"]');
      const f = page.locator('form.action-form[data-action="request_info"]');
      await f.locator('[name=message]').fill('Ảnh chưa rõ vị trí. Vui lòng chụp thêm ảnh toàn cảnh có biển tên đường.');
      await f.locator('button[type=submit]').click();
      await page.waitForSelector('#detail[data-state="needs_info"] #action-done', WAIT);
      await snap('ioc-requested-info');
    });

    step('citizen: sees the request and sends the supplement with a photo', async () => {
      await page.goto(BASE + '/track.html#id=' + encodeURIComponent(s.id));
      await page.waitForSelector('#report[data-state="needs_info"]', WAIT);
      const text = await page.textContent('#report');
      assert.ok(text.includes('biển tên đường'), 'the IOC\'s message is shown');
      assert.ok(await page.isVisible('#supplement-form'), 'supplement form');
      assert.ok(await page.isVisible('#report .deadline[data-step="supplement"] .countdown'), 'countdown to the supplement deadline');
      await snap('track-needs-info');
      await page.fill('#supplement-form textarea', 'Đã chụp thêm ảnh toàn cảnh, đoạn đường gần chợ trung tâm.');
      await page.setInputFiles('#supplement-form input[type=file]', makePhoto(vp + '-bo-sung'));
      await page.click('#supplement-form button[type=submit]');
      await page.waitForSelector('#report[data-state="submitted"], #supplement-form .form-error:not([hidden]), #supplement-form .field-error:not([hidden])', WAIT);
      if (await page.isVisible('#supplement-form')) {
        throw new Error('supplement refused: ' + await page.locator('#supplement-form .form-error:not([hidden]), #supplement-form .field-error:not([hidden])').first().textContent());
      }
      await snap('track-supplemented');
    });

    step('citizen: cancels the report', async () => {
      await page.click('#cancel-report');
      await page.waitForSelector('#report[data-state="cancelled"]', WAIT);
      assert.ok(!(await page.isVisible('#cancel-report')), 'no cancel button once cancelled');
      await snap('track-cancelled');
    });

    step('IOC: rejects a report with a reason code; the citizen sees the reason', async () => {
      const phone = uniquePhone();
      const r = await api('POST', '/reports', { body: { content: 'Thử nghiệm gửi nhầm.', lat: 22.39, lng: 103.45, reporter_name: 'Lê Văn E2E', reporter_phone: phone } });
      assert.equal(r.status, 201, JSON.stringify(r.json));
      await signInIoc();
      await openById(r.json.id);
      await page.click('#actions button[data-action="reject"]');
      const f = page.locator('form.action-form[data-action="reject"]');
      await f.locator('[name=reason]').selectOption('unclear_or_test');
      await f.locator('[name=message]').fill('Phản ánh gửi nhầm hoặc thử nghiệm.');
      await snap('ioc-reject-form');
      await f.locator('button[type=submit]').click();
      await page.waitForSelector('#detail[data-state="rejected"] #action-done', WAIT);
      await page.evaluate(([id, token]) => {
        const l = JSON.parse(localStorage.getItem('pa.myReports') || '[]');
        l.unshift({ id, token, title: 'Thử nghiệm gửi nhầm.' });
        localStorage.setItem('pa.myReports', JSON.stringify(l));
      }, [r.json.id, r.json.access_token]);
      await page.goto(BASE + '/track.html#id=' + encodeURIComponent(r.json.id));
      await page.waitForSelector('#report[data-state="rejected"]', WAIT);
      const reason = await page.textContent('#report .notice.warn');
      assert.ok(reason && !reason.includes('unclear_or_test') && reason.length > 12, 'the reason, in words: ' + reason);
      assert.ok((await page.textContent('#report')).includes('Phản ánh gửi nhầm hoặc thử nghiệm.'), 'the IOC\'s message');
      await snap('track-rejected');
    });

    test('no script errors and no CSP violations', () => {
      assert.deepEqual(problems, []);
    });
  });
}
