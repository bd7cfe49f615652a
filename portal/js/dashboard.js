// Dashboard: GET /api/v1/stats?from=&to= (ioc, supervisor, admin), per
// agency: on time vs overdue (stacked bars), satisfaction rate with the
// 70% line, flags.  Hand-drawn SVG, no chart library.
import { t, label, onLangChange } from './i18n.js';
import { h, s, $, clear, replace } from './dom.js';
import { get, download, staff, directory } from './api.js';
import { initPage, pick, agencyName, showError, clearErrors } from './common.js';

initPage('dashboard.html');

const THRESHOLD = 0.7;
let dir = { agencies: [], categories: [] };
let rows = [];

function ymd(d) {
  return new Date(d.getTime() + 7 * 3600000).toISOString().slice(0, 10);
}

function num(v) {
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
}

// the per-agency list, whatever wrapper the server uses
function normalise(body) {
  let list = null;
  if (Array.isArray(body)) list = body;
  else if (body && typeof body === 'object') {
    for (const k of ['agencies', 'per_agency', 'stats', 'items', 'data']) {
      const v = body[k];
      if (Array.isArray(v)) { list = v; break; }
      if (v && typeof v === 'object') { list = Object.entries(v).map(([id, x]) => ({ agency: id, ...x })); break; }
    }
    if (!list) {
      list = Object.entries(body).filter(([, x]) => x && typeof x === 'object' && ('dispatched' in x || 'resolved' in x))
        .map(([id, x]) => ({ agency: id, ...x }));
    }
  }
  return (list || []).map((x) => {
    const id = pick(x, 'agency', 'agency_id', 'id');
    const ratings = x.ratings || {};
    const sat = num(ratings.satisfied);
    const acc = num(ratings.acceptable);
    const uns = num(ratings.unsatisfied);
    const n = sat + acc + uns;
    let rate = x.satisfaction_rate;
    rate = rate === null || rate === undefined || rate === '' ? (n ? sat / n : null) : Number(rate);
    return {
      id: typeof id === 'object' ? pick(id, 'id') : id,
      name: pick(x, 'name', 'agency_name') || agencyName(dir, typeof id === 'object' ? id.id : id),
      dispatched: num(x.dispatched),
      resolved: num(x.resolved),
      on_time: num(x.on_time),
      overdue: num(x.overdue),
      in_progress: num(x.in_progress),
      ratings: { satisfied: sat, acceptable: acc, unsatisfied: uns },
      nratings: n,
      rate: Number.isFinite(rate) ? rate : null,
      flags: Array.isArray(x.flags) ? x.flags.map(String) : [],
    };
  });
}

function shortName(n, max = 26) {
  n = String(n || '');
  return n.length > max ? n.slice(0, max - 1) + '…' : n;
}

// geometry follows the container: wide screens put the agency name left of
// the bar, narrow ones above it, so the text keeps a readable size
function geometry(el) {
  const w = Math.max(300, Math.round((el && el.clientWidth) || 640));
  const narrow = w < 560;
  return {
    W: w,
    narrow,
    LABEL_W: narrow ? 0 : 190,
    ROW_H: narrow ? 48 : 34,
    BAR_H: 20,
    BAR_DY: narrow ? 18 : 0,
    NAME_MAX: narrow ? Math.floor(w / 7.5) : 26,
  };
}

function nameLabel(g, r, y) {
  if (g.narrow) return s('text', { class: 'name', x: 0, y: y + 12 }, s('title', { text: r.name }), shortName(r.name, g.NAME_MAX));
  return s('text', { class: 'name', x: g.LABEL_W - 8, y: y + g.BAR_H / 2 + 4, 'text-anchor': 'end' }, s('title', { text: r.name }), shortName(r.name, g.NAME_MAX));
}

function ontimeChart(list, g) {
  const max = Math.max(1, ...list.map((r) => r.on_time + r.overdue + r.in_progress));
  const height = list.length * g.ROW_H + 26;
  const x0 = g.LABEL_W;
  const plot = g.W - x0 - 16;
  const svg = s('svg', { class: 'chart', viewBox: `0 0 ${g.W} ${height}`, width: g.W, height, role: 'img', 'aria-label': t('dash.ontime_chart') });
  list.forEach((r, i) => {
    const top = i * g.ROW_H + 6;
    const y = top + g.BAR_DY;
    svg.appendChild(nameLabel(g, r, top));
    let x = x0;
    for (const [key, cls] of [['on_time', 'c-ontime'], ['overdue', 'c-overdue'], ['in_progress', 'c-progress']]) {
      const v = r[key];
      if (!v) continue;
      const w = (v / max) * plot;
      svg.appendChild(s('rect', { class: cls, x, y, width: Math.max(w, 1), height: g.BAR_H, rx: 3, 'data-agency': r.id, 'data-key': key, 'data-value': v },
        s('title', { text: `${r.name}: ${t('dash.' + key)} ${v}` })));
      if (w > 18) svg.appendChild(s('text', { class: 'value', x: x + w / 2, y: y + g.BAR_H / 2 + 4, 'text-anchor': 'middle' }, String(v)));
      x += w;
    }
    const total = r.on_time + r.overdue + r.in_progress;
    if (!total) svg.appendChild(s('text', { class: 'value dark', x: x0 + 4, y: y + g.BAR_H / 2 + 4 }, '0'));
    // segments too short for their number: the total beside the bar
    else if ([r.on_time, r.overdue, r.in_progress].some((v) => v && (v / max) * plot <= 18)) {
      svg.appendChild(s('text', { class: 'value dark', x: x + 6, y: y + g.BAR_H / 2 + 4 }, String(total)));
    }
  });
  svg.appendChild(s('line', { class: 'axis', x1: x0, x2: x0, y1: 0, y2: height - 20 }));
  svg.appendChild(s('text', { x: x0, y: height - 4 }, '0'));
  svg.appendChild(s('text', { x: g.W - 16, y: height - 4, 'text-anchor': 'end' }, String(max)));
  return svg;
}

function satisfactionChart(list, g) {
  const height = list.length * g.ROW_H + 30;
  const x0 = g.LABEL_W;
  const plot = g.W - x0 - 100;
  const svg = s('svg', { class: 'chart', viewBox: `0 0 ${g.W} ${height}`, width: g.W, height, role: 'img', 'aria-label': t('dash.sat_chart') });
  const line = s('g');   // drawn first: the names and bars go over it
  svg.appendChild(line);
  list.forEach((r, i) => {
    const top = i * g.ROW_H + 18;
    const y = top + g.BAR_DY;
    svg.appendChild(nameLabel(g, r, top));
    svg.appendChild(s('rect', { class: 'c-none', x: x0, y, width: plot, height: g.BAR_H, rx: 3 }));
    if (r.rate === null) {
      svg.appendChild(s('text', { class: 'value dark', x: x0 + 6, y: y + g.BAR_H / 2 + 4 }, t('dash.no_ratings')));
      return;
    }
    const w = Math.max(1, r.rate * plot);
    svg.appendChild(s('rect', { class: 'c-sat' + (r.rate < THRESHOLD ? ' low' : ''), x: x0, y, width: w, height: g.BAR_H, rx: 3, 'data-agency': r.id, 'data-value': r.rate },
      s('title', { text: `${r.name}: ${Math.round(r.rate * 100)}% (${r.nratings})` })));
    svg.appendChild(s('text', { class: 'value dark', x: x0 + plot + 6, y: y + g.BAR_H / 2 + 4 }, Math.round(r.rate * 100) + '% (' + r.nratings + ')'));
  });
  const x70 = x0 + THRESHOLD * plot;
  line.appendChild(s('line', { class: 'axis', x1: x0, x2: x0, y1: 12, y2: height - 8 }));
  svg.appendChild(s('line', { class: 'threshold', x1: x70, x2: x70, y1: 12, y2: height - 8 }));
  svg.appendChild(s('text', { class: 'threshold-label', x: x70, y: 10, 'text-anchor': 'middle' }, '70%'));
  // names stay readable where the dashed line crosses them
  for (const el of svg.querySelectorAll('text.name')) svg.appendChild(el);
  return svg;
}

function table(list) {
  const tbl = $('#stats-table');
  clear(tbl);
  const cols = ['dispatched', 'resolved', 'on_time', 'overdue', 'in_progress'];
  tbl.appendChild(h('thead', h('tr',
    h('th', { scope: 'col' }, t('dash.agency')),
    cols.map((c) => h('th', { scope: 'col' }, t('dash.' + c))),
    h('th', { scope: 'col' }, t('dash.ratings')),
    h('th', { scope: 'col' }, t('dash.satisfaction')),
    h('th', { scope: 'col' }, t('dash.flags')))));
  const tb = h('tbody');
  for (const r of list) {
    tb.appendChild(h('tr', { class: r.flags.length ? 'flagged' : null, dataset: { agency: r.id || '' } },
      h('td', r.name),
      cols.map((c) => h('td', { dataset: { col: c } }, String(r[c]))),
      h('td', `${r.ratings.satisfied}/${r.ratings.acceptable}/${r.ratings.unsatisfied}`),
      h('td', { dataset: { col: 'satisfaction_rate' } }, r.rate === null ? '—' : Math.round(r.rate * 100) + '%'),
      h('td', r.flags.map((f) => h('span.badge.bad', label('flag', f))))));
  }
  tbl.appendChild(tb);
}

function totals(list) {
  const sum = (k) => list.reduce((a, r) => a + r[k], 0);
  const n = list.reduce((a, r) => a + r.nratings, 0);
  const sat = list.reduce((a, r) => a + (r.rate === null ? 0 : r.rate * r.nratings), 0);
  replace($('#totals'),
    ['dispatched', 'resolved', 'on_time', 'overdue', 'in_progress'].map((k) => h('div', { class: k === 'overdue' ? 't-bad' : (k === 'on_time' ? 't-ok' : null), dataset: { total: k } },
      h('strong', String(sum(k))), h('span', t('dash.' + k)))),
    h('div', { dataset: { total: 'satisfaction_rate' } }, h('strong', n ? Math.round((sat / n) * 100) + '%' : '—'), h('span', t('dash.satisfaction'))));
}

function render() {
  const list = rows.slice().sort((a, b) => b.dispatched - a.dispatched || String(a.name).localeCompare(String(b.name)));
  $('#dash-empty').hidden = list.length > 0;
  totals(list);
  replace($('#chart-ontime'), list.length ? ontimeChart(list, geometry($('#chart-ontime'))) : null);
  replace($('#chart-sat'), list.length ? satisfactionChart(list, geometry($('#chart-sat'))) : null);
  table(list);
}

async function load() {
  const form = $('#dash-form');
  clearErrors(form);
  const q = new URLSearchParams({ from: $('#d-from').value, to: $('#d-to').value });
  $('#dash-loading').hidden = false;
  $('#stats-table').setAttribute('aria-busy', 'true');
  try {
    rows = normalise(await get('/stats?' + q));
  } catch (err) {
    if (err.status === 401 || err.status === 403) $('#dash-signin').hidden = false;
    showError(form, err);
    rows = [];
  } finally {
    $('#dash-loading').hidden = true;
    $('#stats-table').setAttribute('aria-busy', 'false');
  }
  render();
}

// the same range as a spreadsheet (the server escapes formula cells)
async function csv() {
  const form = $('#dash-form');
  clearErrors(form);
  const q = new URLSearchParams({ from: $('#d-from').value, to: $('#d-to').value, format: 'csv' });
  try {
    await download('/stats?' + q, 'pa-stats.csv');
  } catch (err) {
    showError(form, err);
  }
}

async function start() {
  const now = new Date();
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  $('#d-from').value = ymd(first).slice(0, 8) + '01';
  $('#d-to').value = ymd(now);
  const params = new URLSearchParams(location.hash.slice(1));
  if (params.get('from')) $('#d-from').value = params.get('from');
  if (params.get('to')) $('#d-to').value = params.get('to');
  if (!staff.token()) { $('#dash-signin').hidden = false; return; }
  dir = await directory();
  $('#dash-form').addEventListener('submit', (ev) => { ev.preventDefault(); load(); });
  $('#d-csv').addEventListener('click', csv);
  onLangChange(render);
  let lastW = 0;
  window.addEventListener('resize', () => {
    const w = $('#chart-ontime').clientWidth;
    if (Math.abs(w - lastW) > 20) { lastW = w; render(); }
  });
  load();
}

start();
