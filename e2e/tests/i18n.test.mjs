// Every string of the portal is translated: Vietnamese and English have the
// same keys, and every key the pages and scripts name exists.  Then, in the
// browser, no screen shows a raw key after switching to English.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, BASE, launch, newContext, staffToken, settled } from '../lib/browser.mjs';

const portal = path.join(ROOT, 'portal');
const src = fs.readFileSync(path.join(portal, 'js/i18n.js'), 'utf8');

function dict(name) {
  const start = src.indexOf(`const ${name} = {`);
  const end = src.indexOf('\n};', start);
  assert.ok(start >= 0 && end > start, `dictionary ${name} in i18n.js`);
  return new Set([...src.slice(start, end).matchAll(/^\s+'([^']+)':/gm)].map((m) => m[1]));
}

test('Vietnamese and English have the same keys', () => {
  const vi = dict('vi');
  const en = dict('en');
  assert.ok(vi.size > 100);
  assert.deepEqual([...vi].filter((k) => !en.has(k)), [], 'missing in English');
  assert.deepEqual([...en].filter((k) => !vi.has(k)), [], 'missing in Vietnamese');
});

test('every key named by a page or a script exists', () => {
  const vi = dict('vi');
  const used = new Set();
  for (const f of fs.readdirSync(portal).filter((x) => x.endsWith('.html'))) {
    const html = fs.readFileSync(path.join(portal, f), 'utf8');
    for (const m of html.matchAll(/data-i18n(?:-[a-z-]+)?="([^"]+)"/g)) used.add(m[1]);
  }
  for (const f of fs.readdirSync(path.join(portal, 'js'))) {
    const js = fs.readFileSync(path.join(portal, 'js', f), 'utf8');
    for (const m of js.matchAll(/\bt\('([a-z_]+\.[a-z0-9_.]+)'/g)) used.add(m[1]);
  }
  assert.ok(used.size > 50);
  assert.deepEqual([...used].filter((k) => !vi.has(k)).sort(), []);
});

test('no screen shows a raw key or an empty label, in either language', async () => {
  const browser = await launch();
  try {
    const ctx = await newContext(browser, 'desktop');
    const page = await ctx.newPage();
    const tok = staffToken('ioc');
    for (const lang of ['vi', 'en']) {
      for (const p of ['/', '/track.html', '/public.html', '/staff.html', '/dashboard.html']) {
        await page.goto(BASE + p);
        await page.evaluate(([l, tk]) => { localStorage.setItem('pa.lang', l); sessionStorage.setItem('pa.staffToken', tk); }, [lang, tok]);
        await page.reload();
        await settled(page);
        const raw = await page.evaluate(() => {
          const out = [];
          for (const el of document.querySelectorAll('[data-i18n]')) {
            const text = el.textContent.trim();
            if (!text || text === el.dataset.i18n) out.push(el.dataset.i18n);
          }
          // a key that slipped through as text: "word.word" in a visible leaf
          for (const el of document.querySelectorAll('body *')) {
            if (el.children.length || !el.offsetParent) continue;
            if (/^[a-z_]+\.[a-z_.]+$/.test(el.textContent.trim())) out.push(el.textContent.trim());
          }
          return out;
        });
        assert.deepEqual(raw, [], `${lang} ${p}`);
      }
    }
  } finally {
    await browser.close();
  }
});
