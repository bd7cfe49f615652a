// Public page: published reports on a map and as a list, filtered by
// category and by the visible map area (bbox).  No personal data: only
// what /api/v1/public/* returns (a name only when the reporter allowed it).
import config from '../config.js';
import { t, label, onLangChange } from './i18n.js';
import { h, $, clear, replace } from './dom.js';
import { get, directory, listOf } from './api.js';
import { initPage, pick, stateOf, titleOf, fmtTime, resultBlock, mediaList, positionOf, categoryName, excerpt, showError, clearErrors } from './common.js';
import { makeMap, dot } from './map.js';

initPage('public.html');

// the list comes first; the map (and Leaflet) arrives when it arrives, and
// gets the markers of what is already listed
let map = null;
let markers = null;
const byId = new Map();   // id -> {item, marker, li, pos}
let page = 1;
let lastQuery = '';
let dir = { agencies: [], categories: [] };

async function fillCategories() {
  dir = await directory();
  const sel = $('#f-category');
  const cur = sel.value;
  replace(sel, h('option', { value: '' }, t('common.all_categories')),
    dir.categories.map((c) => h('option', { value: c.id }, c.name)));
  sel.value = cur;
}

function query() {
  const q = new URLSearchParams();
  if ($('#f-inview').checked && map) {
    const b = map.getBounds();
    q.set('bbox', [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((x) => x.toFixed(5)).join(','));
  }
  if ($('#f-category').value) q.set('category', $('#f-category').value);
  q.set('per_page', String(config.publicPageSize || 20));
  return q;
}

async function load(reset) {
  const form = $('#filters');
  clearErrors(form);
  if (reset) {
    page = 1;
    if (markers) markers.clearLayers();
    byId.clear();
    clear($('#public-list'));
  }
  const q = query();
  q.set('page', String(page));
  lastQuery = q.toString();
  let body;
  setBusy(true);
  try {
    // the directory was asked for at the same time (fillCategories)
    [body, dir] = await Promise.all([get('/public/reports?' + lastQuery, { staff: false }), directory()]);
  } catch (err) {
    showError(form, err);
    return;
  } finally {
    setBusy(false);
  }
  const items = listOf(body, 'reports');
  const total = Number(pick(body, 'total', 'count'));
  for (const it of items) addItem(it);
  $('#public-empty').hidden = byId.size > 0;
  $('#public-count').textContent = byId.size ? t('public.count', { n: Number.isFinite(total) ? total : byId.size }) : '';
  const per = Number(q.get('per_page'));
  $('#public-more').hidden = !(items.length >= per && (!Number.isFinite(total) || byId.size < total));
  if (reset && !$('#f-inview').checked) fitAll();
}

// the loading state: the list says it is loading, the button waits
function setBusy(busy) {
  const list = $('#public-list');
  list.setAttribute('aria-busy', busy ? 'true' : 'false');
  $('#public-loading').hidden = !busy;
  $('#public-more').disabled = busy;
}

function fitAll() {
  if (!map || !byId.size) return;
  const pts = [...byId.values()].map((x) => x.pos).filter(Boolean);
  if (pts.length === 1) map.setView(pts[0], 15);
  else if (pts.length > 1) map.fitBounds(window.L.latLngBounds(pts), { padding: [30, 30], maxZoom: 15 });
}

function ratingSummary(it) {
  const box = h('div.rating-summary');
  const counts = pick(it, 'ratings', 'rating_summary', 'rating.counts');
  if (counts && typeof counts === 'object') {
    let n = 0;
    for (const k of ['satisfied', 'acceptable', 'unsatisfied']) {
      const v = Number(counts[k] || 0);
      n += v;
      if (v) box.appendChild(h('span.badge', { class: k === 'unsatisfied' ? 'bad' : 'ok' }, label('rating', k) + ': ' + v));
    }
    if (!n) box.appendChild(h('span.hint', t('public.rating.none')));
    return box;
  }
  const single = pick(it, 'rating.rating', 'rating');
  if (typeof single === 'string') box.appendChild(h('span.badge', { class: single === 'unsatisfied' ? 'bad' : 'ok' }, label('rating', single)));
  else box.appendChild(h('span.hint', t('public.rating.none')));
  return box;
}

function itemBody(it) {
  const frag = [];
  frag.push(h('div.meta',
    pick(it, 'category') ? h('span', categoryName(dir, it.category)) : null,
    pick(it, 'occurred_at', 'published_at', 'created_at') ? h('span', fmtTime(pick(it, 'occurred_at', 'published_at', 'created_at'))) : null,
    pick(it, 'reporter_name') ? h('span', t('public.reporter') + ': ' + it.reporter_name) : null));
  const content = pick(it, 'content', 'description');
  if (content) frag.push(h('p.content-text', content));
  if (Array.isArray(it.media) && it.media.length) frag.push(mediaList(it.media));
  frag.push(h('strong', t('public.rating')), ratingSummary(it));
  return frag;
}

function addItem(it) {
  const id = String(it.id);
  if (byId.has(id)) return;
  const pos = positionOf(it);
  const resultSlot = h('div.result-slot');
  const li = h('li.public-item', { dataset: { id } },
    h('h2', titleOf(it)),
    itemBody(it),
    resultSlot);
  const res = resultBlock(it, dir);
  if (res) resultSlot.append(h('strong', t('public.result')), res);
  else {
    resultSlot.appendChild(h('button.button.small.secondary', {
      type: 'button',
      onclick: async (ev) => {
        ev.currentTarget.disabled = true;
        try {
          const full = await get('/public/reports/' + encodeURIComponent(id), { staff: false });
          replace(resultSlot, h('strong', t('public.result')), resultBlock(full, dir) || h('p.hint', t('track.result.none')));
        } catch (err) {
          replace(resultSlot, h('p.notice.error', err.display()));
        }
      },
    }, t('public.show_result')));
  }
  $('#public-list').appendChild(li);
  const entry = { item: it, marker: null, li, pos };
  byId.set(id, entry);
  addMarker(id, entry);
  li.addEventListener('click', (ev) => {
    if (ev.target.closest('button, a, video, audio')) return;
    select(id);
    showOnMap(entry);
  });
}

function addMarker(id, entry) {
  if (!markers || !entry.pos || entry.marker) return;
  const it = entry.item;
  const marker = dot(entry.pos, { color: stateOf(it) === 'resolved' ? '#2e7d32' : '#1565c0', className: 'pa-marker public-marker' });
  const pop = h('div.popup',
    h('span.popup-title', titleOf(it)),
    h('span', excerpt(pick(it, 'content') || '', 140)));
  marker.bindPopup(pop);
  marker.on('click', () => select(id));
  marker.addTo(markers);
  // which report a marker stands for (tests and assistive tools)
  const el = marker.getElement();
  if (el) el.setAttribute('data-id', id);
  entry.marker = marker;
}

// A list item opens its popup where the user can see it: on a phone the
// map sits above the list, so it is brought on screen first, and the
// report is centred a little low so the popup above it fits too.
function showOnMap(entry) {
  if (!map || !entry.marker) return;
  const el = $('#public-map');
  const r = el.getBoundingClientRect();
  if (r.top < 0 || r.bottom > window.innerHeight) {
    el.scrollIntoView({ block: 'start', behavior: 'instant' });
  }
  map.setView(entry.pos, Math.max(map.getZoom(), 14), { animate: false });
  map.panBy([0, -Math.round(el.clientHeight / 4)], { animate: false });
  entry.marker.openPopup();
}

function select(id) {
  for (const [k, v] of byId) v.li.classList.toggle('is-selected', k === id);
  const v = byId.get(id);
  if (v) v.li.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
}

$('#filters').addEventListener('submit', (ev) => { ev.preventDefault(); load(true); });
$('#f-category').addEventListener('change', () => load(true));
$('#public-more').addEventListener('click', () => { page += 1; load(false); });

// the map after the first page of the list: on a slow link Leaflet must not
// hold up what the citizen came for
function startMap() {
  return makeMap($('#public-map'), { scrollWheelZoom: true }).then((m) => {
    map = m;
    markers = window.L.layerGroup().addTo(map);
    for (const [id, entry] of byId) addMarker(id, entry);
    if (!$('#f-inview').checked) fitAll();
    map.on('moveend', () => { if ($('#f-inview').checked) load(true); });
  }).catch(() => { $('#public-map').hidden = true; });
}

// the list and the categories side by side: one round trip, not two
fillCategories();
onLangChange(async () => { await fillCategories(); load(true); });
load(true).finally(startMap);
