// Security headers served by nginx, the browser enforcing them, and static
// checks of portal/: no inline scripts, no style attributes, no innerHTML,
// no CDN.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { BASE, ROOT, launch, newContext } from '../lib/browser.mjs';

const portal = path.join(ROOT, 'portal');

function files(dir, ext) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) { if (e.name !== 'vendor') out.push(...files(p, ext)); } else if (p.endsWith(ext)) out.push(p);
  }
  return out;
}

test('nginx sends the security headers on every portal file', async () => {
  // the portal's pages and files, and the public photos; the API answers
  // JSON, where these headers do nothing
  // assets by the names make portal gave them (build/portal/assets.json)
  const assets = JSON.parse(fs.readFileSync(path.join(ROOT, 'build/portal/assets.json'), 'utf8'));
  const pages = ['/', '/index.html', '/track.html', '/public.html', '/staff.html', '/dashboard.html',
    '/' + assets['js/submit.js'], '/' + assets['css/portal.css'], '/config.js', '/sw.js',
    '/' + assets['vendor/leaflet/leaflet.css'], '/' + assets['vendor/leaflet/leaflet.js'], '/no-such-page'];
  for (const p of pages) {
    const res = await fetch(BASE + p);
    await res.arrayBuffer(); // an unread body would hold its socket open
    assert.equal(res.status, 200, p);
    const csp = res.headers.get('content-security-policy');
    assert.ok(csp, 'Content-Security-Policy on ' + p + ' (conf-examples/portal-security.conf)');
    assert.match(csp, /script-src 'self'(;|$)/, 'no inline scripts allowed');
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /object-src 'none'/);
    assert.match(res.headers.get('referrer-policy') || '', /^(no-referrer|same-origin|strict-origin|strict-origin-when-cross-origin)$/, 'Referrer-Policy on ' + p);
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.match(res.headers.get('permissions-policy') || '', /geolocation=\(self\)/);
    assert.match(res.headers.get('permissions-policy') || '', /camera=\(self\)/);
  }
});

test('the browser enforces the policy: no inline script runs, no framing', async () => {
  const browser = await launch();
  try {
    const ctx = await newContext(browser, 'desktop');
    const page = await ctx.newPage();
    const violations = [];
    page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
    await page.goto(BASE + '/');
    await page.waitForSelector('#report-form');
    // markup that slipped into the page would not run: inline script,
    // inline handler, javascript: URL
    const ran = await page.evaluate(async () => {
      window.__ran = [];
      const s = document.createElement('script');
      s.textContent = 'window.__ran.push("inline")';
      document.body.appendChild(s);
      const img = document.createElement('img');
      img.setAttribute('onerror', 'window.__ran.push("handler")');
      img.src = 'data:,x';
      document.body.appendChild(img);
      await new Promise((r) => setTimeout(r, 300));
      return window.__ran;
    });
    assert.deepEqual(ran, [], 'injected code ran');
    assert.ok(violations.length >= 1, 'the browser reported the CSP violation');
    // the portal inside a frame of another page: refused (frame-ancestors)
    const other = await ctx.newPage();
    const refused = other.waitForEvent('console', { predicate: (m) => /frame-ancestors|Refused to frame/i.test(m.text()), timeout: 10000 });
    await other.setContent(`<iframe id="f" src="${BASE}/"></iframe>`);
    await refused;
    const frame = other.frames().find((f) => f.url().startsWith(BASE));
    const framed = frame ? await frame.evaluate(() => !!document.querySelector('#report-form')).catch(() => false) : false;
    assert.equal(framed, false, 'the portal rendered inside a frame');
  } finally {
    await browser.close();
  }
});

test('portal pages have no inline script, no style attribute, no CDN', () => {
  for (const f of files(portal, '.html')) {
    const html = fs.readFileSync(f, 'utf8');
    for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
      assert.match(m[1], /\bsrc=/, `${f}: inline <script>`);
      assert.equal(m[2].trim(), '', `${f}: inline script body`);
    }
    assert.doesNotMatch(html, /\sstyle=/, `${f}: style attribute`);
    assert.doesNotMatch(html, /\son[a-z]+=/, `${f}: inline event handler`);
    assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//, `${f}: external resource`);
  }
});

test('portal scripts never use innerHTML / insertAdjacentHTML / document.write', () => {
  for (const f of files(portal, '.js')) {
    const js = fs.readFileSync(f, 'utf8');
    assert.doesNotMatch(js, /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write/, f);
  }
});

test('vendored libraries are in portal/vendor and served from build/portal (make portal)', () => {
  // the minified build, not leaflet-src (415 KB)
  assert.ok(fs.existsSync(path.join(portal, 'vendor/leaflet/leaflet.js')), 'run make portal');
  assert.ok(!fs.existsSync(path.join(portal, 'vendor/leaflet/leaflet-src.esm.js')), 'the unminified source is not shipped');
  assert.ok(fs.existsSync(path.join(portal, 'vendor/leaflet/leaflet.css')));
  const built = fs.readdirSync(path.join(portal, '../build/portal/vendor/leaflet'));
  assert.ok(built.some((f) => /^leaflet\.[0-9a-f]{10}\.js$/.test(f)), 'hashed copy in build/portal: ' + built);
});
