// Output is escaped everywhere: markup in a report's text is shown as
// text on the citizen's page and in the staff console, never run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newContext, watch, shot, staffToken, api, uniquePhone, BASE } from '../lib/browser.mjs';

const EVIL = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> Ổ gà "quote" & <b>bold</b>';
let browser;
let page;
let problems;

before(async () => {
  browser = await launch();
  const ctx = await newContext(browser, 'desktop');
  page = await ctx.newPage();
  page.on('dialog', (d) => { problems.push('dialog: ' + d.message()); d.dismiss(); });
  problems = watch(page);
});
after(async () => { if (browser) await browser.close(); });

test('markup in a report is shown as text, never run', async (t) => {
  const r = await api('POST', '/reports', {
    body: { content: EVIL, title: EVIL, lat: 22.3964, lng: 103.4582, reporter_name: '<b>Tên</b>', reporter_phone: uniquePhone() },
  });
  if (r.status !== 201) { t.skip(`submission refused (${r.status} ${r.json && r.json.error && r.json.error.code})`); return; }
  await page.goto(BASE + '/track.html');
  await page.evaluate(([id, token]) => {
    localStorage.setItem('pa.myReports', JSON.stringify([{ id, token, title: '<i>x</i>' }]));
  }, [r.json.id, r.json.access_token]);
  await page.goto(BASE + '/track.html#id=' + encodeURIComponent(r.json.id));
  await page.waitForSelector('#report[data-state]');
  assert.ok((await page.textContent('#report')).includes('<script>window.__xss=2</script>'), 'shown literally');
  assert.equal(await page.locator('#report img[src="x"], #report b, #report script').count(), 0, 'no element made from data');
  await shot(page, 'desktop', 'escape-01-track');

  const read = await api('GET', `/reports/${encodeURIComponent(r.json.id)}`, { token: staffToken('ioc') });
  if (read.status === 200) {
    await page.goto(BASE + '/staff.html');
    await page.fill('#token', staffToken('ioc'));
    await page.click('#signin-form button[type=submit]');
    await page.waitForSelector('#console:not([hidden])');
    await page.fill('#open-id', r.json.id);
    await page.click('#open-form button[type=submit]');
    await page.waitForSelector(`#detail[data-id="${r.json.id}"] #history li`);
    await page.click('#reporter-box button');
    await page.waitForSelector('#reporter-box dl, #reporter-box .notice');
    assert.equal(await page.locator('#detail img[src="x"], #detail b, #detail script, #queue b').count(), 0);
    await shot(page, 'desktop', 'escape-02-staff');
  }
  assert.equal(await page.evaluate(() => window.__xss), undefined, 'no injected code ran');
  assert.deepEqual(problems, []);
});
