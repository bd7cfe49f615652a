// Staff console: sign in with an ops-minted token (sessionStorage), the
// caller's queue (urgent first, live countdowns), report detail with
// original/edited content, media, history, and the actions the role and
// state allow (js/actions.js, from api.md's table).
import config from '../config.js';
import { t, label, onLangChange } from './i18n.js';
import { h, $, clear, replace } from './dom.js';
import { get, act, staff, decodeJwt, directory, listOf, ApiError } from './api.js';
import {
  initPage, pick, stateOf, titleOf, fmtTime, deadlineList, nextDeadline, countdown, statusBadge,
  resultBlock, mediaList, positionOf, categoryName, agencyName, clearErrors, showError, field, localToRfc3339,
  refreshCountdowns, withMediaUrls,
} from './common.js';
import { STATES, allowedActions, openStep, ONE_CLICK, REJECT_REASONS } from './actions.js';
import { makeMap, dot } from './map.js';
import { watchQueue } from './staff-live.js';

// a return's kind and its label
const RETURN_KINDS = { not_competent: 'f.kind.not_competent', needs_info: 'f.kind.needs_info' };

initPage('staff.html');

let dir = { agencies: [], categories: [] };
let claims = null;
let selected = null;
let refreshTimer = null;

// ---------------------------------------------------------------- sign in
function showSignin(msg) {
  $('#console').hidden = true;
  $('#signin').hidden = false;
  if (msg) showError($('#signin-form'), { display: () => msg });
}

$('#signin-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const form = ev.currentTarget;
  clearErrors(form);
  const tok = $('#token').value.trim().replace(/^Bearer\s+/i, '');
  const c = decodeJwt(tok);
  if (!c || !c.role) return showError(form, { field: 'token', display: () => t('staff.bad_token') });
  if (c.exp && c.exp * 1000 < Date.now()) return showError(form, { field: 'token', display: () => t('staff.expired') });
  staff.set(tok);
  $('#token').value = '';
  // the header's menu depends on the role (dashboard link)
  location.reload();
});

$('#signout').addEventListener('click', () => {
  staff.clear();
  location.hash = '';
  location.reload();
});

function onAuthError(err) {
  if (err && err.status === 401) {
    staff.clear();
    showSignin(err.display());
    return true;
  }
  return false;
}

// ---------------------------------------------------------------- queue
function fillStates() {
  const sel = $('#q-state');
  const cur = sel.value;
  replace(sel, h('option', { value: '' }, t('staff.queue.all')), STATES.map((s) => h('option', { value: s }, label('status', s))));
  sel.value = cur;
}

function sortQueue(items) {
  const due = (r) => { const d = nextDeadline(r); return d ? Date.parse(d.due) : Infinity; };
  return items.map((r, i) => [r, i]).sort((a, b) => (!!b[0].urgent - !!a[0].urgent) || (due(a[0]) - due(b[0])) || (a[1] - b[1])).map((x) => x[0]);
}

// the queue answers no content: an untitled report is named by its
// category and the time it came in
function queueTitle(r) {
  if (pick(r, 'title', 'content', 'content_edited')) return titleOf(r);
  const when = fmtTime(pick(r, 'created_at', 'occurred_at'));
  return [r.category ? categoryName(dir, r.category) : t('common.no_title'), when].filter(Boolean).join(' · ');
}

async function loadQueue() {
  const form = $('#queue-filters');
  clearErrors(form);
  const q = new URLSearchParams();
  if ($('#q-state').value) q.set('state', $('#q-state').value);
  if ($('#q-overdue').checked) q.set('overdue', '1');
  if (config.queueLimit) q.set('limit', String(config.queueLimit));
  let body;
  $('#queue-loading').hidden = false;
  $('#queue-list').setAttribute('aria-busy', 'true');
  try {
    body = await get('/queue' + (q.toString() ? '?' + q : ''));
  } catch (err) {
    if (!onAuthError(err)) showError(form, err);
    return;
  } finally {
    $('#queue-loading').hidden = true;
    $('#queue-list').setAttribute('aria-busy', 'false');
  }
  const items = sortQueue(listOf(body, 'reports', 'queue'));
  const ul = $('#queue-list');
  clear(ul);
  $('#queue-empty').hidden = items.length > 0;
  const total = Number(pick(body, 'total'));
  $('#queue-count').textContent = items.length
    ? (Number.isFinite(total) && total > items.length ? t('staff.queue.partial', { n: items.length, total }) : t('public.count', { n: items.length }))
    : '';
  for (const r of items) {
    const id = String(r.id);
    const nd = nextDeadline(r);
    const state = stateOf(r);
    const overdue = r.overdue === true || (nd && (nd.overdue === true || Date.parse(nd.due) < Date.now()));
    const li = h('li', h('button.queue-item', {
      type: 'button',
      class: [r.urgent ? 'is-urgent' : '', overdue ? 'is-overdue' : '', selected === id ? 'is-selected' : ''].filter(Boolean).join(' ') || null,
      dataset: { id, state },
      onclick: () => { location.hash = 'r=' + encodeURIComponent(id); },
    },
    h('span.q-title', queueTitle(r)),
    h('span.q-due', nd ? countdown(nd.due, nd.overdue === true) : ''),
    h('span.q-meta',
      r.urgent ? h('span.badge.urgent', t('common.urgent')) : null,
      r.hidden ? h('span.badge', t('common.hidden')) : null,
      statusBadge(state),
      nd ? h('span', label('step', nd.step)) : null,
      pick(r, 'category') ? h('span', categoryName(dir, r.category)) : null,
      h('code', id))));
    ul.appendChild(li);
  }
  refreshCountdowns();
  return items;
}

$('#queue-filters').addEventListener('submit', (ev) => { ev.preventDefault(); loadQueue(); });
$('#q-state').addEventListener('change', loadQueue);
$('#q-overdue').addEventListener('change', loadQueue);

$('#open-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const id = $('#open-id').value.trim();
  if (id) location.hash = 'r=' + encodeURIComponent(id);
});

// ---------------------------------------------------------------- detail
async function openDetail(id) {
  selected = id;
  const sec = $('#detail');
  sec.hidden = false;
  $('#layout').classList.add('with-detail');
  document.body.classList.add('detail-open');
  for (const b of document.querySelectorAll('.queue-item')) b.classList.toggle('is-selected', b.dataset.id === id);
  replace(sec, h('p', t('common.loading')));
  let r;
  try {
    r = await get('/reports/' + encodeURIComponent(id));
  } catch (err) {
    if (!onAuthError(err)) replace(sec, backButton(), h('p.notice.error', err.display()));
    return;
  }
  renderDetail(r);
  const top = sec.getBoundingClientRect().top;
  if (top < 0 || top > window.innerHeight * 0.6) sec.scrollIntoView({ block: 'start' });
}

function closeDetail() {
  selected = null;
  $('#detail').hidden = true;
  $('#layout').classList.remove('with-detail');
  document.body.classList.remove('detail-open');
  for (const b of document.querySelectorAll('.queue-item')) b.classList.remove('is-selected');
}

function backButton() {
  return h('button.button.small.secondary.back', { type: 'button', onclick: () => { location.hash = ''; } }, t('common.back'));
}

// a report the caller's agency returned (or had sent elsewhere): the
// server answers where it went and the agency's own return messages only
function renderFormer(r) {
  const sec = $('#detail');
  const id = String(r.id || selected);
  const state = stateOf(r);
  clear(sec);
  sec.dataset.state = state;
  sec.dataset.id = id;
  // every key written out, so the i18n check sees what is named
  const elsewhere = { ioc: 'staff.former.ioc', reporter: 'staff.former.reporter',
    superior: 'staff.former.superior', closed: 'staff.former.closed' };
  const where = r.with === 'agency' && Array.isArray(r.agencies)
    ? t('staff.former.agency', { a: r.agencies.map((a) => agencyName(dir, a)).join(', ') })
    : t(elsewhere[r.with] || 'staff.former.closed');
  sec.append(backButton(),
    h('div.report-head', h('h2', h('code', id)), statusBadge(state)),
    h('p.notice.info#former', t('staff.former.notice') + ' ' + where),
    pick(r, 'updated_at') ? h('p.meta', t('staff.former.updated') + ': ' + fmtTime(r.updated_at)) : null);
  const returns = Array.isArray(r.returns) ? r.returns : [];
  if (returns.length) {
    sec.append(h('h3', t('staff.former.returns')),
      h('ul.history', returns.map((x) => h('li',
        h('span.h-when', fmtTime(x.at)),
        h('span.h-what', RETURN_KINDS[x.kind] ? t(RETURN_KINDS[x.kind]) : ''),
        x.message ? h('span.h-note', x.message) : null))));
  }
}

function renderDetail(r, doneAction) {
  if (r.former_agency === true) return renderFormer(r);
  const sec = $('#detail');
  const id = String(r.id || selected);
  const state = stateOf(r);
  clear(sec);
  sec.dataset.state = state;
  sec.dataset.id = id;
  sec.appendChild(backButton());
  if (doneAction) sec.appendChild(h('p.notice.ok#action-done', t('staff.done', { a: label('action', doneAction) })));
  sec.appendChild(h('div.report-head',
    h('h2', titleOf(r)),
    statusBadge(state),
    r.urgent ? h('span.badge.urgent', t('common.urgent')) : null,
    r.hidden ? h('span.badge', t('common.hidden')) : null,
    r.published ? h('span.badge.ok', t('common.published')) : null,
    r.overdue ? h('span.badge.bad', t('common.overdue')) : null));
  sec.appendChild(h('div.meta',
    h('span', t('common.id') + ': ', h('code', id)),
    pick(r, 'category') ? h('span', t('common.category') + ': ' + categoryName(dir, r.category)) : null,
    pick(r, 'channel') ? h('span', t('staff.channel') + ': ' + label('channel', r.channel)) : null,
    pick(r, 'created_at', 'submitted_at') ? h('span', t('common.submitted_at') + ': ' + fmtTime(pick(r, 'created_at', 'submitted_at'))) : null,
    pick(r, 'occurred_at') ? h('span', t('common.occurred_at') + ': ' + fmtTime(r.occurred_at)) : null));

  // original and edited content
  const original = pick(r, 'content_original', 'original_content', 'original.content', 'content.original');
  const edited = pick(r, 'content_edited', 'edited_content', 'content.edited');
  const content = typeof r.content === 'string' ? r.content : null;
  if (original && (edited || content) && (edited || content) !== original) {
    sec.appendChild(h('div.compare',
      h('div', h('h3', t('staff.original')), h('p.content-text', original)),
      h('div', h('h3', t('staff.edited')), h('p.content-text', edited || content))));
  } else {
    sec.appendChild(h('p.content-text', original || edited || content || ''));
  }

  if (Array.isArray(r.media) && r.media.length) {
    sec.appendChild(h('h3', t('common.media')));
    sec.appendChild(mediaList(withMediaUrls(id, r.media), { details: true, authHeaders: { Authorization: 'Bearer ' + staff.token() } }));
  }

  const pos = positionOf(r);
  if (pos) {
    sec.appendChild(h('h3', t('common.location')));
    sec.appendChild(h('p.meta', pos[0].toFixed(5) + ', ' + pos[1].toFixed(5)));
    const mapEl = h('div.map.small-map.detail-map');
    sec.appendChild(mapEl);
    requestAnimationFrame(() => {
      makeMap(mapEl, { center: pos, zoom: 15 })
        .then((m) => dot(pos).addTo(m))
        .catch(() => { mapEl.hidden = true; });
    });
  }

  // the server's duplicate hints (IOC): same category, close by, close in time
  const dups = Array.isArray(r.duplicate_hints) ? r.duplicate_hints : [];
  if (dups.length) {
    sec.appendChild(h('h3', t('staff.duplicates')));
    sec.appendChild(h('ul.duplicates#duplicates', dups.map((d) => h('li',
      h('a', { href: '#r=' + encodeURIComponent(d.id) }, h('code', String(d.id))), ' ',
      statusBadge(d.status), ' ',
      h('span.msg-meta', t('staff.duplicates.item', { m: d.distance_m, t: fmtTime(d.submitted_at) }))))));
  }

  if (Array.isArray(r.deadlines) && r.deadlines.length) {
    sec.appendChild(h('h3', t('track.deadlines')));
    sec.appendChild(deadlineList(r.deadlines, dir, state));
  }

  const asg = assignmentsOf(r);
  if (asg.length) {
    sec.appendChild(h('h3', t('staff.assignments')));
    sec.appendChild(h('ul', asg.map((a) => h('li', agencyName(dir, a.agency) + (a.lead ? ' (' + t('staff.lead') + ')' : '')))));
  }

  if (claims.role === 'ioc' || claims.role === 'handler' || claims.role === 'supervisor') sec.appendChild(reporterBlock(id));

  const res = resultBlock(r, dir, {
    mapMedia: (m) => withMediaUrls(id, m),
    media: { authHeaders: { Authorization: 'Bearer ' + staff.token() } },
  });
  if (res) sec.append(h('h3', t('track.result')), res);
  if (Array.isArray(r.comments) && r.comments.length) {
    sec.appendChild(h('h3', t('track.comments')));
    sec.appendChild(h('ul.comments', r.comments.map((c) => h('li',
      h('span.msg-meta', [pick(c, 'id'), fmtTime(pick(c, 'at', 'created_at'))].filter(Boolean).join(' · ')),
      h('span.content-text', pick(c, 'text') || ''),
      c.reply ? h('div.reply', h('span.content-text', pick(c, 'reply.text', 'reply') || '')) : null))));
  }

  sec.appendChild(actionsBlock(r));

  const hist = h('div#history');
  sec.append(h('h3', t('staff.history')), hist);
  loadHistory(id, hist);
  refreshCountdowns();
}

function assignmentsOf(r) {
  const a = pick(r, 'assignments');
  if (Array.isArray(a)) return a.map((x, i) => (typeof x === 'string' ? { agency: x, lead: i === 0 } : { agency: pick(x, 'agency', 'agency_id', 'id'), lead: x.lead === true || x.role === 'lead' || (x.lead === undefined && i === 0) }));
  const ag = pick(r, 'agencies');
  if (Array.isArray(ag)) return ag.map((x, i) => ({ agency: typeof x === 'string' ? x : pick(x, 'id', 'agency'), lead: i === 0 }));
  return [];
}

async function loadHistory(id, el) {
  let body;
  try {
    body = await get('/reports/' + encodeURIComponent(id) + '/history');
  } catch (err) {
    replace(el, h('p.hint', err.display()));
    return;
  }
  const items = listOf(body, 'history', 'transitions');
  if (!items.length) { replace(el, h('p.hint', t('staff.history.none'))); return; }
  replace(el, h('ul.history', items.map((x) => h('li',
    h('span.h-when', [fmtTime(x.at), x.role ? label('role', x.role) : '', x.actor && x.actor !== x.role ? x.actor : ''].filter(Boolean).join(' · ')),
    h('span.h-what', label('action', x.action) + (x.from || x.to ? ': ' + [x.from ? label('status', x.from) : '', x.to ? label('status', x.to) : ''].filter(Boolean).join(' → ') : '')),
    x.note ? h('span.h-note', typeof x.note === 'string' ? x.note : JSON.stringify(x.note)) : null))));
}

function reporterBlock(id) {
  const box = h('div#reporter-box');
  const out = h('div');
  box.append(h('h3', t('staff.reporter')),
    h('button.button.small.secondary', {
      type: 'button',
      onclick: async (ev) => {
        ev.currentTarget.disabled = true;
        try {
          const p = await get('/reports/' + encodeURIComponent(id) + '/reporter');
          replace(out, h('dl.kv',
            h('dt', t('submit.name')), h('dd', pick(p, 'reporter_name', 'name') || ''),
            h('dt', t('submit.phone')), h('dd', pick(p, 'reporter_phone', 'phone') || ''),
            h('dt', t('submit.email')), h('dd', pick(p, 'reporter_email', 'email') || '')));
        } catch (err) {
          replace(out, h('p.notice.warn', err.display()));
        }
      },
    }, t('staff.reporter.show')),
    h('small.hint', t('staff.reporter.audit')),
    out);
  return box;
}

// ---------------------------------------------------------------- actions
function actionsBlock(r) {
  const box = h('div#actions');
  box.appendChild(h('h3', t('staff.actions')));
  const names = allowedActions(claims.role, r);
  // publish is not offered until the coordinator confirms: say why
  if (claims.role === 'ioc' && (r.status || r.state) === 'under_review' && openStep(r, 'confirm')) {
    box.appendChild(h('p.hint', t('staff.actions.await_confirm')));
  }
  if (!names.length) {
    box.appendChild(h('p.hint', t('staff.actions.none')));
    return box;
  }
  const formSlot = h('div.form-slot');
  const out = h('p.form-error', { role: 'alert', hidden: true });
  const btns = h('div.action-buttons', names.map((name) => h('button.button', {
    type: 'button',
    class: ['reject', 'hide', 'escalate'].includes(name) ? 'danger' : (ONE_CLICK.includes(name) ? 'primary' : 'secondary'),
    dataset: { action: name },
    onclick: async (ev) => {
      out.hidden = true;
      if (ONE_CLICK.includes(name)) {
        ev.currentTarget.disabled = true;
        try {
          await submitAction(r, name, {}, null);
        } catch (err) {
          ev.currentTarget.disabled = false;
          if (!onAuthError(err)) { out.textContent = err.display ? err.display() : String(err); out.hidden = false; }
        }
        return;
      }
      replace(formSlot, actionForm(r, name));
      const first = formSlot.querySelector('textarea, input, select');
      if (first) first.focus();
    },
  }, label('action', name))));
  box.append(btns, out, formSlot);
  return box;
}

async function submitAction(r, name, fields, files, onProgress) {
  const id = String(r.id || selected);
  const res = await act(id, name, fields, files, undefined, onProgress);
  const updated = res && (res.id || res.status) ? res : await get('/reports/' + encodeURIComponent(id));
  renderDetail(updated.id ? updated : { ...r, ...updated }, name);
  loadQueue();
}

// agencies grouped by kind (wards/communes, departments, districts, ...);
// the IOC itself is never a handler
const KIND_ORDER = ['ward', 'commune', 'department', 'district', 'police', 'utility', 'coordinator', 'superior', 'province'];
function agencyOptions(filter) {
  const list = dir.agencies.filter((a) => a.kind !== 'ioc').filter(filter || (() => true));
  const kinds = [...new Set(list.map((a) => a.kind || ''))];
  kinds.sort((a, b) => (KIND_ORDER.indexOf(a) + 1 || 99) - (KIND_ORDER.indexOf(b) + 1 || 99));
  const opts = [h('option', { value: '' }, t('f.choose'))];
  if (kinds.length <= 1) return [opts, list.map((a) => h('option', { value: a.id }, a.name))];
  for (const k of kinds) {
    opts.push(h('optgroup', { label: label('kind', k || 'other') },
      list.filter((a) => (a.kind || '') === k).map((a) => h('option', { value: a.id }, a.name))));
  }
  return opts;
}

// the caller's open handling deadline (ms), the earliest an extension
// may reach
function currentResolveDue(r) {
  const d = (Array.isArray(r.deadlines) ? r.deadlines : []).find((x) => x.step === 'resolve'
    && x.met === undefined && (!x.agency || x.agency === claims.agency));
  const ms = d ? Date.parse(d.due) : NaN;
  return Number.isFinite(ms) ? ms : null;
}

// ms -> "YYYY-MM-DDTHH:MM" in the browser's zone (a datetime-local value),
// rounded up to the minute
function localInputValue(ms) {
  const d = new Date(Math.ceil(ms / 60000) * 60000);
  const two = (n) => String(n).padStart(2, '0');
  return d.getFullYear() + '-' + two(d.getMonth() + 1) + '-' + two(d.getDate())
    + 'T' + two(d.getHours()) + ':' + two(d.getMinutes());
}

function textarea(value, rows = 3) {
  const el = h('textarea', { rows });
  if (value) el.value = value;
  return el;
}

function actionForm(r, name) {
  const form = h('form.action-form', { novalidate: true, dataset: { action: name } });
  form.append(h('h3', label('action', name)), h('p.form-error', { role: 'alert', hidden: true }));
  const get_ = {};   // field name -> () => value
  const files = [];
  const add = (apiName, labelKey, input, read, hint) => {
    form.appendChild(field(apiName, labelKey, input, hint));
    get_[apiName] = read || (() => input.value.trim());
  };

  switch (name) {
    case 'request_info':
    case 'send_back':
    case 'review_return':
    case 'escalate':
      add('message', 'f.message', textarea('', 4));
      break;
    case 'reject': {
      const sel = h('select', h('option', { value: '' }, t('f.choose')), REJECT_REASONS.map((x) => h('option', { value: x }, label('reason', x))));
      add('reason', 'f.reason', sel);
      add('message', 'f.message', textarea('', 3));
      break;
    }
    case 'receive': {
      add('content', 'f.content', textarea(pick(r, 'content_edited', 'edited_content', 'content') || '', 6), null);
      get_.content = () => form.querySelector('[name=content]').value;
      const cat = h('select', h('option', { value: '' }, t('f.choose')), dir.categories.map((c) => h('option', { value: c.id }, c.name)));
      cat.value = r.category || '';
      add('category', 'f.category', cat);
      const urgent = h('input', { type: 'checkbox', checked: !!r.urgent });
      add('urgent', 'f.urgent', urgent, () => urgent.checked);
      const sens = h('input', { type: 'checkbox', checked: !!r.sensitive });
      add('sensitive', 'f.sensitive', sens, () => sens.checked);
      break;
    }
    case 'dispatch':
    case 'identify': {
      const lead = h('select', agencyOptions());
      const checks = h('div.agency-checks', dir.agencies.filter((a) => a.kind !== 'ioc').map((a) => h('label', h('input', { type: 'checkbox', value: a.id, name: 'co' }), a.name)));
      const wrap = h('div.field', { dataset: { field: 'agencies' } },
        h('label', { for: 'f-lead' }, t('f.lead')), lead,
        h('label.sub', t('f.cooperate')), checks,
        h('p.field-error', { role: 'alert', hidden: true }));
      lead.id = 'f-lead';
      lead.name = 'agencies';
      form.appendChild(wrap);
      get_.agencies = () => {
        const l = lead.value;
        const co = Array.from(checks.querySelectorAll('input:checked')).map((i) => i.value).filter((v) => v !== l);
        return l ? [l, ...co] : co;
      };
      if (name === 'identify') add('message', 'f.message', textarea('', 3));
      break;
    }
    case 'coordinate': {
      const coord = dir.agencies.filter((a) => /coord/i.test(a.kind || ''));
      add('coordinator', 'f.coordinator', h('select', agencyOptions(coord.length ? (a) => coord.includes(a) : null)));
      break;
    }
    case 'return': {
      const kind = h('select', h('option', { value: 'not_competent' }, t('f.kind.not_competent')), h('option', { value: 'needs_info' }, t('f.kind.needs_info')));
      add('kind', 'f.kind', kind);
      add('message', 'f.message', textarea('', 3));
      add('suggested_agency', 'f.suggested_agency', h('select', agencyOptions((a) => a.id !== claims.agency)));
      break;
    }
    case 'extend': {
      // the handler asks for the date it needs, after the current deadline
      // (a count of days from now could land before it)
      const until = h('input', { type: 'datetime-local', required: true });
      const cur = currentResolveDue(r);
      if (cur) until.min = localInputValue(cur + 60000);
      add('until', 'f.until', until, () => localToRfc3339(until.value));
      if (cur) until.after(h('small.hint', t('f.until.after', { d: fmtTime(new Date(cur).toISOString()) })));
      add('reason', 'f.reason_text', textarea('', 3));
      break;
    }
    case 'approve_extension':
    case 'reject_extension': {
      // whose request: the agencies waiting, with the date each asked for
      const asked = (r.deadlines || []).filter((d) => d.extension_requested);
      add('agency', 'f.agency', h('select', asked.map((d) => h('option', { value: d.agency },
        (d.agency || '') + ' → ' + fmtTime(d.extension_requested)))));
      add('message', 'f.message', textarea('', 3));
      break;
    }
    case 'resolve': {
      add('summary', 'f.summary', textarea('', 6));
      const sal = h('input', { type: 'text', value: 'Ông/Bà' });
      add('salutation', 'f.salutation', sal);
      const fi = h('input', { type: 'file', accept: 'image/*,video/*', multiple: true, capture: 'environment' });
      form.appendChild(field('media', 'f.media', fi));
      fi.addEventListener('change', () => { files.length = 0; files.push(...Array.from(fi.files || [])); });
      break;
    }
    case 'approve':
      add('summary', 'f.summary', textarea(pick(r, 'result.summary') || '', 6));
      add('message', 'f.message', textarea('', 2));
      break;
    case 'confirm': {
      const agree = h('input', { type: 'checkbox', checked: true });
      add('agree', 'f.agree', agree, () => agree.checked);
      break;
    }
    case 'publish': {
      const secret = h('input', { type: 'checkbox' });
      add('secret', 'f.secret', secret, () => secret.checked);
      break;
    }
    case 'hide':
    case 'unhide':
      add('reason', 'f.reason_text', textarea('', 2));
      break;
    case 'forward_monitoring':
      add('agency', 'f.agency', h('select', agencyOptions()));
      add('message', 'f.message', textarea('', 3));
      break;
    case 'reply': {
      const open = (Array.isArray(r.comments) ? r.comments : []).filter((c) => !c.reply);
      let sel;
      if (open.length) sel = h('select', open.map((c) => h('option', { value: c.id }, (c.id ? c.id + ': ' : '') + String(c.text || '').slice(0, 60))));
      else sel = h('input', { type: 'text' });
      add('comment_id', 'f.comment', sel);
      add('text', 'f.text', textarea('', 4));
      break;
    }
    default:
      break;
  }

  const progress = h('progress', { max: 1, value: 0, hidden: true });
  form.append(h('div.submit-bar',
    h('button.button.primary', { type: 'submit' }, label('action', name)),
    h('button.button.secondary', { type: 'button', onclick: () => form.remove() }, t('common.cancel')),
    progress));

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const fields = {};
    for (const [k, read] of Object.entries(get_)) {
      const v = read();
      if (v === '' || v === undefined || (Array.isArray(v) && !v.length)) continue;
      fields[k] = v;
    }
    const btn = form.querySelector('button[type=submit]');
    btn.disabled = true;
    if (files.length) progress.hidden = false;
    try {
      await submitAction(r, name, fields, files.length ? files : null, (f) => { if (f !== null) progress.value = f; });
    } catch (err) {
      btn.disabled = false;
      progress.hidden = true;
      if (!onAuthError(err)) showError(form, err instanceof ApiError ? err : new ApiError(0, null));
    }
  });
  return form;
}

// ---------------------------------------------------------------- start
async function start() {
  const tok = staff.token();
  claims = tok ? decodeJwt(tok) : null;
  if (!claims || (claims.exp && claims.exp * 1000 < Date.now())) {
    if (tok) staff.clear();
    showSignin(tok ? t('staff.expired') : null);
    return;
  }
  $('#signin').hidden = true;
  $('#console').hidden = false;
  $('#who-role').textContent = label('role', claims.role);
  dir = await directory();
  $('#who-agency').textContent = [claims.agency ? agencyName(dir, claims.agency) : '', claims.sub ? '(' + claims.sub + ')' : ''].filter(Boolean).join(' ');
  fillStates();
  await loadQueue();
  route();
  window.addEventListener('hashchange', route);
  // the queue follows the events stream; the timer is the fallback
  // when the stream is down (a proxy that refuses it, an old browser)
  const refresh = watchQueue(loadQueue, staff.token(), onAuthError);
  refreshTimer = setInterval(refresh, (config.queueRefreshSeconds || 60) * 1000);
  onLangChange(() => {
    $('#who-role').textContent = label('role', claims.role);
    fillStates();
    loadQueue();
    if (selected) openDetail(selected);
  });
}

function route() {
  const m = location.hash.match(/r=([^&]+)/);
  if (m) openDetail(decodeURIComponent(m[1]));
  else closeDetail();
}

start();
