// Citizen page: submit a report (POST /api/v1/reports).
import { t, onLangChange } from './i18n.js';
import { h, $, clear, replace } from './dom.js';
import config from '../config.js';
import { upload, directory, mine, ApiError } from './api.js';
import { uploadFile, giveUp } from './uploads.js';
import { initPage, clearErrors, showError, deadlineList, localToRfc3339, fmtTime, fromConfig } from './common.js';
import { makeMap, dot } from './map.js';
import { photoFacts, loadOutline, inside } from './exif.js';
import { drafts, draftFiles, draftHandles } from './drafts.js';

initPage('index.html');

const form = $('#report-form');
const files = [];          // File objects chosen so far
const facts = new Map();   // File -> what its EXIF says (photoFacts)
const ups = new Map();     // File -> its pre-upload {handle, progress, media, error}
let queue = Promise.resolve();   // one photo at a time
const MAX_BYTES = config.mediaMaxBytes || 50 * 1024 * 1024;
const MAX_COUNT = config.mediaMaxCount || 10;
let pickMarker = null;
let map = null;

// ---------------------------------------------------------------- categories
async function fillCategories() {
  const dir = await directory();
  const sel = $('#category');
  const current = sel.value;
  clear(sel);
  sel.appendChild(h('option', { value: '' }, t('submit.category.choose')));
  for (const c of dir.categories) {
    sel.appendChild(h('option', { value: c.id }, c.name + (c.urgent ? ' ' + t('submit.category.urgent') : '')));
  }
  sel.value = current;
}
fillCategories();
onLangChange(fillCategories);

// ---------------------------------------------------------------- media
// The limits are said before choosing and enforced here, so a 63 MB video
// is refused at once, not after minutes of uploading it.
function mb(n) { return Math.round(n / (1024 * 1024)); }

function showLimits() {
  $('#media-limits').textContent = t('submit.media.limits', { mb: mb(MAX_BYTES), n: MAX_COUNT });
}
showLimits();
onLangChange(showLimits);

function addFiles(list) {
  const refused = [];
  for (const f of list) {
    if (f.size > MAX_BYTES) refused.push(t('submit.media.too_big', { name: f.name, size: mb(f.size), mb: mb(MAX_BYTES) }));
    else if (files.length >= MAX_COUNT) refused.push(t('submit.media.too_many', { name: f.name, n: MAX_COUNT }));
    else {
      files.push(f);
      facts.set(f, null);
      photoFacts(f).then((x) => { facts.set(f, x); renderFiles(); });
      startUpload(f);
    }
  }
  const slot = $('[data-field="media"] > .field-error');
  slot.textContent = refused.join(' ');
  slot.hidden = !refused.length;
  renderFiles();
}
onLangChange(renderFiles);

// ---------------------------------------------------------------- uploads
// Each photo goes up as soon as it is picked, one after another, in
// pieces (uploads.js): the report then only names them.  No signal: the
// photo waits, and goes on from where it stopped.
function startUpload(f, prior) {
  const up = ups.get(f) || { handle: prior || null, progress: 0, media: null, error: null };
  ups.set(f, up);
  if (up.media || up.running) return up.running;
  up.error = null;
  up.running = queue = queue.then(async () => {
    if (!ups.has(f)) return;              // removed meanwhile
    if (navigator.onLine === false) { up.error = new ApiError(0, null); return; }
    try {
      up.media = await uploadFile(f, {
        prior: up,
        onHandle: (hd) => { up.handle = hd; },
        onProgress: (p) => { up.progress = p; showUpload(f); },
      });
      up.handle = (up.media && up.media.handle) || up.handle;
    } catch (err) {
      up.error = err instanceof ApiError ? err : new ApiError(0, null);
    } finally {
      up.running = null;
      showUpload(f);
    }
  });
  showUpload(f);
  return up.running;
}

function uploadText(up) {
  if (!up) return '';
  if (up.media) return t('submit.media.uploaded');
  if (up.error) return up.error.status === 0 ? t('submit.media.upload_offline') : t('submit.media.upload_failed') + ': ' + up.error.display();
  if (up.running && up.progress > 0) return t('submit.media.uploading', { p: Math.round(up.progress * 100) });
  return t('submit.media.waiting');
}

// the photo's own progress bar and state, without redrawing the list
function showUpload(f) {
  const i = files.indexOf(f);
  const li = $('#media-preview').children[i];
  const up = ups.get(f);
  if (!li || !up) return;
  const bar = li.querySelector('progress.photo-progress');
  const out = li.querySelector('.upload-state');
  if (bar) bar.value = up.media ? 1 : up.progress;
  if (out) out.textContent = uploadText(up);
  li.dataset.upload = up.media ? 'done' : up.error ? 'failed' : 'sending';
}

// every photo up (resuming what stopped); the handles, or the error
async function allUploaded(list) {
  for (const f of list) startUpload(f);
  await Promise.all(list.map((f) => ups.get(f).running));
  for (const f of list) {
    const up = ups.get(f);
    if (!up.media) throw up.error || new ApiError(0, null);
  }
  return list.map((f) => ups.get(f).handle);
}

// the warnings of one photo, from its EXIF: too old, no GPS, outside the
// province; the server decides, these only say what it will likely say
let polys = null;
loadOutline(config.boundary).then((p) => { polys = p; renderFiles(); });

function photoWarnings(f) {
  const x = facts.get(f);
  if (!x || !x.readable) return [];
  const out = [];
  const maxH = config.photoMaxAgeHours || 24;
  if (!x.takenAt) out.push(t('submit.photo.no_time'));
  else if (Date.now() - x.takenAt.getTime() > maxH * 3600000) out.push(t('submit.photo.too_old', { t: fmtTime(x.takenAt.toISOString()), h: maxH }));
  if (!x.gps) out.push(t('submit.photo.no_gps'));
  else if (polys && !inside(polys, x.gps.lat, x.gps.lng)) out.push(t('submit.photo.outside', { p: fromConfig(config.province) }));
  return out;
}

// the first photo position, for the location when none was chosen
function photoPosition() {
  for (const f of files) {
    const x = facts.get(f);
    if (x && x.gps) return x.gps;
  }
  return null;
}

function renderFiles() {
  const ul = $('#media-preview');
  clear(ul);
  files.forEach((f, i) => {
    let thumb;
    if (f.type.startsWith('image/')) {
      thumb = h('img', { alt: '' });
      thumb.src = URL.createObjectURL(f);
      thumb.addEventListener('load', () => URL.revokeObjectURL(thumb.src), { once: true });
    } else {
      thumb = h('span.media-placeholder', { 'aria-hidden': 'true' }, f.type || '?');
    }
    const warn = photoWarnings(f);
    const x = facts.get(f);
    ul.appendChild(h('li', { dataset: { warnings: String(warn.length) } },
      thumb,
      h('span.file-name', f.name, ' ', h('span.file-size', '· ' + Math.max(1, Math.round(f.size / 1024)) + '\u00a0KB'),
        x && x.gps ? h('span.file-gps', ' · GPS ' + x.gps.lat.toFixed(4) + ', ' + x.gps.lng.toFixed(4)) : null,
        warn.length ? h('ul.photo-warnings', warn.map((w) => h('li', w))) : null,
        h('progress.photo-progress', { max: '1', value: '0', 'aria-label': t('submit.progress') + ': ' + f.name }),
        h('span.upload-state', { role: 'status' })),
      h('button.button.small.secondary', {
        type: 'button',
        'aria-label': t('submit.media.remove') + ': ' + f.name,
        onclick: () => {
          files.splice(i, 1);
          facts.delete(f);
          giveUp((ups.get(f) || {}).handle);
          ups.delete(f);
          renderFiles();
        },
      }, t('submit.media.remove'))));
    showUpload(f);
  });
  $('#media-count').textContent = files.length ? t('submit.media.count', { n: files.length, max: MAX_COUNT }) : '';
}

for (const id of ['#media-camera', '#media-gallery']) {
  const input = $(id);
  input.addEventListener('change', () => {
    addFiles(Array.from(input.files || []));
    input.value = '';
  });
}

// ---------------------------------------------------------------- location
function setLocation(lat, lng, source) {
  $('#lat').value = lat.toFixed(6);
  $('#lng').value = lng.toFixed(6);
  $('#loc-text').textContent = lat.toFixed(5) + ', ' + lng.toFixed(5) + (source ? ' (' + source + ')' : '');
  placeMarker(lat, lng);
}

function placeMarker(lat, lng) {
  if (!map) return;
  if (!pickMarker) pickMarker = dot([lat, lng], { color: '#1565c0', className: 'pa-marker pick' }).addTo(map);
  else pickMarker.setLatLng([lat, lng]);
  map.setView([lat, lng], Math.max(map.getZoom(), 14));
}

// the map is a convenience: the form works (GPS, typed coordinates) before
// Leaflet arrives, and without it
makeMap($('#pick-map'), { scrollWheelZoom: false }).then((m) => {
  map = m;
  map.on('click', (e) => setLocation(e.latlng.lat, e.latlng.lng, 'map'));
  const lat = parseFloat($('#lat').value);
  const lng = parseFloat($('#lng').value);
  if (Number.isFinite(lat) && Number.isFinite(lng)) placeMarker(lat, lng);
}).catch(() => { $('#pick-map').hidden = true; });

for (const id of ['#lat', '#lng']) {
  $(id).addEventListener('change', () => {
    const lat = parseFloat($('#lat').value);
    const lng = parseFloat($('#lng').value);
    if (Number.isFinite(lat) && Number.isFinite(lng)) setLocation(lat, lng, '');
  });
}

$('#use-gps').addEventListener('click', () => {
  const out = $('#loc-text');
  if (!navigator.geolocation) { out.textContent = t('submit.location.unsupported'); return; }
  out.textContent = t('submit.location.locating');
  navigator.geolocation.getCurrentPosition(
    (pos) => setLocation(pos.coords.latitude, pos.coords.longitude, 'GPS ±' + Math.round(pos.coords.accuracy) + ' m'),
    (err) => { out.textContent = t('submit.location.denied', { msg: err.message || err.code }); },
    { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
});

// ---------------------------------------------------------------- submit
function collect() {
  const v = (id) => $('#' + id).value.trim();
  const fields = {
    content: $('#content').value,
    title: v('title'),
    category: v('category'),
    lat: v('lat'),
    lng: v('lng'),
    occurred_at: localToRfc3339(v('occurred_at')),
    reporter_name: v('reporter_name'),
    reporter_phone: v('reporter_phone'),
    reporter_email: v('reporter_email'),
    publish_identity: $('#publish_identity').checked,
    share_identity: $('#share_identity').checked,
    private_result: $('#private_result').checked,
    channel: 'web',
  };
  for (const k of Object.keys(fields)) if (fields[k] === '') delete fields[k];
  return fields;
}

function localCheck(f) {
  if (!f.content || !f.content.trim()) return { field: 'content', message: t('submit.err.content') };
  if (!f.reporter_name) return { field: 'reporter_name', message: t('submit.err.name') };
  if (!f.reporter_phone) return { field: 'reporter_phone', message: t('submit.err.phone') };
  if (f.lat === undefined || f.lng === undefined) {
    // the server can take the place from a photo's GPS: only when none has
    // it (and the photos could be read) is the citizen told what to do
    const unread = files.some((x) => { const y = facts.get(x); return !y || !y.readable; });
    if (!photoPosition() && !unread) {
      return { field: 'location', message: files.length ? t('submit.err.no_position_photo') : t('submit.err.no_position') };
    }
  }
  return null;
}

// What a refusal means for this citizen and what to do next.
function explain(err) {
  if (err.code === 'duplicate') {
    // the 409 names the report being handled (report_id): link it
    const id = err.body && err.body.error && (err.body.error.report_id || err.body.error.id);
    const link = id ? h('a', { href: 'track.html#id=' + encodeURIComponent(id) }, t('submit.dup.open', { id }))
      : h('a', { href: 'track.html' }, t('submit.dup.mine'));
    return { display: () => t('submit.dup'), node: h('span', t('submit.dup') + ' ', link) };
  }
  if (err.code === 'missing_field' && (err.field === 'lat' || err.field === 'lng')) {
    const msg = files.length ? t('submit.err.no_position_photo') : t('submit.err.no_position');
    return { field: 'location', display: () => msg };
  }
  return err;
}

function setProgress(frac) {
  const p = $('#upload-progress');
  const o = $('#upload-percent');
  p.hidden = false;
  o.hidden = false;
  if (frac === null) { p.removeAttribute('value'); o.textContent = ''; return; }
  p.value = frac;
  o.textContent = Math.round(frac * 100) + '%';
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clearErrors(form);
  const f = collect();
  const bad = localCheck(f);
  if (bad) { showError(form, { ...bad, display: () => bad.message }); return; }
  const btn = $('#send');
  btn.disabled = true;
  btn.textContent = t('submit.sending');
  if (navigator.onLine === false) {
    await keepDraft(f, files, files.map((x) => (ups.get(x) || {}).handle));
    btn.disabled = false;
    btn.textContent = t('submit.send');
    return;
  }
  setProgress(0);
  try {
    const res = await send(f, files);
    done(res || {}, f);
  } catch (err) {
    if (err instanceof ApiError && err.status === 0) await keepDraft(f, files, files.map((x) => (ups.get(x) || {}).handle));
    else showError(form, explain(err instanceof ApiError ? err : new ApiError(0, null)));
  } finally {
    btn.disabled = false;
    btn.textContent = t('submit.send');
    $('#upload-progress').hidden = true;
    $('#upload-percent').hidden = true;
  }
});

// The photos are up already (or go up now, resuming): the report is a
// small JSON naming them.  A handle that died meanwhile (a draft kept
// longer than the server keeps uploads) is sent again, once.
async function send(f, list, onProgress = setProgress) {
  const body = { ...f };
  if (body.lat !== undefined) body.lat = Number(body.lat);
  if (body.lng !== undefined) body.lng = Number(body.lng);
  for (let attempt = 0; ; attempt++) {
    if (list.length) {
      if (onProgress) onProgress(null);
      body.media_handles = await allUploaded(list);
    }
    try {
      return await upload('/reports', body, { staff: false }, onProgress);
    } catch (err) {
      const dead = err.field === 'media_handles' && ['media_expired', 'invalid_field'].includes(err.code);
      if (!dead || attempt) throw err;
      for (const x of list) ups.delete(x);
    }
  }
}

// ---------------------------------------------------------------- drafts
// No signal: the report and its photos stay on the phone (IndexedDB) and
// are sent when the signal is back and the citizen says so.
async function keepDraft(f, list, handles) {
  try {
    await drafts.save(f, list, handles);
  } catch (e) {
    showError(form, { display: () => t('submit.draft.failed') });
    return;
  }
  form.reset();
  files.length = 0;
  facts.clear();
  ups.clear();
  renderFiles();
  $('#loc-text').textContent = t('submit.location.none');
  await showDrafts(t('submit.draft.saved'));
}

async function showDrafts(note) {
  const box = $('#drafts');
  const list = await drafts.list();
  clear(box);
  box.hidden = !list.length && !note;
  if (note) box.appendChild(h('p.notice.ok', { role: 'status' }, note));
  if (!list.length) return;
  const online = navigator.onLine !== false;
  box.appendChild(h('h2', t('submit.draft.heading', { n: list.length })));
  box.appendChild(h('p.hint', online ? t('submit.draft.online') : t('submit.draft.offline')));
  const ul = h('ul.draft-list');
  for (const d of list) {
    const out = h('p.field-error', { role: 'alert', hidden: true });
    const sendBtn = h('button.button.small.primary', {
      type: 'button',
      disabled: !online,
      dataset: { draft: d.id },
      onclick: async () => {
        sendBtn.disabled = true;
        sendBtn.textContent = t('submit.sending');
        try {
          // the draft's photos resume their uploads: what went up before
          // the signal was lost is not sent again
          const list = draftFiles(d);
          draftHandles(d).forEach((hd, i) => { if (hd) ups.set(list[i], { handle: hd, progress: 0, media: null, error: null }); });
          const res = await send(d.fields, list, null);
          await drafts.remove(d.id);
          done(res || {}, d.fields);
          showDrafts();
        } catch (err) {
          out.textContent = err.status === 0 ? t('submit.draft.still_offline') : explain(err).display();
          out.hidden = false;
          sendBtn.disabled = false;
          sendBtn.textContent = t('submit.draft.send');
        }
      },
    }, t('submit.draft.send'));
    ul.appendChild(h('li', { dataset: { id: d.id } },
      h('span.draft-title', (d.fields.title || d.fields.content || '').slice(0, 80)),
      h('span.msg-meta', t('submit.draft.meta', { t: fmtTime(d.saved_at), n: (d.files || []).length })),
      h('span.actions-row',
        sendBtn,
        h('button.button.small.danger', {
          type: 'button',
          onclick: async () => {
            if (!window.confirm(t('submit.draft.delete.confirm'))) return;
            draftHandles(d).forEach(giveUp);
            await drafts.remove(d.id);
            showDrafts();
          },
        }, t('submit.draft.delete'))),
      out));
  }
  box.appendChild(ul);
}

window.addEventListener('online', () => showDrafts());
window.addEventListener('offline', () => showDrafts());
showDrafts();

function done(res, f) {
  const id = String(res.id || '');
  const token = String(res.access_token || '');
  if (id && token) {
    mine.save({ id, token, title: f.title || f.content.slice(0, 80), created_at: new Date().toISOString() });
  }
  ups.clear();
  $('#done-id').textContent = id;
  $('#done-token').textContent = token;
  $('#done-urgent').hidden = !res.urgent;
  $('#done-track').href = 'track.html#id=' + encodeURIComponent(id);
  const flags = (Array.isArray(res.media) ? res.media : []).flatMap((m) => (m.flags || []).map((fl) => String(fl)));
  replace($('#done-flags'), flags.length ? h('p.notice.warn', t('submit.media.flags') + ': ' + flags.join(', ')) : null);
  replace($('#done-deadlines'), Array.isArray(res.deadlines) && res.deadlines.length
    ? [h('h2', t('track.deadlines')), deadlineList(res.deadlines)] : null);
  $('#submit-section').hidden = true;
  const sec = $('#done');
  sec.hidden = false;
  sec.focus();
  window.scrollTo(0, 0);
}

for (const b of document.querySelectorAll('button.copy')) {
  b.addEventListener('click', async () => {
    const text = $('#' + b.dataset.copy).textContent;
    try {
      await navigator.clipboard.writeText(text);
      b.textContent = t('common.copied');
    } catch (e) {
      const range = document.createRange();
      range.selectNodeContents($('#' + b.dataset.copy));
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
    }
  });
}
