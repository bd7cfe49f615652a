// Shared page pieces: header, formatting, deadlines with live countdowns,
// the result template, media, and form error display.
import config from '../config.js';
import { t, label, lang, locale, setLang, applyI18n, onLangChange } from './i18n.js';
import { h, $, $$, clear, append, replace } from './dom.js';
import { staff } from './api.js';

// ---------------------------------------------------------------- header
const PAGES = [
  ['index.html', 'nav.submit'],
  ['track.html', 'nav.track'],
  ['public.html', 'nav.public'],
  ['staff.html', 'nav.staff'],
];

export function initPage(active) {
  const header = $('header.site');
  if (header) {
    const nav = h('nav.site-nav', { 'aria-label': 'menu' });
    const pages = PAGES.slice();
    const claims = staff.claims();
    if (claims && ['ioc', 'supervisor', 'admin'].includes(claims.role)) pages.push(['dashboard.html', 'nav.dashboard']);
    for (const [href, key] of pages) {
      nav.appendChild(h('a', { href, dataset: { i18n: key }, 'aria-current': href === active ? 'page' : null }, t(key)));
    }
    const sw = h('button.lang-switch', {
      type: 'button',
      id: 'lang-switch',
      dataset: { i18n: 'lang.switch', i18nAriaLabel: 'lang.switch.aria' },
      onclick: () => setLang(lang() === 'vi' ? 'en' : 'vi'),
    });
    append(header, [
      h('a.brand', { href: 'index.html' },
        config.emblem
          ? h('img.brand-emblem', { src: config.emblem, alt: '', width: 36, height: 36 })
          : h('span.brand-mark', { 'aria-hidden': 'true' }, 'PA'),
        h('span.brand-text',
          h('small.brand-province'),
          h('strong', { dataset: { i18n: 'app.title' } }))),
      sw,
      nav,
    ]);
    // on a phone the links scroll sideways: the current page is shown
    requestAnimationFrame(() => {
      const cur = nav.querySelector('[aria-current="page"]');
      if (cur && nav.scrollWidth > nav.clientWidth) nav.scrollLeft = cur.offsetLeft - nav.offsetLeft - (nav.clientWidth - cur.offsetWidth) / 2;
      fade();
    });
    // the right edge fades while more links are hidden there
    const fade = () => nav.classList.toggle('more-right', nav.scrollLeft + nav.clientWidth < nav.scrollWidth - 2);
    nav.addEventListener('scroll', fade, { passive: true });
    window.addEventListener('resize', fade);
  }
  renderTrust();
  onLangChange(renderTrust);
  applyI18n();
  onLangChange(() => { document.title = t(document.body.dataset.titleKey || 'app.title') + ' · ' + t('app.title'); });
  document.title = t(document.body.dataset.titleKey || 'app.title') + ' · ' + t('app.title');
  startTicker();
  registerWorker();
}

// the app shell for offline use (sw.js); a browser without service
// workers, or a page not served over http(s) from the site, goes without
function registerWorker() {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  navigator.serviceWorker.register('sw.js').catch(() => {});
}

// ---------------------------------------------------------------- trust
// Who runs the service, how to reach them and what happens to the data,
// from config.js (per deployment): the province in the header, the IOC's
// hotline, address and the privacy notice in every page's footer.
export function fromConfig(v) {
  if (v && typeof v === 'object' && !Array.isArray(v)) return v[lang()] || v.vi || '';
  return v || '';
}

function renderTrust() {
  const prov = $('header.site .brand-province');
  if (prov) prov.textContent = fromConfig(config.province) || t('app.subtitle');
  let footer = $('footer.site');
  if (!footer) {
    footer = h('footer.site');
    document.body.appendChild(footer);
  }
  const privacy = fromConfig(config.privacy);
  const contact = [];
  if (config.hotline) {
    contact.push(h('li', t('footer.hotline') + ': ',
      h('a', { href: 'tel:' + String(config.hotline).replace(/[^\d+]/g, '') }, config.hotline)));
  }
  if (config.email) contact.push(h('li', t('footer.email') + ': ', h('a', { href: 'mailto:' + config.email }, config.email)));
  if (fromConfig(config.address)) contact.push(h('li', t('footer.address') + ': ' + fromConfig(config.address)));
  replace(footer,
    h('div.footer-inner',
      h('div.footer-org',
        h('strong', fromConfig(config.operator) || t('app.title')),
        contact.length ? h('ul.footer-contact', contact) : null),
      privacy && privacy.length ? h('details.privacy#privacy',
        h('summary', t('footer.privacy')),
        h('ul', (Array.isArray(privacy) ? privacy : [privacy]).map((p) => h('li', p)))) : null));
}

// ---------------------------------------------------------------- fields
// read a field whose name api.md does not fix, trying likely names
export function pick(obj, ...keys) {
  if (!obj) return undefined;
  for (const k of keys) {
    const v = k.split('.').reduce((o, p) => (o == null ? undefined : o[p]), obj);
    if (v !== undefined && v !== null && v !== '') return v;
  }
  return undefined;
}

export function stateOf(r) {
  return pick(r, 'status', 'state') || 'submitted';
}

export function positionOf(r) {
  const lat = Number(pick(r, 'lat', 'location.lat', 'position.lat', 'gps.lat', 'geo.lat'));
  const lng = Number(pick(r, 'lng', 'location.lng', 'location.lon', 'position.lng', 'gps.lng', 'geo.lng', 'lon', 'long'));
  return Number.isFinite(lat) && Number.isFinite(lng) && (lat || lng) ? [lat, lng] : null;
}

export function titleOf(r) {
  return pick(r, 'title') || excerpt(pick(r, 'content_edited', 'edited_content', 'content', 'description') || '', 80) || t('common.no_title');
}

export function excerpt(s, n) {
  s = String(s || '').replace(/\s+/g, ' ').trim();
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

export function categoryName(dir, id) {
  if (!id) return '';
  const c = dir && dir.categories.find((x) => x.id === id);
  return c ? c.name : String(id);
}

export function agencyName(dir, id) {
  if (!id) return '';
  if (typeof id === 'object') return id.name || agencyName(dir, id.id || id.agency);
  const a = dir && dir.agencies.find((x) => x.id === id);
  return a ? a.name : String(id);
}

// ---------------------------------------------------------------- time
export function fmtTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString(locale(), {
    timeZone: config.timeZone, year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit',
  });
}

export function fmtDuration(ms) {
  const s = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86400);
  const hh = Math.floor((s % 86400) / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  const two = (n) => String(n).padStart(2, '0');
  if (d > 0) return t('cd.d', { n: d }) + ' ' + t('cd.h', { n: hh }) + ' ' + t('cd.m', { n: mm });
  return two(hh) + ':' + two(mm) + ':' + two(ss);
}

// elements with data-due tick every second
function tick() {
  const now = Date.now();
  for (const el of $$('[data-due]')) {
    const due = Date.parse(el.dataset.due);
    if (Number.isNaN(due)) continue;
    const left = due - now;
    const over = left < 0 || el.dataset.overdue === 'true';
    el.textContent = over ? t('cd.over', { t: fmtDuration(left) }) : t('cd.left', { t: fmtDuration(left) });
    el.classList.toggle('overdue', over);
    // is-late: this deadline has passed (live); is-overdue stays as the
    // server said (a report can be overdue on another step)
    const row = el.closest('.deadline, .queue-item');
    if (row) row.classList.toggle('is-late', over);
  }
}

let ticking = false;
function startTicker() {
  if (ticking) return;
  ticking = true;
  setInterval(tick, 1000);
  onLangChange(tick);
}
export const refreshCountdowns = tick;

export function countdown(due, overdue) {
  const el = h('span.countdown', { dataset: { due: due || '', overdue: overdue ? 'true' : 'false' } });
  if (due) {
    // first paint now, not a second later
    queueMicrotask(tick);
  }
  return el;
}

// api.md's steps, in the order a report goes through them
const STEP_ORDER = ['verify', 'supplement', 'receive', 'dispatch', 'identify', 'accept', 'resolve',
  'approve', 'confirm', 'publish', 'notify', 'reply'];

// A step closed by a rejection, a cancellation or a request for more
// information was not carried out: the server marks its deadline met, but
// "Verification: on time" would tell the citizen it was verified.
const STOPPED_BY = {
  rejected: 'cd.stopped.rejected',
  cancelled: 'cd.stopped.cancelled',
  needs_info: 'cd.stopped.needs_info',
};

// deadlines: [{step, due, agency?, met?, overdue?}]; state: the report's
export function deadlineList(deadlines, dir, state) {
  const list = h('ul.deadlines');
  const items = Array.isArray(deadlines) ? deadlines.slice() : [];
  const isDone = (d) => (d.met === true || d.met === false ? 1 : 0);
  // open steps first, nearest due first; finished ones in the workflow's
  // order (many share a due time, which would shuffle them)
  const order = (d) => { const i = STEP_ORDER.indexOf(d.step); return i < 0 ? STEP_ORDER.length : i; };
  items.sort((a, b) => isDone(a) - isDone(b)
    || (isDone(a) ? order(a) - order(b) : 0)
    || Date.parse(a.due) - Date.parse(b.due));
  for (const d of items) {
    const done = d.met === true || d.met === false;
    let status;
    if (d.met === true && STOPPED_BY[state]) status = h('span.badge.stopped', t(STOPPED_BY[state]));
    else if (d.met === true) status = h('span.badge.ok', t('cd.met'));
    else if (d.met === false) status = h('span.badge.bad', t('cd.missed'));
    else status = countdown(d.due, d.overdue === true);
    const li = h('li.deadline', { class: (d.overdue === true || d.met === false) ? 'is-overdue' : null, dataset: { step: d.step || '' } },
      h('span.deadline-step', label('step', d.step)),
      d.agency ? h('span.deadline-agency', agencyName(dir, d.agency)) : null,
      h('span.deadline-due', t('cd.due', { t: fmtTime(d.due) })),
      status);
    if (done) li.classList.add(d.met === true && STOPPED_BY[state] ? 'is-stopped' : 'is-done');
    list.appendChild(li);
  }
  return list;
}

// the open deadline closest in time
export function nextDeadline(r) {
  const dl = (Array.isArray(r && r.deadlines) ? r.deadlines : []).filter((d) => d.met !== true && d.met !== false && d.due);
  dl.sort((a, b) => Date.parse(a.due) - Date.parse(b.due));
  return dl[0] || null;
}

export function statusBadge(state) {
  return h('span.status', { class: 'st-' + state, dataset: { state } }, label('status', state));
}

// ---------------------------------------------------------------- result
const TEMPLATE = [
  '{agency}',
  'Kính chào: {salutation}',
  'Sau khi nhận được phản ánh của {salutation}, {agency} đã tiến hành kiểm tra, xử lý và thông báo kết quả như sau:',
  '{summary}',
  'Chúng tôi chân thành cảm ơn {salutation} đã kịp thời phản ánh và mong tiếp tục nhận được phản ánh trong thời gian tới.',
  'Trân trọng./.',
];

// The result in the regulation's template.  The server renders it
// (api.md: "the rendered result template"); when it sends the parts only,
// the same template is filled here.
// opts.mapMedia(list) -> list with urls, opts.media: options of mediaList
export function resultBlock(r, dir, opts = {}) {
  const res = pick(r, 'result');
  let text = null;
  let media = [];
  let parts = null;
  if (typeof res === 'string') text = res;
  else if (res && typeof res === 'object') {
    text = pick(res, 'rendered', 'text', 'template');
    media = Array.isArray(res.media) ? res.media : [];
    parts = res;
  }
  if (!text) text = pick(r, 'result_rendered', 'result_text');
  if (!text && parts && parts.summary) {
    const agency = agencyName(dir, pick(parts, 'agency_name', 'agency')) || '';
    const sal = pick(parts, 'salutation') || 'Ông/Bà';
    text = TEMPLATE.map((l) => l.replace(/\{agency\}/g, agency).replace(/\{salutation\}/g, sal).replace(/\{summary\}/g, parts.summary)).join('\n');
  }
  if (!text) return null;
  return h('div.result',
    h('pre.result-text', text),
    media.length ? mediaList(opts.mapMedia ? opts.mapMedia(media) : media, opts.media) : null);
}

// ---------------------------------------------------------------- media
// media: [{id, type, url?, size?, taken_at?, gps?, flags?}]
// authFetch: for staff, media URLs need the Bearer header -> blob URL
export function mediaList(media, opts = {}) {
  const ul = h('ul.media-list');
  for (const m of media || []) {
    const type = String(m.type || '');
    const li = h('li.media-item');
    const url = m.url || null;
    if (url && type.startsWith('image/')) {
      // the 320 px thumbnail (issue 16), the original on request: a list
      // of ten photos must not cost ten originals on a slow phone
      const img = h('img', { alt: type, loading: 'lazy', decoding: 'async' });
      setMediaSrc(img, m.thumb_url || url, opts.authHeaders, m.thumb_url ? url : null);
      li.appendChild(img);
      if (m.thumb_url) {
        const full = h('button.button.small.secondary', {
          type: 'button',
          onclick: () => { full.remove(); setMediaSrc(img, url, opts.authHeaders); },
        }, t('media.original'));
        li.appendChild(full);
      }
    } else if (url && type.startsWith('video/')) {
      const v = h('video', { controls: true, preload: 'metadata' });
      setMediaSrc(v, url, opts.authHeaders);
      li.appendChild(v);
    } else if (url && type.startsWith('audio/')) {
      const a = h('audio', { controls: true, preload: 'metadata' });
      setMediaSrc(a, url, opts.authHeaders);
      li.appendChild(a);
    } else {
      li.appendChild(h('span.media-placeholder', mediaWord(type)));
    }
    if (opts.details) {
      const meta = [];
      if (m.size) meta.push(Math.round(m.size / 1024) + ' KB');
      if (m.taken_at) meta.push(t('staff.media.taken', { t: fmtTime(m.taken_at) }));
      if (m.gps && m.gps.lat !== undefined) meta.push('GPS ' + Number(m.gps.lat).toFixed(5) + ', ' + Number(m.gps.lng).toFixed(5));
      li.appendChild(h('small.media-meta', meta.join(' · ')));
      for (const f of (Array.isArray(m.flags) ? m.flags : [])) li.appendChild(h('span.badge.warn', String(f)));
    }
    ul.appendChild(li);
  }
  return ul;
}

function mediaWord(type) {
  const kind = String(type || '').split('/')[0];
  return t(['image', 'video', 'audio'].includes(kind) ? 'media.' + kind : 'media.file');
}

// the originals: GET /reports/{id}/media/{sha}, for staff (Bearer) and the
// reporter (X-Report-Token); media that already have a url keep it
export function withMediaUrls(id, media) {
  return (media || []).map((m) => {
    if (m.url || !m.id) return m;
    const url = config.apiBase.replace(/\/$/, '') + '/reports/' + encodeURIComponent(id) + '/media/' + encodeURIComponent(m.id);
    // JPEG and PNG photos have a thumbnail (?size=thumb)
    const thumb = ['image/jpeg', 'image/png'].includes(m.type) ? url + '?size=thumb' : null;
    return thumb ? { ...m, url, thumb_url: thumb } : { ...m, url };
  });
}

// fallback: the original, when a thumbnail is missing
async function setMediaSrc(el, url, authHeaders, fallback) {
  const type = el.tagName === 'IMG' ? 'image/' : (el.tagName === 'VIDEO' ? 'video/' : 'audio/');
  if (!authHeaders) {
    el.addEventListener('error', () => {
      if (fallback) setMediaSrc(el, fallback, authHeaders);
      else el.replaceWith(h('span.media-placeholder', mediaWord(type)));
    }, { once: true });
    el.src = url;
    return;
  }
  try {
    const res = await fetch(url, { headers: authHeaders });
    if (!res.ok) throw new Error(res.status);
    el.src = URL.createObjectURL(await res.blob());
  } catch (e) {
    if (fallback) setMediaSrc(el, fallback, authHeaders);
    else el.replaceWith(h('span.media-placeholder', mediaWord(type)));
  }
}

// ---------------------------------------------------------------- forms
export function clearErrors(form) {
  for (const el of $$('.field-error', form)) { el.textContent = ''; el.hidden = true; }
  for (const el of $$('[aria-invalid]', form)) el.removeAttribute('aria-invalid');
  const g = $('.form-error', form);
  if (g) { g.textContent = ''; g.hidden = true; }
}

// show an API error next to the field it names (error.field), else on top
export function showError(form, err) {
  const msg = err && err.display ? err.display() : String(err && err.message || err);
  const field = err && err.field;
  let slot = null;
  if (field) {
    const base = String(field).replace(/\[.*$/, '').split('.')[0];
    const names = [field, base, FIELD_ALIASES[base]].filter(Boolean);
    for (const n of names) {
      slot = $(`[data-field="${cssEscape(n)}"]`, form);
      if (slot) break;
    }
  }
  // err.node: the message with a link in it (what to do next)
  const put = (el) => { if (err && err.node) replace(el, err.node); else el.textContent = msg; };
  if (slot) {
    const e = slot.querySelector(':scope > .field-error') || slot.appendChild(h('p.field-error', { role: 'alert' }));
    put(e);
    e.hidden = false;
    const input = $('input, textarea, select', slot);
    if (input) { input.setAttribute('aria-invalid', 'true'); }
    slot.scrollIntoView({ block: 'center', behavior: 'smooth' });
    return;
  }
  let g = $('.form-error', form);
  if (!g) { g = h('p.form-error', { role: 'alert' }); form.prepend(g); }
  put(g);
  g.hidden = false;
  g.scrollIntoView({ block: 'center', behavior: 'smooth' });
}

const FIELD_ALIASES = {
  gps: 'location', position: 'location', latitude: 'lat', longitude: 'lng', lon: 'lng',
  long: 'lng', file: 'media', files: 'media', photo: 'media', photos: 'media',
  phone: 'reporter_phone', name: 'reporter_name', email: 'reporter_email',
};

function cssEscape(s) {
  return window.CSS && CSS.escape ? CSS.escape(s) : String(s).replace(/[^\w-]/g, '\\$&');
}

// one labelled field: <div class="field" data-field=name> label input error </div>
export function field(name, labelKey, input, hintKey) {
  if (!input.id) input.id = 'f-' + name + '-' + Math.random().toString(36).slice(2, 7);
  if (!input.name) input.name = name;
  const wrap = h('div.field', { dataset: { field: name } });
  if (input.type === 'checkbox') {
    wrap.classList.add('check');
    append(wrap, [h('label', { for: input.id }, input, ' ', h('span', t(labelKey)))]);
  } else {
    append(wrap, [h('label', { for: input.id }, t(labelKey)), input]);
  }
  if (hintKey) wrap.appendChild(h('small.hint', t(hintKey)));
  wrap.appendChild(h('p.field-error', { role: 'alert', hidden: true }));
  return wrap;
}

export function notice(el, msg, kind = 'info') {
  clear(el);
  el.hidden = !msg;
  el.className = 'notice ' + kind;
  if (msg) el.textContent = msg;
}

// "2026-01-22T08:00" in the browser's zone -> RFC 3339 with offset
export function localToRfc3339(v) {
  if (!v) return '';
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return '';
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const two = (n) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  return v.length === 16 ? v + ':00' + sign + two(off / 60) + ':' + two(off % 60)
    : v + sign + two(off / 60) + ':' + two(off % 60);
}
