// Every portal page, cold (no cache, no service worker), under Chromium's
// "slow 4G" emulation: the time until it is usable, measured in the page,
// PORTAL_RUNS times each (default 5), median and best, per viewport.
// The e2e suite asserts the budget on the network's share (round trips
// and bytes); this is the clock, which adds the machine's CPU.
// Usage: make bench-portal (starts `make run` when nothing answers).
import {
  launch, coldSlowPage, usableAt, BASE, PORTAL_PAGES,
} from '../e2e/lib/browser.mjs';

const PAGES = PORTAL_PAGES;
const RUNS = Number(process.env.PORTAL_RUNS || 5);

async function usableAfter(browser, vp, name, ready) {
  const { ctx, page } = await coldSlowPage(browser, vp);
  try {
    await page.goto(BASE + '/' + name, { waitUntil: 'commit' });
    return await usableAt(page, ready, 20000);
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
