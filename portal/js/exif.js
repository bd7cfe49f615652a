// What a photo says about itself, read in the browser before sending: the
// time it was taken and its GPS position (JPEG EXIF only; other files give
// {}), and whether a position lies inside the province's outline.  Only
// for warnings: the server checks the same things and decides.

// the first 256 KB hold the EXIF block of any camera's JPEG
const HEAD = 256 * 1024;

// -> {takenAt: Date|undefined, gps: {lat, lng}|undefined, readable: bool}
export async function photoFacts(file) {
  if (!/^image\/jpe?g$/i.test(file.type || '') && !/\.jpe?g$/i.test(file.name || '')) return { readable: false };
  let buf;
  try {
    buf = await file.slice(0, HEAD).arrayBuffer();
  } catch (e) {
    return { readable: false };
  }
  try {
    return { readable: true, ...parseJpeg(new DataView(buf)) };
  } catch (e) {
    // a truncated or odd EXIF block: as if there were none
    return { readable: true };
  }
}

function parseJpeg(v) {
  if (v.getUint16(0) !== 0xffd8) return {};
  let p = 2;
  while (p + 4 <= v.byteLength) {
    const marker = v.getUint16(p);
    const len = v.getUint16(p + 2);
    if (marker === 0xffe1 && v.getUint32(p + 4) === 0x45786966) return parseTiff(v, p + 10);
    if ((marker & 0xff00) !== 0xff00 || marker === 0xffda) break;
    p += 2 + len;
  }
  return {};
}

function parseTiff(v, t) {
  const le = v.getUint16(t) === 0x4949;
  const u16 = (o) => v.getUint16(t + o, le);
  const u32 = (o) => v.getUint32(t + o, le);
  const ifd = (o) => {
    const tags = new Map();
    const n = u16(o);
    for (let i = 0; i < n; i++) {
      const e = o + 2 + i * 12;
      tags.set(u16(e), { type: u16(e + 2), count: u32(e + 4), at: e + 8 });
    }
    return tags;
  };
  const ascii = (tag) => {
    if (!tag) return undefined;
    const at = tag.count > 4 ? u32(tag.at) : tag.at;
    let s = '';
    for (let i = 0; i < tag.count - 1; i++) s += String.fromCharCode(v.getUint8(t + at + i));
    return s;
  };
  const rationals = (tag) => {
    if (!tag) return undefined;
    const at = u32(tag.at);
    const out = [];
    for (let i = 0; i < tag.count; i++) out.push(u32(at + i * 8) / (u32(at + i * 8 + 4) || 1));
    return out;
  };
  const ifd0 = ifd(u32(4));
  const out = {};
  const exifPtr = ifd0.get(0x8769);
  if (exifPtr) {
    const ex = ifd(u32(exifPtr.at));
    const when = ascii(ex.get(0x9003)) || ascii(ex.get(0x9004));
    const off = ascii(ex.get(0x9011));
    const m = when && when.match(/^(\d{4}):(\d\d):(\d\d) (\d\d):(\d\d):(\d\d)/);
    if (m) {
      // no offset in the photo: the camera's clock is taken as local time
      const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${off && /^[+-]\d\d:\d\d$/.test(off) ? off : ''}`;
      const d = new Date(iso);
      if (!Number.isNaN(d.getTime())) out.takenAt = d;
    }
  }
  const gpsPtr = ifd0.get(0x8825);
  if (gpsPtr) {
    const g = ifd(u32(gpsPtr.at));
    const lat = rationals(g.get(2));
    const lng = rationals(g.get(4));
    if (lat && lng && lat.length === 3 && lng.length === 3) {
      const deg = (a) => a[0] + a[1] / 60 + a[2] / 3600;
      const la = deg(lat) * (ascii(g.get(1)) === 'S' ? -1 : 1);
      const lo = deg(lng) * (ascii(g.get(3)) === 'W' ? -1 : 1);
      if (Number.isFinite(la) && Number.isFinite(lo) && (la || lo)) out.gps = { lat: la, lng: lo };
    }
  }
  return out;
}

// ---------------------------------------------------------------- area
let outline = null;

// the province's outline (GeoJSON Feature or FeatureCollection of
// Polygon/MultiPolygon): a list of polygons, each a list of rings
export async function loadOutline(url) {
  if (!url) return null;
  if (!outline) {
    outline = fetch(url).then((r) => (r.ok ? r.json() : null)).then((g) => {
      const feats = !g ? [] : g.type === 'FeatureCollection' ? g.features : [g];
      const polys = [];
      for (const f of feats) {
        const geom = f.geometry || f;
        if (geom.type === 'Polygon') polys.push(geom.coordinates);
        else if (geom.type === 'MultiPolygon') polys.push(...geom.coordinates);
      }
      return polys.length ? polys : null;
    }).catch(() => { outline = null; return null; });
  }
  return outline;
}

// even-odd ray casting; rings are [lng, lat] as GeoJSON has them
export function inside(polys, lat, lng) {
  let hit = false;
  for (const rings of polys) {
    let inPoly = false;
    for (const ring of rings) {
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [xi, yi] = ring[i];
        const [xj, yj] = ring[j];
        if ((yi > lat) !== (yj > lat) && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inPoly = !inPoly;
      }
    }
    if (inPoly) hit = true;
  }
  return hit;
}
