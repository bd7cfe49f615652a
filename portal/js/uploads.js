// Photos sent ahead of the report (POST/PATCH/HEAD /api/v1/media, see the
// README's "Media pre-upload"): each file is an upload of its own, sent in
// pieces, so a connection that breaks costs the piece in flight, never
// the photos already sent.  The report then names the handles.
import config from '../config.js';
import { ApiError } from './api.js';

const BASE = config.apiBase.replace(/\/$/, '');
const PIECE = config.uploadPieceBytes || 256 * 1024;

function xhr(method, path, headers, body, onProgress) {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open(method, BASE + path);
    x.setRequestHeader('Accept', 'application/json');
    for (const [k, v] of Object.entries(headers || {})) x.setRequestHeader(k, v);
    if (onProgress) x.upload.onprogress = (e) => onProgress(e.loaded);
    x.onerror = () => reject(new ApiError(0, null));
    x.ontimeout = () => reject(new ApiError(0, null));
    x.onload = () => {
      let parsed = null;
      try { parsed = x.responseText ? JSON.parse(x.responseText) : null; } catch (e) { parsed = null; }
      if (x.status >= 200 && x.status < 300) resolve({ body: parsed, offset: Number(x.getResponseHeader('Upload-Offset')) });
      else reject(new ApiError(x.status, parsed, x.getResponseHeader('Retry-After')));
    };
    x.send(body === undefined ? null : body);
  });
}

// where an upload stands: {offset, state}, or null when the server no
// longer knows it (expired, another address): send the photo again
export async function uploadState(handle) {
  try {
    const r = await xhr('GET', '/media/' + encodeURIComponent(handle));
    const b = r.body || {};
    if (b.state === 'expired' || b.state === 'bound') return null;
    return { offset: Number(b.offset) || 0, state: b.state, media: b };
  } catch (err) {
    if (err.status === 404) return null;
    throw err;
  }
}

// Sends one file; resumes `prior` ({handle}) when the server still has it.
// onProgress(fraction); onHandle(handle) as soon as there is one (a draft
// keeps it).  Resolves the completed media's JSON ({handle, id, ...}).
export async function uploadFile(file, { prior, onProgress, onHandle } = {}) {
  let handle = prior && prior.handle;
  let offset = 0;
  if (handle) {
    const st = await uploadState(handle);
    if (st && st.state === 'complete') { if (onProgress) onProgress(1); return st.media; }
    if (st) offset = st.offset;
    else handle = null;
  }
  if (!handle) {
    const r = await xhr('POST', '/media', { 'Upload-Length': String(file.size) });
    handle = r.body.handle;
    if (onHandle) onHandle(handle);
  }
  let last = null;
  while (offset < file.size) {
    const end = Math.min(offset + PIECE, file.size);
    const at = offset;
    let r;
    try {
      r = await xhr('PATCH', '/media/' + encodeURIComponent(handle),
        { 'Upload-Offset': String(at), 'Content-Type': 'application/offset+octet-stream' },
        file.slice(at, end),
        onProgress ? (n) => onProgress((at + n) / file.size) : null);
    } catch (err) {
      // moved on meanwhile (a piece that arrived though its answer did
      // not): go on from where the server is
      if (err.status === 409 && err.code === 'offset_mismatch') {
        const st = await uploadState(handle);
        if (!st) throw err;
        if (st.state === 'complete') return st.media;
        offset = st.offset;
        continue;
      }
      throw err;
    }
    offset = Number(r.body && r.body.offset) || end;
    last = r.body;
    if (onProgress) onProgress(offset / file.size);
  }
  return last;
}

// a photo removed from the form: the server drops its upload at once
// (it would die by itself later, counting against the address until then)
export function giveUp(handle) {
  if (!handle) return;
  xhr('DELETE', '/media/' + encodeURIComponent(handle)).catch(() => {});
}
