// Portal configuration: edit this file for a deployment (no build step).
// The tile server must also be allowed in the CSP img-src of
// conf-examples/portal-security.conf.  Markers are drawn as vector
// shapes, so the map still works when no tile server is reachable.
export default {
  apiBase: '/api/v1',
  tileUrl: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png',
  tileAttribution: '© OpenStreetMap contributors',
  tileMaxZoom: 19,
  // Lai Châu ward, the province capital
  mapCenter: [22.396, 103.458],
  mapZoom: 9,
  timeZone: 'Asia/Ho_Chi_Minh',
  defaultLang: 'vi',
  publicPageSize: 20,
  queueRefreshSeconds: 60,
  // how many reports the console asks the queue for (the server caps it)
  queueLimit: 200,
};
