// A citizen's report sent while Redis is away, on `make run`'s server
// (a real fault: its Redis stopped with SIGSTOP, e2e/lib/faults.mjs).
// The module answers 503 with Retry-After once its call times out, and
// keeps nothing: it closes that connection, so Redis, going on, drops the
// call unread (and one that ran would be past its deadline and write
// nothing: redis-scripts/lib/late.lua).  The page says nothing was saved
// and keeps what the citizen wrote; sent again once Redis is back, the
// report is stored once, by that sending (were the refused one kept, the
// same text again would be refused as its duplicate, or get it back with
// its earlier time: checked with a 503 faked after a stored sending).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, newContext, watch, shot, staffToken, api, uniquePhone, cancelReport, BASE, HERE,
} from '../lib/browser.mjs';
import { faultable, redisStopped, until503Over } from '../lib/faults.mjs';

const WAIT = { timeout: 15000 };

describe('a report sent while Redis is away', { concurrency: false }, () => {
  let browser;
  const made = [];

  before(async () => { browser = await launch(); });
  after(async () => {
    if (browser) await browser.close();
    for (const r of made) await cancelReport(r.id, r.access_token);
  });

  test('503 and nothing kept, the form kept; sent again: stored once', async (t) => {
    if (!faultable()) {
      t.skip('no var/redis/redis.pid or var/nginx.pid: not `make run`\'s server');
      return;
    }
    const page = await (await newContext(browser, 'phone')).newPage();
    const problems = watch(page);
    await page.goto(BASE + '/');
    await page.waitForSelector('#report-form #send', WAIT);
    const content = `Cống thoát nước bị tắc, nước tràn ra đường (e2e outage ${Date.now() % 100000}).`;
    await page.fill('#content', content);
    await page.fill('#lat', String(HERE.lat));
    await page.fill('#lng', String(HERE.lng));
    await page.fill('#reporter_name', 'Lò Văn Tám');
    await page.fill('#reporter_phone', uniquePhone());
    const isPost = (r) => r.url().endsWith('/api/v1/reports') && r.request().method() === 'POST';
    const send = async () => {
      const answer = page.waitForResponse(isPost, WAIT);
      await page.click('#send');
      return answer;
    };

    const refused = await redisStopped(async () => {
      const res = await send();
      await page.waitForSelector('#report-form .form-error:not([hidden])', WAIT);
      return res;
    });
    const back = Date.now();
    assert.equal(refused.status(), 503, 'refused while Redis is away');
    assert.ok(refused.headers()['retry-after'], 'with Retry-After');
    assert.match(await page.textContent('#report-form .form-error'), /chưa lưu được gì/,
      'the citizen is told nothing was saved');
    assert.equal(await page.inputValue('#content'), content, 'what was written is kept');
    await shot(page, 'phone', 'citizen-send-redis-away');

    // the module's link to Redis comes back at once; a 503 meanwhile is
    // the contract's answer, and the citizen sends again
    const { res } = await until503Over(async () => {
      const x = await send();
      return { status: x.status(), res: x };
    });
    assert.equal(res.status(), 201, 'stored once Redis is back');
    const body = await res.json();
    made.push(body);
    await page.waitForSelector('#done:not([hidden])', WAIT);
    assert.equal(await page.textContent('#done-id'), body.id);

    const h = await api('GET', `/reports/${encodeURIComponent(body.id)}/history`, { token: staffToken('ioc') });
    assert.equal(h.status, 200);
    assert.equal(h.json[0].action, 'submit');
    // (times in whole seconds: the refused sending was 2 s or more before)
    assert.ok(Date.parse(h.json[0].at) >= back - 1000,
      `stored by the sending after Redis came back, not by the refused one (${h.json[0].at})`);
    const r = await api('GET', '/reports/' + encodeURIComponent(body.id), { reportToken: body.access_token });
    assert.equal(r.json.content, content);
    assert.deepEqual(problems, []);
  });
});
