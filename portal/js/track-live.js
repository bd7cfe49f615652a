// The tracking page follows the open report: its events stream (the
// reporter's token, ?token= as on every reporter route) says when
// something happened, and the page reloads the report without a reload of
// the page.  The stream carries no content: the report is read again.
import { openLive } from './live.js';

let stop = null;
let pending = null;

export function followReport(id, token, reload) {
  unfollow();
  document.documentElement.dataset.live = 'down';
  stop = openLive('/reports/' + encodeURIComponent(id) + '/events', { token }, () => {
    // a burst (an action and its dispatch) is one read
    if (pending) return;
    pending = setTimeout(() => { pending = null; reload(); }, 150);
  }, (state) => { document.documentElement.dataset.live = state; });
}

export function unfollow() {
  if (stop) stop();
  stop = null;
  if (pending) clearTimeout(pending);
  pending = null;
}
