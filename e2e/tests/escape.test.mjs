// Output is escaped everywhere: markup in a report's text is shown as
// text on the citizen's page, in the staff console and on the public page,
// never run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, newContext, watch, shot, staffToken, api, uniquePhone, untilVisible, publishedReport, cancelReport, BASE,
} from '../lib/browser.mjs';

const EVIL = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> Ổ gà "quote" & <b>bold</b>';
let browser;
let page;
let problems;

before(async () => {
  browser = await launch();
  const ctx = await newContext(browser, 'desktop');
  page = await ctx.newPage();
  problems = watch(page);
  page.on('dialog', (d) => { problems.push('dialog: ' + d.message()); d.dismiss(); });
});
after(async () => { if (browser) await browser.close(); });

test('markup in a report is shown as text, never run', async () => {
  const r = await api('POST', '/reports', {
    body: { content: EVIL, title: EVIL, lat: 22.3964, lng: 103.4582, reporter_name: '<b>Tên</b>', reporter_phone: uniquePhone() },
  });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  await page.goto(BASE + '/track.html');
  await page.evaluate(([id, token]) => {
    localStorage.setItem('pa.myReports', JSON.stringify([{ id, token, title: '<i>x</i>' }]));
  }, [r.json.id, r.json.access_token]);
  await page.goto(BASE + '/track.html#id=' + encodeURIComponent(r.json.id));
  await page.waitForSelector('#report[data-state]');
  assert.ok((await page.textContent('#report')).includes('<script>window.__xss=2</script>'), 'shown literally');
  assert.equal(await page.locator('#report img[src="x"], #report b, #report script, #my-list i').count(), 0, 'no element made from data');
  assert.ok((await page.textContent('#my-list')).includes('<i>x</i>'), 'the saved title shown literally');
  await shot(page, 'desktop', 'escape-01-track');

  await page.goto(BASE + '/staff.html');
  await page.fill('#token', staffToken('ioc'));
  await page.click('#signin-form button[type=submit]');
  await page.waitForSelector('#console:not([hidden])');
  await page.fill('#open-id', r.json.id);
  await page.click('#open-form button[type=submit]');
  await page.waitForSelector(`#detail[data-id="${r.json.id}"] #history li`);
  await page.click('#reporter-box button');
  await page.waitForSelector('#reporter-box dl');
  assert.ok((await page.textContent('#reporter-box dl')).includes('<b>Tên</b>'), 'the name shown literally');
  assert.ok((await page.textContent('#detail')).includes('<script>window.__xss=2</script>'), 'shown literally');
  assert.equal(await page.locator('#detail img[src="x"], #detail b, #detail script, #queue b').count(), 0);
  await shot(page, 'desktop', 'escape-02-staff');
  await cancelReport(r.json.id, r.json.access_token);
  assert.equal(await page.evaluate(() => window.__xss), undefined, 'no injected code ran');
  assert.deepEqual(problems, []);
});

test('markup in a published report and its result is shown as text on the public page', async () => {
  const dir = (await api('GET', '/directory')).json;
  const agency = dir.agencies.find((a) => a.kind !== 'ioc').id;
  const p = await publishedReport({ content: EVIL, title: 'Thoát <i>nước</i> ' + Date.now() % 100000 }, agency);
  await page.goto(BASE + '/public.html');
  const item = page.locator(`.public-item[data-id="${p.id}"]`);
  await untilVisible(item, () => page.reload());
  assert.ok((await item.textContent()).includes('<script>window.__xss=2</script>'), 'shown literally');
  assert.ok((await item.locator('h2').textContent()).includes('<i>nước</i>'), 'title shown literally');
  assert.equal(await item.locator('img[src="x"], b, i, script').count(), 0, 'no element made from data');
  await item.locator('h2').click();
  await page.waitForSelector('.leaflet-popup-content .popup-title');
  assert.ok((await page.textContent('.leaflet-popup-content')).includes('<i>nước</i>'), 'the popup too');
  assert.equal(await page.locator('.leaflet-popup-content i, .leaflet-popup-content b').count(), 0);
  await shot(page, 'desktop', 'escape-03-public');
  assert.equal(await page.evaluate(() => window.__xss), undefined, 'no injected code ran');
  assert.deepEqual(problems, []);
});
