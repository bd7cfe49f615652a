// Photos go up before the report, one by one, in pieces (issue 16): a
// connection that breaks in the middle of a photo costs the piece in
// flight; the photos already up are never sent again, and the server sees
// each finished photo once.  (The offline draft delivered once the signal
// is back is in citizen.test.mjs.)
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import {
  launch, newContext, watch, shot, makePhoto, uniquePhone, cancelReport, BASE, HERE,
} from '../lib/browser.mjs';

const WAIT = { timeout: 20000 };
const PIECE = 32 * 1024;       // small pieces: a photo is many of them

describe('photo pre-upload on a phone', { concurrency: false }, () => {
  let browser;
  let ctx;
  let page;
  let problems;
  const made = [];

  before(async () => {
    browser = await launch();
    ctx = await newContext(browser, 'phone');
    // the deployment's config with small pieces (portal/config.js)
    await ctx.route('**/config.js', async (route) => {
      const res = await route.fetch();
      const body = (await res.text()).replace(/uploadPieceBytes:[^,\n]+/, 'uploadPieceBytes: ' + PIECE);
      await route.fulfill({ response: res, body });
    });
    page = await ctx.newPage();
    problems = watch(page);
  });
  after(async () => {
    if (browser) await browser.close();
    for (const r of made) await cancelReport(r.id, r.access_token);
  });

  test('an upload broken mid-photo resumes; the photos already up are not sent again', async () => {
    const photos = [makePhoto('truoc'), makePhoto('sau')];
    const sizes = photos.map((p) => fs.statSync(p).size);
    assert.ok(sizes.every((s) => s > 3 * PIECE), 'each photo is several pieces');

    // what reaches the server: every media request, with its offset; the
    // signal breaks once, at the second photo's third piece
    const sent = [];
    const urls = [];          // the photos' upload urls, in order
    let broken = false;
    await page.route('**/api/v1/media**', async (route) => {
      const req = route.request();
      const offset = req.headers()['upload-offset'];
      if (req.method() === 'PATCH') {
        if (!urls.includes(req.url())) urls.push(req.url());
        const n = sent.filter((s) => s.method === 'PATCH' && s.url === req.url()).length;
        if (!broken && req.url() === urls[1] && n === 2) {
          broken = true;
          return route.abort('connectionreset');
        }
      }
      sent.push({ method: req.method(), url: req.url(), offset });
      return route.continue();
    });

    await page.goto(BASE + '/');
    await page.waitForSelector('#report-form #send', WAIT);
    await page.setInputFiles('#media-gallery', photos);
    // the first is up, the second stops with the signal: said next to it
    await page.waitForSelector('#media-preview li:nth-child(1)[data-upload="done"]', WAIT);
    await page.waitForSelector('#media-preview li:nth-child(2)[data-upload="failed"]', WAIT);
    assert.match(await page.textContent('#media-preview li:nth-child(2) .upload-state'), /mất mạng/);
    assert.ok(broken, 'the connection broke in the middle of the second photo');
    await shot(page, 'phone', 'citizen-upload-interrupted');

    const [first, second] = urls;
    const before = sent.length;

    await page.fill('#content', `Ổ gà sâu giữa đường, gửi ảnh từng phần (${Date.now() % 100000}).`);
    await page.fill('#lat', String(HERE.lat));
    await page.fill('#lng', String(HERE.lng));
    await page.fill('#reporter_name', 'Lò Thị Mai');
    await page.fill('#reporter_phone', uniquePhone());
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/reports') && r.request().method() === 'POST');
    await page.click('#send');
    const res = await answer;
    assert.equal(res.status(), 201, 'the report was delivered');
    const body = await res.json();
    made.push(body);

    // the server has both photos, the bytes it was sent
    const sha = photos.map((p) => crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex'));
    assert.deepEqual(body.media.map((m) => m.id), sha, 'both photos, as picked');

    // after the break: nothing of the first photo, no new upload of the
    // second; it went on from where the server had it
    const after = sent.slice(before);
    assert.equal(after.filter((s) => s.url === first).length, 0, 'the first photo is not sent again');
    assert.equal(sent.filter((s) => s.method === 'POST' && s.url.endsWith('/api/v1/media')).length, 2,
      'one upload per photo');
    const resumed = after.filter((s) => s.method === 'PATCH').map((s) => Number(s.offset));
    assert.equal(resumed[0], 2 * PIECE, 'the second photo resumes at the piece that was lost');
    const offsets2 = sent.filter((s) => s.method === 'PATCH' && s.url === second).map((s) => Number(s.offset));
    assert.deepEqual(offsets2, Array.from({ length: Math.ceil(sizes[1] / PIECE) }, (_, i) => i * PIECE),
      'each piece of the second photo reached the server once');
    const offsets1 = sent.filter((s) => s.method === 'PATCH' && s.url === first).map((s) => Number(s.offset));
    assert.deepEqual(offsets1, Array.from({ length: Math.ceil(sizes[0] / PIECE) }, (_, i) => i * PIECE),
      'and each piece of the first');
    await page.waitForSelector('#done:not([hidden])', WAIT);
    assert.deepEqual(problems, []);
  });
});
