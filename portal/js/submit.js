// Citizen page: submit a report (POST /api/v1/reports).
import { t, onLangChange } from './i18n.js';
import { h, $, clear, replace } from './dom.js';
import { upload, directory, mine, ApiError } from './api.js';
import { initPage, clearErrors, showError, deadlineList, localToRfc3339 } from './common.js';
import { makeMap, dot } from './map.js';

initPage('index.html');

const form = $('#report-form');
const files = [];          // File objects chosen so far
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
function addFiles(list) {
  for (const f of list) files.push(f);
  renderFiles();
}

function renderFiles() {
  const ul = $('#media-preview');
  clear(ul);
  files.forEach((f, i) => {
    let thumb;
    if (f.type.startsWith('image/')) {
      thumb = h('img', { alt: f.name });
      thumb.src = URL.createObjectURL(f);
      thumb.addEventListener('load', () => URL.revokeObjectURL(thumb.src), { once: true });
    } else {
      thumb = h('span.media-placeholder', f.type || '?');
    }
    ul.appendChild(h('li',
      thumb,
      h('span.file-name', f.name, ' ', h('span.file-size', '· ' + Math.max(1, Math.round(f.size / 1024)) + '\u00a0KB')),
      h('button.button.small.secondary', {
        type: 'button',
        onclick: () => { files.splice(i, 1); renderFiles(); },
      }, t('submit.media.remove'))));
  });
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
  return null;
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
  let body;
  if (files.length) {
    body = new FormData();
    for (const [k, val] of Object.entries(f)) body.append(k, typeof val === 'boolean' ? String(val) : val);
    for (const file of files) body.append('media', file, file.name);
  } else {
    body = { ...f };
    if (body.lat !== undefined) body.lat = Number(body.lat);
    if (body.lng !== undefined) body.lng = Number(body.lng);
  }
  setProgress(0);
  try {
    const res = await upload('/reports', body, { staff: false }, setProgress);
    done(res || {}, f);
  } catch (err) {
    showError(form, err instanceof ApiError ? err : new ApiError(0, null));
  } finally {
    btn.disabled = false;
    btn.textContent = t('submit.send');
    $('#upload-progress').hidden = true;
    $('#upload-percent').hidden = true;
  }
});

function done(res, f) {
  const id = String(res.id || '');
  const token = String(res.access_token || '');
  if (id && token) {
    mine.save({ id, token, title: f.title || f.content.slice(0, 80), created_at: new Date().toISOString() });
  }
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
