// The portal's service worker: the app shell (pages, their bundles, the
// stylesheet, config.js, the emblem and the province outline) is cached at
// install, so the submit page opens with no signal and a report can be
// written and kept as a draft (js/drafts.js).
//
// `make portal` (mk/portal-build.mjs) writes the shell's file names and a
// version into this file; a new build is a new worker, which replaces the
// old cache once it is installed.
const SHELL = '__PA_SHELL__';
const VERSION = '__PA_VERSION__';
const CACHE = 'pa-shell-' + VERSION;
const HASHED = /\.[0-9a-f]{10}\.(js|css|png|svg)$/;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE)
    .then((c) => c.addAll(['./', ...SHELL]))
    .then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('pa-shell-') && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  // the API, media and other sites: always the network, never a cache
  if (req.method !== 'GET' || url.origin !== self.location.origin
      || url.pathname.startsWith('/api/') || url.pathname.startsWith('/media/')
      || url.pathname.startsWith('/open311/')) {
    return;
  }
  if (HASHED.test(url.pathname)) {
    // a hashed name never changes: the cache first (Leaflet is cached the
    // first time a map is drawn)
    event.respondWith(caches.match(req).then((hit) => hit || fetch(req).then((res) => {
      if (res.ok) {
        const copy = res.clone();
        caches.open(CACHE).then((c) => c.put(req, copy));
      }
      return res;
    })));
    return;
  }
  // pages and config.js: the network first (a new build, an edited
  // config), the cached copy when there is no signal
  event.respondWith(fetch(req).then((res) => {
    if (res.ok) {
      const copy = res.clone();
      caches.open(CACHE).then((c) => c.put(req, copy));
    }
    return res;
  }).catch(() => caches.match(req, { ignoreSearch: true })
    .then((hit) => hit || (req.mode === 'navigate' ? caches.match('index.html') : undefined))
    .then((hit) => hit || Response.error())));
});
