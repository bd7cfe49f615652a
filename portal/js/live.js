// Live updates (Server-Sent Events, api.md "Notifications and live
// updates"): the staff console's /events and the tracking page's
// /reports/{id}/events.
//
// EventSource, not fetch() streaming: the browser reconnects by itself and
// resumes with Last-Event-ID, so nothing said while a phone slept or a
// proxy cut the line is lost.  EventSource cannot send an Authorization
// header: the staff token goes as ?access_token= (accepted on that route
// only; the log formats of conf-examples/log-format.conf log no query
// string), the reporter's as ?token= as everywhere else.
import config from '../config.js';

const BASE = config.apiBase.replace(/\/$/, '');

// open(path, params, onEvent, onState): onEvent(type, data, id) for every
// event; onState('live' | 'down') as the line comes and goes.  Returns
// close().
export function openLive(path, params, onEvent, onState) {
  if (typeof EventSource === 'undefined') return () => {};
  const q = new URLSearchParams(params || {});
  const src = new EventSource(BASE + path + (q.toString() ? '?' + q : ''));
  const seen = new Set();
  const handle = (ev) => {
    let data = null;
    try { data = JSON.parse(ev.data); } catch (e) { return; }
    onEvent(ev.type, data, ev.lastEventId);
  };
  // every event has its type as the SSE "event": listen to the ones that
  // come, whatever the server adds later
  const listen = (type) => {
    if (seen.has(type)) return;
    seen.add(type);
    src.addEventListener(type, handle);
  };
  ['message', 'submitted', 'dispatch', 'receive', 'verify', 'accept', 'resolve',
    'approve', 'publish', 'reject', 'cancel', 'return', 'request_info', 'supplement',
    'overdue', 'status_notice', 'notice', 'comment', 'reply', 'rate', 'reopen',
    'escalate', 'extend', 'send_back', 'confirm', 'identify', 'coordinate',
    'forward_monitoring', 'review_return', 'hide', 'unhide', 'urgent_dispatched',
    'supplement_requested', 'result_published', 'reset'].forEach(listen);
  src.onopen = () => { if (onState) onState('live'); };
  src.onerror = () => { if (onState) onState('down'); };
  return () => src.close();
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
