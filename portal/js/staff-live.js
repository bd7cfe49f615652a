// The staff console's queue, live: every event the caller may see (the
// server filters by role and agency) reloads the queue at once; what was
// not there before is marked new and counted in the page title, and a new
// urgent report chimes.
import { t } from './i18n.js';
import { $, h } from './dom.js';
import { openLive, chime, countNew, retitle } from './live.js';
import { onLangChange } from './i18n.js';

// watchQueue(load, token, onAuthError): load() reloads the queue and
// resolves to its items.  Returns refresh(), for the fallback timer.
export function watchQueue(load, token, onAuthError) {
  let known = null;       // ids shown at the last load, under which filter
  let knownKey = null;
  let pending = null;
  let running = false;
  let again = false;

  const filterKey = () => ($('#q-state') ? $('#q-state').value : '') + '|'
    + ($('#q-overdue') && $('#q-overdue').checked ? '1' : '');

  async function refresh() {
    if (running) { again = true; return; }
    running = true;
    try {
      const key = filterKey();
      const items = await load();
      if (!Array.isArray(items)) return;
      const ids = new Set(items.map((r) => String(r.id)));
      if (known && key === knownKey) {
        const fresh = items.filter((r) => !known.has(String(r.id)));
        for (const r of fresh) mark(String(r.id));
        if (fresh.length) countNew(fresh.length);
        if (fresh.some((r) => r.urgent)) chime();
      }
      known = ids;
      knownKey = key;
      document.documentElement.dataset.queueKnown = '1';
    } catch (err) {
      if (onAuthError) onAuthError(err);
    } finally {
      running = false;
      if (again) { again = false; refresh(); }
    }
  }

  // a burst of events (a sweep, a dispatch to many) is one reload
  function soon() {
    if (pending) return;
    pending = setTimeout(() => { pending = null; refresh(); }, 120);
  }

  const state = $('#live-state');
  const words = { live: () => t('staff.live.live'), down: () => t('staff.live.down') };
  const show = (s) => {
    if (!state) return;
    state.dataset.state = s;
    state.textContent = words[s]();
  };

  openLive('/events', { access_token: token }, () => soon(), show);
  onLangChange(() => { show(state ? state.dataset.state : 'down'); retitle(); });
  // the filters' own reloads set what "known" is: no count for them
  for (const sel of ['#q-state', '#q-overdue']) {
    const el = $(sel);
    if (el) el.addEventListener('change', () => { knownKey = null; });
  }
  refresh();
  return refresh;
}

function mark(id) {
  const b = document.querySelector(`.queue-item[data-id="${CSS.escape(id)}"]`);
  if (!b) return;
  b.classList.add('is-new');
  const meta = b.querySelector('.q-meta');
  if (meta) meta.prepend(h('span.badge.new', t('staff.live.new')));
}
