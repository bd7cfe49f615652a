// Live updates (Server-Sent Events, api.md "Notifications and live
// updates"): the staff console's /events and the tracking page's
// /reports/{id}/events.
//
// EventSource, not fetch() streaming: the browser reconnects by itself and
// resumes with Last-Event-ID, so nothing said while a phone slept or a
// proxy cut the line is lost (and where it gives up, the page opens the
// stream again: below).  EventSource cannot send an Authorization
// header: the staff token goes as ?access_token= (accepted on that route
// only; the log formats of conf-examples/log-format.conf log no query
// string), the reporter's as ?token= as everywhere else.
import config from '../config.js';

const BASE = config.apiBase.replace(/\/$/, '');

// A stream the browser gave up on is opened again by the page.  The
// browser reconnects by itself only after a stream that was answered 200
// ends; any other answer closes the EventSource for good: the 503 while
// Redis is away or failing over, or from a worker just started by a
// reload that has not yet checked the staff token.  EventSource does not
// say which answer it was, so the page asks first (a GET it drops as soon
// as the status is in): 401, 403, 404 end it for good (a token expired or
// revoked, a report gone), anything else is tried again.  Each attempt
// waits twice as long as the last, from 2 s up to a minute, give or take
// a fifth (a province's consoles do not all come back in the same
// second); the network coming back or the tab shown again tries at once.
// A new stream resumes after the last event seen (?last_event_id=, as the
// browser's own Last-Event-ID would); without one (nothing came yet) the
// caller gets a "reset" when it opens and reloads what it shows, since
// what happened meanwhile is not replayed.
const RETRY_MIN = 2000;
const RETRY_MAX = 60000;

// every event has its type as the SSE "event": listen to the ones that
// come, whatever the server adds later
const TYPES = ['message', 'submitted', 'dispatch', 'receive', 'verify', 'accept',
  'resolve', 'approve', 'publish', 'reject', 'cancel', 'return', 'request_info',
  'supplement', 'overdue', 'status_notice', 'notice', 'comment', 'reply', 'rate',
  'reopen', 'escalate', 'extend', 'send_back', 'confirm', 'identify', 'coordinate',
  'forward_monitoring', 'review_return', 'hide', 'unhide', 'urgent_dispatched',
  'supplement_requested', 'result_published', 'reset'];

// the answer's status, or 0 when none came (the network)
async function statusOf(url) {
  const ctl = new AbortController();
  try {
    const res = await fetch(url, { cache: 'no-store', signal: ctl.signal });
    return res.status;
  } catch (e) {
    return 0;
  } finally {
    ctl.abort();
  }
}

// open(path, params, onEvent, onState): onEvent(type, data, id) for every
// event; onState('live' | 'down') as the line comes and goes.  Returns
// close().
export function openLive(path, params, onEvent, onState) {
  if (typeof EventSource === 'undefined') return () => {};
  let src = null;
  let timer = null;
  let stopped = false;
  let lastId = '';
  let delay = RETRY_MIN;
  const url = () => {
    const q = new URLSearchParams(params || {});
    if (lastId) q.set('last_event_id', lastId);
    return BASE + path + (q.toString() ? '?' + q : '');
  };
  const handle = (ev) => {
    if (ev.lastEventId) lastId = ev.lastEventId;
    let data = null;
    try { data = JSON.parse(ev.data); } catch (e) { return; }
    onEvent(ev.type, data, ev.lastEventId);
  };
  const open = (again) => {
    const s = new EventSource(url());
    const resync = again && !lastId;
    src = s;
    TYPES.forEach((type) => s.addEventListener(type, handle));
    s.onopen = () => {
      delay = RETRY_MIN;
      if (onState) onState('live');
      if (resync) onEvent('reset', { type: 'reset', reason: 'reopened' }, '');
    };
    s.onerror = () => {
      if (onState) onState('down');
      if (s.readyState === EventSource.CLOSED && !stopped && !timer) later();
    };
  };
  const attempt = async () => {
    timer = null;
    const status = await statusOf(url());
    if (stopped || timer) return;
    if (status === 401 || status === 403 || status === 404) {
      stopped = true;
      return;
    }
    if (status === 200) open(true);
    else later();
  };
  const later = () => {
    const wait = delay * (0.8 + Math.random() * 0.4);
    delay = Math.min(delay * 2, RETRY_MAX);
    const root = document.documentElement.dataset;
    root.liveReopened = String(Number(root.liveReopened || 0) + 1);
    timer = setTimeout(attempt, wait);
  };
  const now = () => {
    if (!timer || stopped) return;
    clearTimeout(timer);
    delay = RETRY_MIN;
    attempt();
  };
  const visible = () => { if (!document.hidden) now(); };
  window.addEventListener('online', now);
  document.addEventListener('visibilitychange', visible);
  open(false);
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    timer = null;
    window.removeEventListener('online', now);
    document.removeEventListener('visibilitychange', visible);
    src.close();
  };
}

// A short two-tone chime (Web Audio: no file to fetch, nothing for the CSP
// to refuse).  Browsers allow sound only after the user touched the page:
// the first click or key unlocks it.
let audio = null;

function unlock() {
  try {
    if (!audio) audio = new (window.AudioContext || window.webkitAudioContext)();
    if (audio.state === 'suspended') audio.resume();
  } catch (e) { audio = null; }
}
window.addEventListener('pointerdown', unlock, { once: true, capture: true });
window.addEventListener('keydown', unlock, { once: true, capture: true });

export function chime() {
  unlock();
  if (!audio) return false;
  const now = audio.currentTime;
  [880, 1175].forEach((f, i) => {
    const o = audio.createOscillator();
    const g = audio.createGain();
    o.frequency.value = f;
    g.gain.setValueAtTime(0.0001, now + i * 0.18);
    g.gain.exponentialRampToValueAtTime(0.3, now + i * 0.18 + 0.02);
    g.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.18 + 0.16);
    o.connect(g).connect(audio.destination);
    o.start(now + i * 0.18);
    o.stop(now + i * 0.18 + 0.17);
  });
  document.documentElement.dataset.chimes = String(Number(document.documentElement.dataset.chimes || 0) + 1);
  return true;
}

// "(3) Cán bộ": how many new items arrived since the user last looked at
// the page (a click, a key, or coming back to the tab).
let unseen = 0;
let baseTitle = null;

function showTitle() {
  if (baseTitle === null) baseTitle = document.title.replace(/^\(\d+\)\s*/, '');
  document.title = unseen ? '(' + unseen + ') ' + baseTitle : baseTitle;
}

export function countNew(n) {
  if (baseTitle === null) baseTitle = document.title.replace(/^\(\d+\)\s*/, '');
  unseen += n;
  showTitle();
}

export function seen() {
  if (!unseen) return;
  unseen = 0;
  showTitle();
}

// the page may change its own title (language switch): keep the count
export function retitle() {
  baseTitle = null;
  showTitle();
}

document.addEventListener('visibilitychange', () => { if (!document.hidden) seen(); });
window.addEventListener('pointerdown', seen, { capture: true });
window.addEventListener('keydown', seen, { capture: true });
