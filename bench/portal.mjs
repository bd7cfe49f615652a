// Every portal page, cold (no cache, no service worker), under Chromium's
// "slow 4G" emulation: the time until it is usable, measured in the page,
// PORTAL_RUNS times each (default 5), median and best, per viewport.
// The e2e suite asserts the budget on the network's share (round trips
// and bytes); this is the clock, which adds the machine's CPU.
// Usage: make bench-portal (starts `make run` when nothing answers).
import { launch, newContext, BASE } from '../e2e/lib/browser.mjs';

const SLOW_4G = {
  offline: false,
  latency: 150 * 3.75,
  downloadThroughput: ((1.6 * 1000 * 1000) / 8) * 0.9,
  uploadThroughput: ((750 * 1000) / 8) * 0.9,
};
const PAGES = [
  ['index.html', '#report-form #send'],
  ['track.html', '#my-empty:not([hidden]), #my-list li'],
  ['public.html', '#public-list li, #public-empty:not([hidden])'],
  ['staff.html', '#signin-form button[type=submit]'],
  ['dashboard.html', '#dash-form button[type=submit]'],
];
const RUNS = Number(process.env.PORTAL_RUNS || 5);

async function usableAfter(browser, vp, name, ready) {
  const ctx = await newContext(browser, vp, { serviceWorkers: 'block' });
  const p = await ctx.newPage();
  const cdp = await ctx.newCDPSession(p);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
  try {
    await p.goto(BASE + '/' + name, { waitUntil: 'commit' });
    const h = await p.waitForFunction((sel) => {
      const shown = (q) => Array.from(document.querySelectorAll(q))
        .some((e) => e.getClientRects().length > 0);
      return shown(sel) && shown('header.site nav a') ? performance.now() : false;
    }, ready, { polling: 'raf', timeout: 20000 });
    return await h.jsonValue();
  } finally {
    await ctx.close();
  }
}

const browser = await launch();
console.log(`| viewport | page | median ms | best ms | runs |`);
console.log(`|---|---|---:|---:|---:|`);
for (const vp of ['phone', 'desktop']) {
  for (const [name, ready] of PAGES) {
    const t = [];
    for (let i = 0; i < RUNS; i++) t.push(await usableAfter(browser, vp, name, ready));
    t.sort((a, b) => a - b);
    const med = t[Math.floor(t.length / 2)];
    console.log(`| ${vp} | ${name} | ${Math.round(med)} | ${Math.round(t[0])} | ${RUNS} |`);
  }
}
await browser.close();
