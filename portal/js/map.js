// Leaflet map with the tile server from config.js.  Markers are vector
// circles (no marker images, no tiles needed): with no tile server
// reachable the map shows a plain background and the markers still work.
import * as L from '../vendor/leaflet/leaflet-src.esm.js';
import config from '../config.js';

export { L };

export function makeMap(el, opts = {}) {
  const map = L.map(el, {
    center: opts.center || config.mapCenter,
    zoom: opts.zoom || config.mapZoom,
    scrollWheelZoom: opts.scrollWheelZoom !== undefined ? opts.scrollWheelZoom : false,
    attributionControl: true,
  });
  el.classList.add('map-offline');
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
  return L.circleMarker(latlng, {
    radius: opts.radius || 9,
    color: '#ffffff',
    weight: 2,
    fillColor: opts.color || '#c62828',
    fillOpacity: 0.95,
    className: opts.className || 'pa-marker',
  });
}
