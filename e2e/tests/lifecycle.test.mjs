// The whole life of a report, in a real browser, on a phone and a desktop
// viewport: a citizen submits with a photo (upload progress shown) and sees
// the token; the IOC verifies, receives, dispatches; the agency accepts and
// resolves; the IOC publishes; the citizen sees the result, rates and
// comments; the public map shows it without personal data; the dashboard
// shows the numbers.  Screenshots of every screen go to
// var/screenshots/<viewport>-NN-<screen>.png.
//
// The phone's reporter does not allow the name to be published, the
// desktop's does: the public page must follow that choice.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, newContext, watch, shot, staffToken, api, makePhoto, uniquePhone, untilVisible, untilGone,
  storedTokens, publishedReport, BASE, HERE, settled,
} from '../lib/browser.mjs';

const VIEWPORTS = (process.env.PA_VIEWPORTS || 'phone,desktop').split(',');
const WAIT = { timeout: 15000 };
const DAY = 86400000;

// a name part unique to this run, in letters (names have no digits)
function runWord() {
  return Date.now().toString(26).split('').map((c) => 'abcdefghijklmnopqrstuvwxyz'[parseInt(c, 26)]).join('').replace(/^./, (c) => c.toUpperCase());
}

for (const vp of VIEWPORTS) {
  describe(`report lifecycle on ${vp}`, { concurrency: false }, () => {
    let browser;
    let ctx;
    let page;
    let problems;
    let n = 0;
    const s = {
      failed: null,           // the step that failed: the later ones cannot run
      dir: null,
      category: null,
      agency: null,
      id: null,
      token: null,
      // unique, so earlier runs' reports cannot stand in for this one
      name: `Nguyễn Văn ${vp === 'phone' ? 'Điện' : 'Bàn'} ${runWord()}`,
      phone: uniquePhone(),
      email: `e2e-${vp}-${Date.now() % 100000}@example.vn`,
      consent: vp !== 'phone',  // may the name be published
      title: `Ổ gà trên đường Trần Hưng Đạo (${vp} ${Date.now() % 100000})`,
      summary: `Đã vá ổ gà bằng bê tông nhựa, hoàn trả mặt đường (${vp}).`,
      comment: `Cảm ơn, đường đã được sửa rất nhanh (${vp}).`,
    };
    const snap = async (name) => shot(page, vp, String(++n).padStart(2, '0') + '-' + name);
    // a lifecycle step: skipped when an earlier one failed (it says which)
    const step = (name, fn) => test(name, async (t) => {
      if (s.failed) { t.skip(`an earlier step failed ("${s.failed}")`); return; }
      try {
        await fn(t);
      } catch (e) {
        s.failed = name;
        await snap('FAILED').catch(() => {});
        throw e;
      }
    });

    before(async () => {
      browser = await launch();
      ctx = await newContext(browser, vp);
      page = await ctx.newPage();
      problems = watch(page);
      const d = await api('GET', '/directory');
      assert.equal(d.status, 200, 'GET /api/v1/directory');
      s.dir = d.json;
      const cats = s.dir.categories || [];
      s.category = (cats.find((c) => !c.urgent && /giao|đường|duong|traffic|road/i.test(c.id + c.name)) || cats.find((c) => !c.urgent) || {}).id || null;
    });

    after(async () => {
      if (browser) await browser.close();
    });

    async function signIn(role, agency) {
      await page.goto(BASE + '/staff.html');
      if (await page.isVisible('#signout')) {
        await page.click('#signout');
        await page.waitForSelector('#signin-form', { state: 'visible', ...WAIT });
        assert.equal((await storedTokens(page)).session['pa.staffToken'], undefined, 'signing out forgets the token');
      }
      const tok = staffToken(role, agency);
      await page.fill('#token', tok);
      await page.click('#signin-form button[type=submit]');
      await page.waitForSelector('#console:not([hidden])', WAIT);
      // the token lives in sessionStorage only (gone with the tab)
      const st = await storedTokens(page);
      assert.equal(st.session['pa.staffToken'], tok, 'staff token in sessionStorage');
      assert.ok(!Object.values(st.local).some((v) => v.includes(tok)), 'staff token never in localStorage');
    }

    async function openReport() {
      // through the queue when the report is in it, else by its address
      const item = page.locator(`.queue-item[data-id="${s.id}"]`);
      await page.waitForSelector('#queue-list li, #queue-empty:not([hidden])', WAIT);
      if (await item.count()) await item.click();
      else await page.goto(BASE + '/staff.html#r=' + encodeURIComponent(s.id));
      await page.waitForSelector(`#detail[data-id="${s.id}"]`, WAIT);
    }

    async function doAction(action, fill, expectStates) {
      const sel = `#actions button[data-action="${action}"]`;
      await page.waitForSelector(sel, WAIT);
      await page.click(sel);
      if (fill) {
        await page.waitForSelector(`form.action-form[data-action="${action}"]`, WAIT);
        await fill(page.locator(`form.action-form[data-action="${action}"]`));
        await snap(`form-${action}`);
        await page.click(`form.action-form[data-action="${action}"] button[type=submit]`);
      }
      const want = expectStates.map((st) => `#detail[data-state="${st}"] #action-done`).join(', ');
      const err = `form.action-form[data-action="${action}"] .form-error:not([hidden]), form.action-form[data-action="${action}"] .field-error:not([hidden]), #actions > .form-error:not([hidden])`;
      await page.waitForSelector(`${want}, ${err}`, WAIT);
      if (await page.isVisible(err)) {
        const msg = await page.locator(err).first().textContent();
        throw new Error(`action ${action} refused: ${msg}`);
      }
    }

    test('citizen: the API\'s field error is shown next to the field', async () => {
      await page.goto(BASE + '/');
      await page.waitForSelector('#report-form');
      await page.fill('#content', 'Ổ gà lớn giữa đường, xe máy đi qua rất nguy hiểm vào ban đêm.');
      await page.fill('#title', s.title);
      await page.fill('#reporter_name', s.name);
      await page.fill('#reporter_phone', '12345');
      await page.click('#use-gps');
      await page.waitForFunction(() => document.querySelector('#lat').value !== '', null, WAIT);
      const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/reports') && r.request().method() === 'POST');
      await page.click('#send');
      const res = await answer;
      assert.equal(res.status(), 400, 'the server refused the phone number');
      assert.equal((await res.json()).error.field, 'reporter_phone');
      const err = page.locator('[data-field="reporter_phone"] > .field-error');
      await err.waitFor({ state: 'visible', ...WAIT });
      assert.match(await err.textContent(), /số điện thoại/i, 'a Vietnamese message under the phone field (the server\'s is English)');
      assert.equal(await page.getAttribute('#reporter_phone', 'aria-invalid'), 'true');
      // right under its input, not at the top of the form
      // (both boxes at once: the page scrolls smoothly to the field)
      const [ib, eb] = await page.evaluate(() => ['#reporter_phone', '[data-field="reporter_phone"] > .field-error']
        .map((q) => { const r = document.querySelector(q).getBoundingClientRect(); return { x: r.x, y: r.y, bottom: r.bottom }; }));
      assert.ok(eb.y >= ib.bottom - 1 && eb.y - ib.bottom < 40, `error right below the input (${JSON.stringify({ ib, eb })})`);
      assert.ok(Math.abs(eb.x - ib.x) < 20, 'aligned with the input');
      assert.equal(await page.locator('#report-form > .form-error:not([hidden])').count(), 0, 'no error at the top');
      await snap('submit-field-error');
    });

    step('citizen: submits a report with a photo, sees the upload progress and the token once', async () => {
      const photo = makePhoto(vp);
      await page.goto(BASE + '/');
      await page.waitForSelector('#report-form');
      assert.equal(await page.getAttribute('#media-camera', 'capture'), 'environment', 'the camera input opens the camera');
      if (s.category) {
        await page.waitForSelector(`#category option[value="${s.category}"]`, { state: 'attached', ...WAIT });
        await page.selectOption('#category', s.category);
      }
      await page.fill('#content', 'Ổ gà lớn giữa đường, xe máy đi qua rất nguy hiểm vào ban đêm. Đề nghị sớm sửa chữa.');
      await page.fill('#title', s.title);
      // a slow uplink, so the photo's progress bar has time to move: the
      // photo goes up as soon as it is picked (pre-upload), by itself
      const cdp = await ctx.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 48 * 1024 });
      await page.setInputFiles('#media-camera', photo);
      await page.waitForSelector('#media-preview li img', WAIT);
      await page.waitForFunction(() => {
        const p = document.querySelector('#media-preview li progress.photo-progress');
        return p && p.value > 0.2 && p.value < 0.9;
      }, null, WAIT);
      assert.match(await page.textContent('#media-preview li .upload-state'), /^Đang tải lên \d{1,2}%$/, 'percent shown beside the bar');
      await snap('submit-uploading');
      await page.click('#use-gps');
      await page.waitForFunction(() => document.querySelector('#lat').value !== '', null, WAIT);
      assert.ok(Math.abs(Number(await page.inputValue('#lat')) - HERE.lat) < 0.001, 'position from geolocation');
      await page.fill('#reporter_name', s.name);
      await page.fill('#reporter_phone', s.phone);
      await page.fill('#reporter_email', s.email);
      if (s.consent) await page.check('#publish_identity');
      await snap('submit-form');
      await page.click('#send');
      await page.waitForSelector('#done:not([hidden]), #report-form .form-error:not([hidden]), #report-form .field-error:not([hidden])', { timeout: 30000 });
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
      await cdp.detach();
      if (!(await page.isVisible('#done'))) {
        const msg = await page.locator('#report-form .form-error:not([hidden]), #report-form .field-error:not([hidden])').first().textContent();
        assert.fail('the submission was refused: ' + msg);
      }
      assert.ok(await page.isHidden('#upload-progress'), 'the bar is hidden once sent');
      s.id = (await page.textContent('#done-id')).trim();
      s.token = (await page.textContent('#done-token')).trim();
      assert.match(s.id, /^\S{6,}$/, 'report id shown');
      assert.ok(s.token.length >= 16, 'access token shown');
      assert.ok((await page.textContent('#done .keep')).trim().length > 10, 'a hint to keep them');
      const saved = await page.evaluate(() => JSON.parse(localStorage.getItem('pa.myReports') || '[]'));
      assert.ok(saved.some((r) => r.id === s.id && r.token === s.token), 'kept in the browser (localStorage) for "my reports"');
      await snap('submit-done-token');
    });

    step('citizen: "my reports" shows status and deadlines', async () => {
      await page.click('#done-track');
      await page.waitForSelector('#report[data-state]', WAIT);
      assert.equal(await page.getAttribute('#report', 'data-state'), 'submitted');
      assert.ok(await page.isVisible(`#my-list li[data-id="${s.id}"]`));
      await page.waitForSelector('#report .deadline[data-step="verify"] .countdown', WAIT);
      await page.waitForFunction(() => /\d/.test(document.querySelector('#report .countdown').textContent), null, WAIT);
      // the reporter's own photo, fetched with the report's token
      await page.waitForFunction(() => { const i = document.querySelector('#report .media-item img'); return i && i.complete && i.naturalWidth > 0; }, null, WAIT);
      await snap('track-submitted');
      // a new visit (another day, same browser) still knows the report
      await page.goto(BASE + '/track.html');
      await page.click(`#my-list li[data-id="${s.id}"] button.primary`);
      await page.waitForSelector('#report[data-state="submitted"]', WAIT);
    });

    step('staff: the IOC signs in and sees the queue', async () => {
      await signIn('ioc');
      await page.waitForSelector('#queue-list li, #queue-empty:not([hidden])', WAIT);
      await snap('staff-queue-ioc');
    });

    step('staff: the IOC verifies and receives (fixing the text)', async () => {
      await openReport();
      await snap('staff-detail-submitted');
      const first = await page.locator('#actions button[data-action]').evaluateAll((b) => b.map((x) => x.dataset.action));
      assert.ok(first.includes('verify'), 'verify offered: ' + first);
      assert.ok(!first.includes('accept') && !first.includes('resolve') && !first.includes('publish'), 'only the IOC\'s actions for this state: ' + first);
      // the original photo, through the API with the staff token
      await page.waitForFunction(() => { const i = document.querySelector('#detail .media-item img'); return i && i.complete && i.naturalWidth > 0; }, null, WAIT);
      await doAction('verify', null, ['verified']);
      await snap('staff-verified');
      await doAction('receive', async (f) => {
        await f.locator('[name=content]').fill('Ổ gà lớn giữa đường, xe máy đi qua rất nguy hiểm vào ban đêm. Đề nghị sớm sửa chữa. (đã biên tập)');
      }, ['received']);
      // the original and the edited text side by side
      await page.waitForSelector('#detail .compare', WAIT);
      assert.ok((await page.textContent('#detail .compare')).includes('(đã biên tập)'));
      await snap('staff-received');
    });

    step('staff: the IOC dispatches to an agency of the directory', async () => {
      // the lead agency: one the directory lists (prefer a commune/ward)
      const agencies = (s.dir.agencies || []).filter((a) => a.kind !== 'ioc');
      assert.ok(agencies.length, 'the directory lists agencies');
      const lead = agencies.find((a) => /commune|ward/i.test(a.kind || '')) || agencies[0];
      s.agency = lead.id;
      await doAction('dispatch', async (f) => {
        const options = await f.locator('select[name=agencies] option').evaluateAll((o) => o.map((x) => x.value).filter(Boolean));
        assert.deepEqual(options.sort(), agencies.map((a) => a.id).sort(), 'every agency of the directory offered');
        await f.locator('select[name=agencies]').selectOption(lead.id);
      }, ['dispatched']);
      await snap('staff-dispatched');
      assert.ok((await page.textContent('#detail')).includes(lead.name), 'the agency is shown by name');
    });

    step('staff: the agency accepts and resolves with a photo', async () => {
      await signIn('handler', s.agency);
      await page.waitForSelector(`.queue-item[data-id="${s.id}"]`, WAIT);
      await snap('staff-queue-handler');
      await openReport();
      const offered = await page.locator('#actions button[data-action]').evaluateAll((b) => b.map((x) => x.dataset.action));
      assert.ok(offered.includes('accept'), 'accept offered: ' + offered);
      assert.ok(!offered.includes('verify') && !offered.includes('dispatch'), 'no IOC actions for a handler');
      await doAction('accept', null, ['in_progress']);
      await snap('staff-accepted');
      const photo = makePhoto(vp + '-sau-xu-ly');
      await doAction('resolve', async (f) => {
        await f.locator('[name=summary]').fill(s.summary);
        await f.locator('input[type=file]').setInputFiles(photo);
      }, ['under_review', 'awaiting_approval']);
      await snap('staff-resolved');
      if ((await page.getAttribute('#detail', 'data-state')) === 'awaiting_approval') {
        await signIn('leader', s.agency);
        await openReport();
        await doAction('approve', null, ['under_review']);
      }
    });

    step('staff: the IOC publishes the result', async () => {
      await signIn('ioc');
      await openReport();
      await doAction('publish', async () => {}, ['resolved']);
      await snap('staff-published');
      await page.waitForSelector('#history ul.history li', WAIT);
      assert.ok(await page.locator('#history li').count() >= 7, 'history lists every transition');
      await page.locator('#history').scrollIntoViewIfNeeded();
      await snap('staff-history');
    });

    step('citizen: sees the result on the template, rates it and comments', async () => {
      await page.goto(BASE + '/track.html#id=' + encodeURIComponent(s.id));
      await page.waitForSelector('#report[data-state="resolved"]', WAIT);
      const text = await page.textContent('#report .result');
      assert.ok(text.includes('Kính chào') && text.includes(s.summary) && text.includes('Trân trọng'), 'result in the regulation\'s template');
      await snap('track-result');
      // three levels
      const levels = await page.locator('#rating-box button[data-rating]').evaluateAll((b) => b.map((x) => x.dataset.rating));
      assert.deepEqual(levels, ['satisfied', 'acceptable', 'unsatisfied']);
      await page.click('#rating-box button[data-rating="satisfied"]');
      await page.waitForSelector('#rating-box .notice.ok, #rating-box .form-error:not([hidden])', WAIT);
      assert.ok(await page.isVisible('#rating-box .notice.ok'), await page.textContent('#rating-box'));
      await page.fill('#comment-form textarea', s.comment);
      await page.click('#comment-form button[type=submit]');
      await page.waitForSelector('#comments-box ul.comments li, #comment-form .form-error:not([hidden]), #comment-form .field-error:not([hidden])', WAIT);
      assert.ok((await page.textContent('#comments-box ul.comments')).includes(s.comment), 'the comment is listed');
      await snap('track-rated');
    });

    step('public: the map and the list show the published report, no personal data', async () => {
      await page.goto(BASE + '/public.html');
      const item = page.locator(`.public-item[data-id="${s.id}"]`);
      // nginx caches the public list for up to 30 s
      await untilVisible(item, () => page.reload());
      await item.locator('.result').waitFor({ state: 'visible', ...WAIT });
      const itemText = await item.textContent();
      assert.ok(itemText.includes(s.summary), 'result shown');
      assert.ok(itemText.includes('Hài lòng'), 'rating summary shown');
      // the report's marker works without map tiles: click it
      const marker = page.locator(`path.public-marker[data-id="${s.id}"]`);
      assert.equal(await marker.count(), 1, 'one marker for the report');
      // the list item shows its marker's popup; the marker selects its item
      // (markers of earlier runs may sit on the same spot: the click goes
      // to this one's element)
      await item.locator('h2').click();
      await page.waitForSelector('.leaflet-popup-content .popup-title', WAIT);
      assert.equal((await page.textContent('.leaflet-popup-content .popup-title')).trim(), s.title, 'its popup');
      await untilGone(page.locator('.leaflet-popup'),
                      () => page.click('.leaflet-popup-close-button', { timeout: 2000 }));
      await page.evaluate(() => document.querySelectorAll('.public-item.is-selected').forEach((e) => e.classList.remove('is-selected')));
      await marker.dispatchEvent('click');
      await page.waitForSelector(`.public-item.is-selected[data-id="${s.id}"]`, WAIT);
      await page.waitForSelector('.leaflet-popup-content .popup-title', WAIT);
      assert.equal((await page.textContent('.leaflet-popup-content .popup-title')).trim(), s.title, 'the marker\'s popup');
      // nothing private anywhere in the page, markup included
      const html = await page.content();
      const e164 = '+84' + s.phone.slice(1);
      for (const secret of [s.phone, e164, s.email, s.token]) assert.ok(!html.includes(secret), 'no ' + secret + ' on the public page');
      if (s.consent) assert.ok(itemText.includes(s.name), 'the name, as the reporter allowed');
      else assert.ok(!html.includes(s.name), 'no name: the reporter did not allow it');
      await snap('public-map');
      // filters: its category keeps it, another category drops it
      const cats = (s.dir.categories || []).map((c) => c.id);
      const other = cats.find((c) => c !== s.category);
      if (s.category && other) {
        await page.selectOption('#f-category', other);
        await page.waitForFunction((id) => !document.querySelector(`.public-item[data-id="${id}"]`), s.id, WAIT);
        await page.selectOption('#f-category', s.category);
        await untilVisible(item, () => page.click('#filters button[type=submit]'));
      }
      // the visible map area (bbox) around the report keeps it
      await page.check('#f-inview');
      await untilVisible(item, () => page.click('#filters button[type=submit]'));
    });

    step('public: the photos are served without metadata', async () => {
      const pub = await api('GET', `/public/reports/${encodeURIComponent(s.id)}`);
      assert.equal(pub.status, 200);
      const media = (pub.json.media || []).filter((m) => m.url);
      assert.ok(media.length >= 1, 'the public report lists its photo');
      const res = await fetch(new URL(media[0].url, BASE));
      assert.match(res.headers.get('content-type') || '', /^image\//);
      const buf = Buffer.from(await res.arrayBuffer());
      assert.ok(!buf.includes(Buffer.from('Exif\0\0')), 'no EXIF in the public copy');
      const loaded = await page.locator(`.public-item[data-id="${s.id}"] img`).evaluateAll((imgs) => imgs.filter((i) => i.complete && i.naturalWidth > 0).length);
      assert.ok(loaded >= 1, 'the photo is shown on the public page');
    });

    step('dashboard: the numbers per agency, on time vs overdue, satisfaction with the 70% line', async () => {
      // one late, badly rated report for a department: the charts have red
      const dept = ((s.dir.agencies || []).find((a) => a.kind === 'department') || {}).id || s.agency;
      const past = Date.now() - 20 * DAY;
      await publishedReport({ content: `Đèn đường hỏng, xử lý trễ hạn (${vp}).` }, dept, {
        at: (stepName) => (['resolve', 'publish'].includes(stepName) ? undefined : new Date(past + 60000 * ['submit', 'verify', 'receive', 'dispatch', 'accept'].indexOf(stepName))),
        rating: 'unsatisfied',
      });
      const from = new Date(Date.now() - 40 * DAY + 7 * 3600000).toISOString().slice(0, 10);
      const to = new Date(Date.now() + 7 * 3600000).toISOString().slice(0, 10);
      await signIn('ioc');
      await page.goto(`${BASE}/dashboard.html#from=${from}&to=${to}`);
      const row = page.locator(`#stats-table tr[data-agency="${s.agency}"]`);
      await row.waitFor({ state: 'visible', ...WAIT });
      await page.waitForSelector(`#stats-table tr[data-agency="${dept}"]`, WAIT);
      const stats = await api('GET', `/stats?from=${from}&to=${to}`, { token: staffToken('ioc') });
      assert.equal(stats.status, 200);
      for (const ag of [s.agency, dept]) {
        const want = stats.json.agencies.find((a) => a.agency === ag);
        const r = page.locator(`#stats-table tr[data-agency="${ag}"]`);
        for (const col of ['dispatched', 'resolved', 'on_time', 'overdue', 'in_progress']) {
          assert.equal(Number(await r.locator(`td[data-col="${col}"]`).textContent()), want[col], `${ag} ${col}`);
        }
        assert.equal(await r.locator('td[data-col="satisfaction_rate"]').textContent(), Math.round(want.satisfaction_rate * 100) + '%', `${ag} satisfaction`);
        assert.equal(await r.locator('span.badge.bad').count(), want.flags.length, `${ag} flags ${want.flags}`);
      }
      assert.ok(Number(await row.locator('td[data-col="on_time"]').textContent()) >= 1, 'our report counted on time');
      assert.ok(Number(await page.locator(`#stats-table tr[data-agency="${dept}"] td[data-col="overdue"]`).textContent()) >= 1, 'the late one counted overdue');
      assert.ok(await page.locator(`#chart-ontime rect.c-ontime[data-agency="${s.agency}"]`).count() === 1, 'on-time bar drawn');
      assert.ok(await page.locator(`#chart-ontime rect.c-overdue[data-agency="${dept}"]`).count() === 1, 'overdue bar drawn');
      assert.ok(await page.locator(`#chart-sat rect.c-sat[data-agency="${dept}"]`).count() === 1, 'satisfaction bar drawn');
      assert.equal(await page.locator('#chart-sat svg line.threshold').count(), 1, '70% line drawn');
      // every chart fits its card (no horizontal overflow on a phone)
      for (const c of ['#chart-ontime', '#chart-sat']) {
        const over = await page.locator(c).evaluate((el) => el.scrollWidth - el.clientWidth);
        assert.ok(over <= 1, `${c} overflows by ${over}px`);
      }
      await snap('dashboard');
    });

    test('English switch', async () => {
      await page.goto(BASE + '/');
      await page.click('#lang-switch');
      await page.waitForFunction(() => document.documentElement.lang === 'en');
      assert.equal((await page.textContent('#send')).trim(), 'Send report');
      await snap('submit-english');
      await page.click('#lang-switch');
      await page.waitForFunction(() => document.documentElement.lang === 'vi');
    });

    test('no page scrolls sideways', async () => {
      for (const p of ['/', '/track.html', '/public.html', '/staff.html']) {
        await page.goto(BASE + p);
        await settled(page);
        const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(over <= 0, `${p} is ${over}px wider than the screen`);
      }
    });

    test('no script errors and no CSP violations on any screen', () => {
      assert.deepEqual(problems, []);
    });
  });
}
