// Leaflet map with the tile server from config.js.  Markers are vector
// circles (no marker images, no tiles needed): with no tile server
// reachable the map shows a plain background and the markers still work.
//
// Leaflet (minified, ~40 KB gzipped) is fetched only when a page first
// draws a map, so pages without one (sign-in, tracking, dashboard) never
// pay for it, and pages with one are usable before it arrives.
import config from '../config.js';

const LEAFLET_JS = new URL('../vendor/leaflet/leaflet.js', import.meta.url).href;
const LEAFLET_CSS = new URL('../vendor/leaflet/leaflet.css', import.meta.url).href;

let loading = null;

// resolves to Leaflet's L (dist/leaflet.js is a classic script: window.L)
export function leaflet() {
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      if (window.L) { resolve(window.L); return; }
      const css = document.createElement('link');
      css.rel = 'stylesheet';
      css.href = LEAFLET_CSS;
      document.head.appendChild(css);
      const js = document.createElement('script');
      js.src = LEAFLET_JS;
      js.async = true;
      js.onload = () => (window.L ? resolve(window.L) : reject(new Error('leaflet')));
      js.onerror = () => { loading = null; js.remove(); reject(new Error('leaflet not loaded')); };
      document.head.appendChild(js);
    });
  }
  return loading;
}

export async function makeMap(el, opts = {}) {
  el.classList.add('map-offline', 'map-loading');
  let L;
  try {
    L = await leaflet();
  } finally {
    el.classList.remove('map-loading');
  }
  const map = L.map(el, {
    center: opts.center || config.mapCenter,
    zoom: opts.zoom || config.mapZoom,
    scrollWheelZoom: opts.scrollWheelZoom !== undefined ? opts.scrollWheelZoom : false,
    attributionControl: true,
  });
  if (config.tileUrl) {
    const layer = L.tileLayer(config.tileUrl, {
      maxZoom: config.tileMaxZoom || 19,
      attribution: config.tileAttribution || '',
    });
    // the grid background stays until a tile actually arrives
    layer.on('tileload', () => el.classList.remove('map-offline'));
    layer.addTo(map);
  }
  return map;
}

export function dot(latlng, opts = {}) {
  return window.L.circleMarker(latlng, {
    radius: opts.radius || 9,
    color: '#ffffff',
    weight: 2,
    fillColor: opts.color || '#c62828',
    fillOpacity: 0.95,
    className: opts.className || 'pa-marker',
  });
}
