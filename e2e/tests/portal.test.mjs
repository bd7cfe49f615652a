// The portal for the mountains (issue 16), in a real browser on a phone and
// a desktop viewport:
// - weight: what the server sends (gzip, Cache-Control, hashed names),
//   Leaflet only on pages with a map, and the budget under Chromium's
//   "slow 4G" throttling: every page usable within 2 s, at most 250 KB on
//   the wire before the submit page can be used;
// - trust: province, emblem, hotline, address, privacy notice on every page;
// - accessibility: no serious or critical axe-core violation on any page
//   and state; the submit and staff flows by keyboard alone.
// Screenshots: var/screenshots/<viewport>-portal-<page>.png
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import {
  launch, newContext, watch, shot, staffToken, api, uniquePhone, cancelReport, BASE, HERE,
} from '../lib/browser.mjs';

const VIEWPORTS = (process.env.PA_VIEWPORTS || 'phone,desktop').split(',');
const WAIT = { timeout: 15000 };
const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// Chrome DevTools' "Slow 4G" preset
const SLOW_4G = {
  offline: false,
  latency: 150 * 3.75,
  downloadThroughput: ((1.6 * 1000 * 1000) / 8) * 0.9,
  uploadThroughput: ((750 * 1000) / 8) * 0.9,
};

// Runs axe-core in the page (evaluated through the DevTools protocol, so
// the page's CSP, which forbids inline scripts, stays on) and returns the
// serious and critical violations, one line each.
async function axe(page) {
  await page.evaluate(AXE);
  const res = await page.evaluate(async () => window.axe.run(document, {
    resultTypes: ['violations'],
  }));
  return res.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

async function submitApi(body) {
  const r = await api('POST', '/reports', {
    body: { lat: HERE.lat, lng: HERE.lng, reporter_name: 'Lò Văn Thử', reporter_phone: uniquePhone(), ...body },
  });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return r.json;
}

describe('what the server sends', () => {
  test('pages revalidate, hashed assets are kept a year, both gzipped', async () => {
    const page = await fetch(BASE + '/index.html', { headers: { 'Accept-Encoding': 'gzip' } });
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-encoding'), 'gzip', 'the page is gzipped');
    assert.equal(page.headers.get('cache-control'), 'no-cache', 'the page is revalidated');
    const html = await page.text();
    const css = html.match(/href="(css\/portal\.[0-9a-f]{10}\.css)"/);
    const js = html.match(/src="(js\/submit\.[0-9a-f]{10}\.js)"/);
    assert.ok(css && js, 'the page names content-hashed assets');
    assert.match(html, /rel="modulepreload" href="js\/common\.[0-9a-f]{10}\.js"/, 'the page preloads its modules');
    for (const a of [css[1], js[1]]) {
      const r = await fetch(BASE + '/' + a, { headers: { 'Accept-Encoding': 'gzip' } });
      assert.equal(r.status, 200, a);
      assert.equal(r.headers.get('content-encoding'), 'gzip', a + ' is gzipped');
      assert.match(r.headers.get('cache-control'), /max-age=31536000.*immutable/, a + ' is kept a year');
      assert.match(r.headers.get('content-security-policy') || '', /script-src 'self'/, 'security headers kept');
    }
    const cfg = await fetch(BASE + '/config.js');
    assert.equal(cfg.headers.get('cache-control'), 'no-cache', 'config.js, edited per deployment, is revalidated');
    const gone = await fetch(BASE + '/js/submit.0000000000.js');
    assert.equal(gone.status, 404, 'an unknown hashed name is a 404, never a page');
    assert.equal(gone.headers.get('cache-control'), null, 'and is not cached');
    const dir = await fetch(BASE + '/api/v1/directory', { headers: { 'Accept-Encoding': 'gzip' } });
    assert.equal(dir.headers.get('content-encoding'), 'gzip', 'API JSON is gzipped');
  });
});

for (const vp of VIEWPORTS) {
  describe(`portal on ${vp}`, { concurrency: false }, () => {
    let browser;
    let ctx;
    let page;
    let problems;
    const s = { report: null, ioc: staffToken('ioc') };

    before(async () => {
      browser = await launch();
      ctx = await newContext(browser, vp);
      page = await ctx.newPage();
      problems = watch(page);
      s.report = await submitApi({ content: `Đường vào bản bị sạt lở (${vp}, kiểm thử cổng).` });
    });
    after(async () => {
      if (browser) await browser.close();
      if (s.report) await cancelReport(s.report.id, s.report.access_token);
    });

    // every page, cold (no cache), under slow 4G: time until usable and
    // bytes on the wire until then
    const PAGES = [
      ['index.html', '#report-form #send', true],
      ['track.html', '#my-empty:not([hidden]), #my-list li', false],
      ['public.html', '#public-list li, #public-empty:not([hidden])', true],
      ['staff.html', '#signin-form button[type=submit]', false],
      ['dashboard.html', '#dash-form button[type=submit]', false],
    ];
    for (const [name, ready, hasMap] of PAGES) {
      test(`budget: ${name} usable within 2 s on slow 4G`, async () => {
        const p = await ctx.newPage();
        const cdp = await ctx.newCDPSession(p);
        await cdp.send('Network.enable');
        await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
        await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
        let bytes = 0;
        const urls = [];
        cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; });
        cdp.on('Network.requestWillBeSent', (e) => urls.push(e.request.url));
        const t0 = Date.now();
        await p.goto(BASE + '/' + name, { waitUntil: 'commit' });
        await p.waitForSelector(ready, { state: 'visible', timeout: 10000 });
        // usable: the header and its menu are drawn (the page's script ran)
        await p.waitForSelector('header.site nav a', { state: 'visible', timeout: 10000 });
        const ms = Date.now() - t0;
        const kb = Math.round(bytes / 1024);
        console.log(`# ${vp} ${name}: usable after ${ms} ms, ${kb} KB`);
        assert.ok(ms <= 2000, `${name} usable after ${ms} ms (budget 2000 ms)`);
        if (name === 'index.html') assert.ok(kb <= 250, `${kb} KB before the submit page is usable (budget 250 KB)`);
        if (hasMap) {
          await p.waitForSelector('.leaflet-container', { timeout: 10000 });
        } else {
          assert.ok(!urls.some((u) => /leaflet/.test(u)), `${name} loads no Leaflet: ${urls.filter((u) => /leaflet/.test(u))}`);
        }
        await cdp.detach();
        await p.close();
      });
    }

    test('trust: province, emblem, hotline, address and privacy notice on every page', async () => {
      for (const [name] of PAGES) {
        await page.goto(BASE + '/' + name);
        await page.waitForSelector('footer.site .footer-contact a[href^="tel:"]', WAIT);
        assert.match(await page.textContent('header.site .brand-province'), /Lai Châu/, name + ': province in the header');
        assert.equal(await page.locator('header.site img.brand-emblem').count(), 1, name + ': emblem');
        assert.ok(await page.locator('header.site img.brand-emblem').evaluate((i) => i.complete && i.naturalWidth > 0), name + ': emblem drawn');
        const foot = await page.textContent('footer.site');
        assert.match(foot, /IOC/, name + ': who runs the service');
        assert.match(foot, /Đường dây nóng: 0213/, name + ': hotline');
        assert.match(foot, /Địa chỉ:/, name + ': address');
        await page.click('footer.site details.privacy summary');
        assert.match(await page.textContent('footer.site details.privacy'), /mã hóa.*5 năm.*IOC/s, name + ': what is kept, how long, who sees it');
        if (vp === 'phone') {
          const hh = await page.locator('header.site').evaluate((e) => e.getBoundingClientRect().height);
          assert.ok(hh <= 96, `${name}: the phone header takes ${hh} px (at most 96 of 844)`);
        }
        await shot(page, vp, 'portal-' + name.replace('.html', ''));
      }
      assert.deepEqual(problems, []);
    });

    // each page in each of its states, then axe
    const states = {
      'submit': async () => { await page.goto(BASE + '/'); await page.waitForSelector('#report-form #send'); },
      'submit-errors': async () => {
        await page.goto(BASE + '/');
        await page.waitForSelector('#report-form #send');
        await page.click('#send');
        await page.waitForSelector('[data-field="content"] .field-error:not([hidden])');
      },
      'track-empty': async () => { await page.goto(BASE + '/track.html'); await page.waitForSelector('#my-empty:not([hidden]), #my-list li'); },
      'track-report': async () => {
        await page.goto(BASE + '/track.html');
        await page.evaluate((r) => localStorage.setItem('pa.myReports', JSON.stringify([{ id: r.id, token: r.access_token, title: 'Sạt lở', created_at: new Date().toISOString() }])), s.report);
        await page.goto(BASE + '/track.html#id=' + encodeURIComponent(s.report.id));
        await page.waitForSelector('#report .report-head', WAIT);
      },
      'public': async () => { await page.goto(BASE + '/public.html'); await page.waitForSelector('#public-list li, #public-empty:not([hidden])', WAIT); await page.waitForSelector('.leaflet-container', WAIT); },
      'staff-signin': async () => {
        await page.goto(BASE + '/staff.html');
        await page.evaluate(() => sessionStorage.clear());
        await page.reload();
        await page.waitForSelector('#signin-form', { state: 'visible' });
      },
      'staff-queue': async () => {
        await page.fill('#token', s.ioc);
        await page.click('#signin-form button[type=submit]');
        await page.waitForSelector('#queue-list li, #queue-empty:not([hidden])', WAIT);
      },
      'staff-detail': async () => {
        await page.goto(BASE + '/staff.html#r=' + encodeURIComponent(s.report.id));
        await page.waitForSelector(`#detail[data-id="${s.report.id}"]`, WAIT);
      },
      'dashboard': async () => {
        await page.goto(BASE + '/dashboard.html');
        await page.waitForSelector('#stats-table tr, #dash-empty:not([hidden])', WAIT);
      },
    };
    for (const [name, go] of Object.entries(states)) {
      test(`axe: no serious or critical violation on ${name}`, async () => {
        await go();
        const found = await axe(page);
        await shot(page, vp, 'axe-' + name);
        assert.deepEqual(found, [], `${name} on ${vp}`);
      });
    }
  });
}
