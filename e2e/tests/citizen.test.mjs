// What a citizen on a mountain phone sees (issue 16), on a phone and a
// desktop viewport:
// - offline first: the app shell opens with no signal; a report written
//   with the network off (photo included) is kept as a draft and delivered
//   after the network comes back, when the citizen says so;
// - limits stated before upload and enforced in the browser (a refused
//   file is never sent; the ones taken go up as they are picked); each photo's
//   EXIF read to warn (no GPS, too old, outside the province); errors that
//   say what to do (no position, duplicate);
// - the consent to share contact with the agency reaches the API, and the
//   handler's reporter read honours it;
// - wording per state; messages after rating; a 503 on a read; the
//   confirmation before "Xóa khỏi thiết bị"; a public list item opens its
//   popup on screen.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  launch, newContext, watch, shot, staffToken, api, makePhoto, uniquePhone, cancelReport,
  publishedReport, act, untilVisible, BASE, HERE,
} from '../lib/browser.mjs';

const VIEWPORTS = (process.env.PA_VIEWPORTS || 'phone,desktop').split(',');
const WAIT = { timeout: 15000 };
const DAY = 86400000;

async function fillReporter(page, phone) {
  await page.fill('#reporter_name', 'Lò Thị Mai');
  await page.fill('#reporter_phone', phone);
}

for (const vp of VIEWPORTS) {
  describe(`citizen on ${vp}`, { concurrency: false }, () => {
    let browser;
    let ctx;
    let page;
    let problems;
    const made = [];   // {id, access_token} to withdraw afterwards
    let published = null;

    before(async () => {
      browser = await launch();
      ctx = await newContext(browser, vp);
      page = await ctx.newPage();
      problems = watch(page);
    });
    after(async () => {
      if (browser) await browser.close();
      for (const r of made) await cancelReport(r.id, r.access_token);
    });

    test('offline: a report written with no signal is kept with its photo and sent when back online', async () => {
      await page.goto(BASE + '/');
      // the service worker has the shell once it is active
      await page.evaluate(async () => { await navigator.serviceWorker.ready; });
      await ctx.setOffline(true);
      await page.reload();
      await page.waitForSelector('#report-form #send', WAIT);
      const content = `Sạt lở taluy dương trên đường vào bản, mất sóng (${vp} ${Date.now() % 100000}).`;
      await page.fill('#content', content);
      await page.setInputFiles('#media-gallery', makePhoto('offline-' + vp));
      await page.waitForSelector('#media-preview li img', WAIT);
      await page.fill('#lat', String(HERE.lat));
      await page.fill('#lng', String(HERE.lng));
      const phone = uniquePhone();
      await fillReporter(page, phone);
      await page.click('#send');
      await page.waitForSelector('#drafts .draft-list li', WAIT);
      assert.match(await page.textContent('#drafts'), /lưu trên máy/, 'the citizen is told the report is kept');
      assert.ok(await page.isDisabled('#drafts button[data-draft]'), 'no send button while offline');
      await shot(page, vp, 'citizen-draft-offline');
      // a reload with no signal: the draft is still there (IndexedDB)
      await page.reload();
      await page.waitForSelector('#drafts .draft-list li', WAIT);
      assert.equal(await page.locator('#drafts .draft-list li').count(), 1);
      // back online: nothing is sent until the citizen says so
      await ctx.setOffline(false);
      await page.waitForSelector('#drafts button[data-draft]:not([disabled])', WAIT);
      assert.match(await page.textContent('#drafts'), /Đã có mạng/);
      await shot(page, vp, 'citizen-draft-online');
      const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/reports') && r.request().method() === 'POST');
      await page.click('#drafts button[data-draft]');
      const res = await answer;
      assert.equal(res.status(), 201, 'the draft was delivered');
      const body = await res.json();
      made.push(body);
      assert.equal(body.media.length, 1, 'with its photo');
      await page.waitForSelector('#done:not([hidden])', WAIT);
      assert.equal(await page.textContent('#done-id'), body.id);
      assert.equal(await page.locator('#drafts .draft-list li').count(), 0, 'the draft is gone once sent');
      const r = await api('GET', '/reports/' + body.id, { reportToken: body.access_token });
      assert.equal(r.json.content, content, 'the server has the text written offline');
      assert.deepEqual(problems, []);
    });

    test('limits are stated before upload and enforced in the browser', async () => {
      await page.goto(BASE + '/');
      await page.waitForSelector('#report-form #send');
      assert.match(await page.textContent('#media-limits'), /Tối đa 10 tệp, mỗi tệp không quá 50 MB/);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pa-e2e-'));
      const big = path.join(dir, 'video-dai.mp4');
      fs.writeFileSync(big, '');
      fs.truncateSync(big, 63 * 1024 * 1024);
      // photos go up as they are picked (pre-upload): what is refused in
      // the browser never does
      const lengths = [];
      page.on('request', (r) => {
        if (r.method() === 'POST') lengths.push(Number(r.headers()['upload-length'] || -1));
      });
      await page.setInputFiles('#media-gallery', big);
      const err = page.locator('[data-field="media"] > .field-error');
      await err.waitFor({ state: 'visible', ...WAIT });
      assert.match(await err.textContent(), /video-dai\.mp4.*63 MB.*50 MB/);
      assert.equal(await page.locator('#media-preview li').count(), 0, 'the file is not taken');
      const photos = [];
      for (let i = 0; i < 11; i++) photos.push(makePhoto(`n${i}`));
      await page.setInputFiles('#media-gallery', photos);
      await page.waitForSelector('#media-preview li >> nth=9', WAIT);
      assert.equal(await page.locator('#media-preview li').count(), 10, 'ten files at most');
      assert.match(await err.textContent(), /tối đa 10 tệp/);
      assert.match(await page.textContent('#media-count'), /10\/10/);
      await page.waitForFunction(() => document.querySelectorAll('#media-preview li[data-upload="done"]').length === 10, null, WAIT);
      assert.equal(lengths.length, 10, 'the ten photos taken went up, nothing else');
      assert.ok(lengths.every((n) => n > 0 && n < 50 * 1024 * 1024), 'never the refused video');
    });

    test('each photo is checked before sending: no GPS, too old, outside the province', async () => {
      await page.goto(BASE + '/');
      await page.waitForSelector('#report-form #send');
      const ok = makePhoto('ok');
      const nogps = makePhoto('nogps', { gps: false });
      const old = makePhoto('old', { when: new Date(Date.now() - 3 * DAY) });
      const hanoi = makePhoto('hanoi', { lat: 21.0285, lng: 105.8542 });
      await page.setInputFiles('#media-gallery', [ok, nogps, old, hanoi]);
      await page.waitForFunction(() => document.querySelectorAll('#media-preview .photo-warnings').length === 3, null, WAIT);
      const items = await page.locator('#media-preview > li').evaluateAll((lis) => lis.map((li) => li.textContent));
      assert.doesNotMatch(items[0], /GPS:|quá|ngoài địa bàn/, 'a good photo has no warning');
      assert.match(items[1], /không có vị trí GPS: hãy chọn vị trí/);
      assert.match(items[2], /đã quá 24 giờ/);
      assert.match(items[3], /ngoài địa bàn Tỉnh Lai Châu/);
      await shot(page, vp, 'citizen-photo-warnings');
      // only the photo without GPS, no position chosen: told what to do
      // before anything is sent
      await page.goto(BASE + '/');
      await page.waitForSelector('#report-form #send');
      await page.fill('#content', 'Đèn đường hỏng cả dãy.');
      await page.setInputFiles('#media-gallery', nogps);
      await page.waitForSelector('#media-preview .photo-warnings', WAIT);
      await fillReporter(page, uniquePhone());
      // (the photo itself goes up as it is picked: no report is sent)
      let posted = false;
      page.on('request', (r) => { if (r.method() === 'POST' && r.url().endsWith('/api/v1/reports')) posted = true; });
      await page.click('#send');
      const err = page.locator('[data-field="location"] > .field-error');
      await err.waitFor({ state: 'visible', ...WAIT });
      assert.match(await err.textContent(), /Ảnh của bạn không có vị trí GPS: bấm “Dùng vị trí hiện tại” hoặc chọn điểm trên bản đồ/);
      assert.equal(posted, false);
    });

    test('consent to share contact reaches the API; the handler\'s reporter read honours it', async () => {
      const agency = ((await api('GET', '/directory')).json.agencies || []).find((a) => a.kind !== 'ioc' && a.kind !== 'province') || {};
      assert.ok(agency.id, 'an agency in the directory');
      const sent = {};
      for (const consent of [true, false]) {
        await page.goto(BASE + '/');
        await page.waitForSelector('#report-form #send');
        await page.fill('#content', `Rác thải đổ trộm ven suối (${vp}, ${consent ? 'đồng ý' : 'không'} ${Date.now() % 100000}).`);
        await page.fill('#lat', String(HERE.lat));
        await page.fill('#lng', String(HERE.lng));
        await fillReporter(page, uniquePhone());
        assert.equal(await page.isChecked('#share_identity'), false, 'no consent unless given');
        if (consent) await page.check('#share_identity');
        const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/reports') && r.request().method() === 'POST');
        await page.click('#send');
        const res = await answer;
        assert.equal(res.status(), 201);
        sent[consent] = await res.json();
        made.push(sent[consent]);
      }
      const ioc = { token: staffToken('ioc') };
      for (const consent of [true, false]) {
        const id = sent[consent].id;
        await act(id, 'verify', {}, ioc);
        await act(id, 'receive', {}, ioc);
        await act(id, 'dispatch', { agencies: [agency.id] }, ioc);
        const r = await api('GET', `/reports/${id}/reporter`, { token: staffToken('handler', agency.id) });
        assert.equal(r.status, consent ? 200 : 403, `handler reads the contact ${consent ? 'with' : 'without'} consent`);
        if (consent) assert.equal(r.json.name, 'Lò Thị Mai');
      }
    });

    test('a duplicate says the report is already being handled and links to it', async () => {
      const phone = uniquePhone();
      const content = `Cột điện nghiêng sắp đổ (${vp} ${Date.now() % 100000}).`;
      for (let i = 0; i < 2; i++) {
        await page.goto(BASE + '/');
        await page.waitForSelector('#report-form #send');
        // the same report typed again (a space more): the exact same
        // submission would be a retry, answered with the first 201
        await page.fill('#content', i === 0 ? content : content.replace(' ', '  '));
        await page.fill('#lat', String(HERE.lat));
        await page.fill('#lng', String(HERE.lng));
        await fillReporter(page, phone);
        const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/reports') && r.request().method() === 'POST');
        await page.click('#send');
        const res = await answer;
        if (i === 0) { assert.equal(res.status(), 201); made.push(await res.json()); continue; }
        assert.equal(res.status(), 409);
      }
      const err = page.locator('#report-form > .form-error');
      await err.waitFor({ state: 'visible', ...WAIT });
      assert.match(await err.textContent(), /đã gửi phản ánh này.*đang được xử lý/);
      assert.match(await err.locator('a').getAttribute('href'), /^track\.html/, 'a link to the earlier report');
      await shot(page, vp, 'citizen-duplicate');
    });

    test('wording per state, messages after rating, 503 on a read, and a confirmed removal', async () => {
      const ioc = { token: staffToken('ioc') };
      const mk = async (word) => {
        const r = await api('POST', '/reports', { body: { content: `Kiểm thử trạng thái ${word} (${vp} ${Date.now() % 100000}).`, lat: HERE.lat, lng: HERE.lng, reporter_name: 'Lò Văn Ba', reporter_phone: uniquePhone() } });
        assert.equal(r.status, 201);
        made.push(r.json);
        return r.json;
      };
      const asked = await mk('chờ bổ sung');
      await act(asked.id, 'request_info', { message: 'Đề nghị gửi thêm ảnh rõ hơn.' }, ioc);
      const refused = await mk('từ chối');
      await act(refused.id, 'reject', { reason: 'unclear_or_test', message: 'Nội dung không rõ.' }, ioc);
      const withdrawn = await mk('đã hủy');
      await act(withdrawn.id, 'cancel', {}, { reportToken: withdrawn.access_token });
      const agency = ((await api('GET', '/directory')).json.agencies || []).find((a) => a.kind !== 'ioc' && a.kind !== 'province');
      const pub = await publishedReport({ content: `Đã xử lý, chờ đánh giá (${vp} ${Date.now() % 100000}).` }, agency.id);
      published = pub;
      await api('POST', `/reports/${pub.id}/actions`, { token: ioc.token, body: { action: 'request_info', message: 'x' } }).catch(() => {});
      await page.goto(BASE + '/track.html');
      await page.evaluate((list) => localStorage.setItem('pa.myReports', JSON.stringify(list.map((r) => ({ id: r.id, token: r.token || r.access_token, title: r.id, created_at: new Date().toISOString() })))),
        [asked, refused, withdrawn, { id: pub.id, token: pub.token }]);
      for (const [r, want] of [[asked, /Xác minh.*tạm dừng \(chờ bổ sung\)/s], [refused, /Xác minh.*đã dừng \(phản ánh bị từ chối\)/s], [withdrawn, /Xác minh.*đã dừng \(phản ánh đã hủy\)/s]]) {
        await page.goto(BASE + '/track.html#id=' + encodeURIComponent(r.id));
        await page.waitForSelector(`#report .deadline[data-step="verify"]`, WAIT);
        const text = await page.textContent('#report .deadline[data-step="verify"]');
        assert.match(text, want, r.id);
        assert.doesNotMatch(text, /đúng hạn/, 'never "on time" for a step that did not happen');
        assert.equal(await page.getAttribute('#report .deadline[data-step="verify"]', 'class'), 'deadline is-stopped', 'drawn as stopped, not as done');
      }
      await shot(page, vp, 'citizen-state-wording');
      // the asked report keeps its message; rating keeps the page whole
      await page.goto(BASE + '/track.html#id=' + encodeURIComponent(pub.id));
      await page.waitForSelector('#rating-box button[data-rating="satisfied"]', WAIT);
      const before = await page.locator('#report ul.messages li, #report .result').count();
      await page.click('#rating-box button[data-rating="satisfied"]');
      await page.waitForSelector('#rating-box .notice.ok', WAIT);
      assert.equal(await page.locator('#report ul.messages li, #report .result').count(), before, 'messages and result stay after rating');
      // a 503 on a read says nothing about saving
      await page.route('**/api/v1/reports/*', (route) => (route.request().method() === 'GET'
        ? route.fulfill({ status: 503, contentType: 'application/json', headers: { 'Retry-After': '5' }, body: '{"error":{"code":"unavailable","message":"storage unavailable"}}' })
        : route.continue()));
      await page.goto(BASE + '/track.html#id=' + encodeURIComponent(asked.id));
      await page.waitForSelector('#report .notice.error', WAIT);
      const msg = await page.textContent('#report .notice.error');
      assert.match(msg, /chưa tải được dữ liệu/);
      assert.doesNotMatch(msg, /lưu/, 'a read never says "nothing was saved"');
      await page.unroute('**/api/v1/reports/*');
      // removing from the device asks first; cancelling the dialog keeps it
      await page.goto(BASE + '/track.html');
      await page.waitForSelector('#my-list li');
      const n = await page.locator('#my-list li').count();
      let asked1 = '';
      page.once('dialog', (d) => { asked1 = d.message(); d.dismiss(); });
      await page.click(`#my-list li[data-id="${asked.id}"] button.danger`);
      assert.match(asked1, /Mã truy cập chỉ được lưu ở đây/);
      assert.equal(await page.locator('#my-list li').count(), n, 'kept when the citizen says no');
      page.once('dialog', (d) => d.accept());
      await page.click(`#my-list li[data-id="${asked.id}"] button.danger`);
      await page.waitForFunction((k) => document.querySelectorAll('#my-list li').length === k, n - 1);
    });

    test('a public list item opens its map popup on screen', async () => {
      assert.ok(published, 'the wording test published a report');
      await page.goto(BASE + '/public.html');
      const item = page.locator(`#public-list li[data-id="${published.id}"]`);
      // public reads are cached by nginx for up to 30 s
      await untilVisible(item, () => page.reload(), 60000);
      await page.waitForSelector(`.leaflet-container path[data-id="${published.id}"], .leaflet-container [data-id="${published.id}"]`, { state: 'attached', ...WAIT });
      // the item as a citizen reaches it: scrolled to, the map above it off screen
      await item.scrollIntoViewIfNeeded();
      await page.evaluate(() => window.scrollBy(0, 200));
      await item.locator('h2').click();
      const popup = page.locator('.leaflet-popup');
      await popup.waitFor({ state: 'visible', ...WAIT });
      const box = await popup.evaluate((e) => { const r = e.getBoundingClientRect(); return { top: r.top, bottom: r.bottom, left: r.left, right: r.right }; });
      const vh = await page.evaluate(() => [window.innerWidth, window.innerHeight]);
      assert.ok(box.top >= 0 && box.bottom <= vh[1] && box.left >= 0 && box.right <= vh[0],
        `the popup is on screen: ${JSON.stringify(box)} in ${vh}`);
      assert.match(await popup.textContent(), /Đã xử lý, chờ đánh giá/);
      await shot(page, vp, 'citizen-public-popup');
    });
  });
}
