// Citizen page: my reports (id + access token kept in localStorage),
// status, deadlines, supplement requests, result, rating, comments.
import { t, label, onLangChange } from './i18n.js';
import { h, $, clear, replace } from './dom.js';
import { get, act, mine, directory, ApiError } from './api.js';
import {
  initPage, pick, stateOf, titleOf, fmtTime, deadlineList, statusBadge, resultBlock,
  mediaList, clearErrors, showError, field, categoryName, withMediaUrls,
} from './common.js';
import { followReport } from './track-live.js';

initPage('track.html');

const section = $('#report');
let current = null;   // {id, token}

const CANCELLABLE = ['submitted', 'needs_info', 'verified', 'received', 'coordinating', 'dispatched'];

// ---------------------------------------------------------------- my list
function renderList() {
  const ul = $('#my-list');
  clear(ul);
  const list = mine.list();
  $('#my-empty').hidden = list.length > 0;
  for (const r of list) {
    ul.appendChild(h('li', { dataset: { id: r.id } },
      h('code', r.id),
      h('span.my-title', r.title || ''),
      h('button.button.small.primary', { type: 'button', onclick: () => open(r.id, r.token) }, t('track.open')),
      h('button.button.small.danger', {
        type: 'button',
        'aria-label': t('track.forget') + ': ' + r.id,
        onclick: () => {
          // the access token may be stored nowhere else: losing it loses
          // the report (no follow-up, no rating)
          if (!window.confirm(t('track.forget.confirm', { id: r.id }))) return;
          mine.remove(r.id);
          renderList();
          if (current && current.id === r.id) section.hidden = true;
        },
      }, t('track.forget'))));
  }
}

$('#lookup-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const form = ev.currentTarget;
  clearErrors(form);
  const id = $('#lookup-id').value.trim();
  const token = $('#lookup-token').value.trim();
  if (!id) return showError(form, { field: 'id', display: () => t('common.required') });
  if (!token) return showError(form, { field: 'token', display: () => t('common.required') });
  open(id, token, true);
});

// ---------------------------------------------------------------- detail
async function open(id, token, save) {
  current = { id, token };
  section.hidden = false;
  replace(section, h('p', t('common.loading')));
  location.hash = 'id=' + encodeURIComponent(id);
  let r;
  try {
    r = await get('/reports/' + encodeURIComponent(id), { reportToken: token });
  } catch (err) {
    replace(section, h('p.notice.error', err.status === 404 || err.status === 401 ? t('track.not_found') : err.display()));
    return;
  }
  if (save) {
    mine.save({ id, token, title: titleOf(r), created_at: pick(r, 'created_at', 'submitted_at') || new Date().toISOString() });
    renderList();
  }
  await render(r);
  followReport(id, token, () => reloadQuietly(id, token));
}

// An event of the open report: read it again and show it, unless the
// reporter is writing in one of its forms (a supplement, a comment): then
// only say that something changed.
async function reloadQuietly(id, token) {
  let r;
  try {
    r = await get('/reports/' + encodeURIComponent(id), { reportToken: token });
  } catch (err) {
    return;
  }
  if (!current || current.id !== id) return;
  const writing = [...section.querySelectorAll('textarea, input[type=text], input[type=file]')].some((e) => e.value);
  const note = h('p.notice.info.live-updated', { role: 'status' }, t('track.live.updated'));
  if (writing) {
    if (!section.querySelector('.live-updated')) section.prepend(note);
    return;
  }
  await render(r);
  section.prepend(note);
}

async function render(r) {
  const dir = await directory();
  const state = stateOf(r);
  const id = r.id || current.id;
  clear(section);
  section.dataset.state = state;

  section.appendChild(h('div.report-head',
    h('h2', titleOf(r)),
    statusBadge(state),
    r.urgent ? h('span.badge.urgent', t('common.urgent')) : null,
    r.published ? h('span.badge.ok', t('common.published')) : null));
  section.appendChild(h('div.meta',
    h('span', t('common.id') + ': ', h('code', id)),
    pick(r, 'category') ? h('span', t('common.category') + ': ' + categoryName(dir, r.category)) : null,
    pick(r, 'created_at', 'submitted_at') ? h('span', t('common.submitted_at') + ': ' + fmtTime(pick(r, 'created_at', 'submitted_at'))) : null,
    pick(r, 'occurred_at') ? h('span', t('common.occurred_at') + ': ' + fmtTime(r.occurred_at)) : null));
  const content = pick(r, 'content', 'content_edited', 'description');
  if (content) section.appendChild(h('p.content-text', content));
  // the reporter's own originals, fetched with the report's token
  const auth = { authHeaders: { 'X-Report-Token': current.token } };
  if (Array.isArray(r.media) && r.media.length) section.appendChild(mediaList(withMediaUrls(id, r.media), auth));

  if (state === 'rejected') {
    const reason = pick(r, 'reject_reason', 'reason', 'rejection.reason');
    if (reason) section.appendChild(h('p.notice.warn', t('f.reason') + ': ' + label('reason', reason)));
  }

  // deadlines
  if (Array.isArray(r.deadlines) && r.deadlines.length) {
    section.appendChild(h('h3', t('track.deadlines')));
    section.appendChild(deadlineList(r.deadlines, dir, state));
  }

  // messages (requests for a supplement and other notices)
  const msgs = messagesOf(r);
  section.appendChild(h('h3', t('track.messages')));
  if (msgs.length) {
    const ul = h('ul.messages');
    for (const m of msgs) {
      const ask = /request_info|needs_info|supplement_request/.test(String(m.kind || '')) || (state === 'needs_info' && m === msgs[msgs.length - 1]);
      ul.appendChild(h('li', { class: ask ? 'ask' : null },
        h('span.msg-meta', [m.at ? fmtTime(m.at) : '', m.from ? label('role', m.from) : '', m.kind ? label('action', m.kind) : ''].filter(Boolean).join(' · ')),
        h('span.content-text', m.text)));
    }
    section.appendChild(ul);
  } else {
    section.appendChild(h('p.hint', t('track.messages.none')));
  }

  if (state === 'needs_info') section.appendChild(supplementForm(id));

  // result, rating, comments
  const res = resultBlock(r, dir, { mapMedia: (m) => withMediaUrls(id, m), media: auth });
  if (res || state === 'resolved') {
    section.appendChild(h('h3', t('track.result')));
    section.appendChild(res || h('p.hint', t('track.result.none')));
  }
  if (state === 'resolved') {
    section.appendChild(ratingBlock(id, r));
    section.appendChild(commentsBlock(id, r));
  }

  if (CANCELLABLE.includes(state)) {
    const box = h('div.actions-row');
    const out = h('p.form-error', { role: 'alert', hidden: true });
    box.appendChild(h('button.button.danger', {
      type: 'button',
      id: 'cancel-report',
      onclick: async (ev) => {
        if (!window.confirm(t('track.cancel.confirm'))) return;
        ev.currentTarget.disabled = true;
        try { await act(id, 'cancel', {}, null, { reportToken: current.token }); render(await reread(id)); } catch (err) { out.textContent = err.display ? err.display() : String(err); out.hidden = false; }
      },
    }, t('track.cancel')));
    section.append(h('hr'), box, out);
  }
  section.focus({ preventScroll: true });
}

// The action's answer is the report without the reporter's messages and
// comments: after acting, the page shows the reporter's full view again.
function reread(id) {
  return get('/reports/' + encodeURIComponent(id), { reportToken: current.token });
}

function messagesOf(r) {
  const raw = Array.isArray(r.messages) ? r.messages : [];
  const out = raw.map((m) => (typeof m === 'string' ? { text: m } : {
    text: pick(m, 'text', 'message', 'note', 'body') || '',
    at: pick(m, 'at', 'created_at', 'time'),
    from: pick(m, 'from', 'role'),
    kind: pick(m, 'kind', 'type', 'action'),
  })).filter((m) => m.text && typeof m.text === 'string');
  // a pending request may also come as a single field
  const single = pick(r, 'info_request.message', 'request_info.message', 'needs_info_message');
  if (single && !out.some((m) => m.text === single)) out.push({ text: single, kind: 'request_info', from: 'ioc' });
  return out;
}

function supplementForm(id) {
  const files = h('input', { type: 'file', accept: 'image/*,video/*,audio/*', multiple: true, capture: 'environment' });
  const text = h('textarea', { rows: 4, required: true });
  const progress = h('progress', { max: 1, value: 0, hidden: true });
  const form = h('form#supplement-form.action-form', { novalidate: true },
    h('h3', t('track.supplement')),
    h('p.hint', t('track.supplement.intro')),
    h('p.form-error', { role: 'alert', hidden: true }),
    field('content', 'track.supplement.content', text),
    field('media', 'common.media', files),
    h('div.submit-bar', h('button.button.primary', { type: 'submit' }, t('track.supplement.send')), progress));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    if (!text.value.trim()) return showError(form, { field: 'content', display: () => t('common.required') });
    const btn = $('button[type=submit]', form);
    btn.disabled = true;
    progress.hidden = false;
    try {
      const r = await act(id, 'supplement', { content: text.value }, Array.from(files.files || []), { reportToken: current.token },
        (f) => { if (f !== null) progress.value = f; });
      if (r) render(await reread(id));
    } catch (err) {
      showError(form, err instanceof ApiError ? err : new ApiError(0, null));
    } finally {
      btn.disabled = false;
      progress.hidden = true;
    }
  });
  return form;
}

function ratingOf(r) {
  const v = pick(r, 'rating.rating', 'rating.value', 'rating', 'my_rating');
  return typeof v === 'string' ? v : null;
}

function ratingBlock(id, r) {
  const box = h('div#rating-box');
  box.appendChild(h('h3', t('track.rate')));
  const rated = ratingOf(r);
  if (rated) {
    box.appendChild(h('p.notice.ok', t('track.rated', { r: label('rating', rated) })));
    return box;
  }
  const out = h('p.form-error', { role: 'alert', hidden: true });
  const btns = h('div.rating-buttons');
  for (const v of ['satisfied', 'acceptable', 'unsatisfied']) {
    btns.appendChild(h('button', {
      type: 'button',
      dataset: { rating: v },
      onclick: async () => {
        for (const b of btns.children) b.disabled = true;
        try {
          await act(id, 'rate', { rating: v }, null, { reportToken: current.token });
          render(await reread(id));
        } catch (err) {
          out.textContent = err.display ? err.display() : String(err);
          out.hidden = false;
          for (const b of btns.children) b.disabled = false;
        }
      },
    }, label('rating', v)));
  }
  box.append(btns, out);
  return box;
}

function commentsBlock(id, r) {
  const box = h('div#comments-box');
  box.appendChild(h('h3', t('track.comments')));
  const list = Array.isArray(r.comments) ? r.comments : [];
  if (list.length) {
    const ul = h('ul.comments');
    for (const c of list) {
      const replies = [];
      const rep = pick(c, 'reply');
      if (rep) replies.push(typeof rep === 'string' ? { text: rep } : rep);
      if (Array.isArray(c.replies)) replies.push(...c.replies);
      ul.appendChild(h('li',
        h('span.msg-meta', fmtTime(pick(c, 'at', 'created_at'))),
        h('span.content-text', pick(c, 'text', 'comment') || ''),
        replies.map((x) => h('div.reply',
          h('span.msg-meta', t('track.comment.reply') + (x.at ? ' · ' + fmtTime(x.at) : '')),
          h('span.content-text', pick(x, 'text') || '')))));
    }
    box.appendChild(ul);
  }
  const text = h('textarea', { rows: 3, placeholder: t('track.comment.ph') });
  const form = h('form#comment-form', { novalidate: true },
    h('p.form-error', { role: 'alert', hidden: true }),
    field('text', 'track.comment.new', text),
    h('button.button.secondary', { type: 'submit' }, t('track.comment.send')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    if (!text.value.trim()) return showError(form, { field: 'text', display: () => t('common.required') });
    try {
      await act(id, 'comment', { text: text.value }, null, { reportToken: current.token });
      render(await reread(id));
    } catch (err) {
      showError(form, err);
    }
  });
  box.appendChild(form);
  return box;
}

// ---------------------------------------------------------------- start
renderList();
onLangChange(() => { renderList(); if (current) open(current.id, current.token); });
function route() {
  const m = location.hash.match(/id=([^&]+)/);
  if (!m) return;
  const id = decodeURIComponent(m[1]);
  if (current && current.id === id) return;
  const saved = mine.get(id);
  if (saved) open(saved.id, saved.token);
  else { $('#lookup-box').open = true; $('#lookup-id').value = id; }
}
window.addEventListener('hashchange', () => { renderList(); route(); });
route();
