// Client of api.md's HTTP contract.
import config from '../config.js';
import { t, has, lang } from './i18n.js';

const BASE = config.apiBase.replace(/\/$/, '');

export class ApiError extends Error {
  constructor(status, body, retryAfter) {
    const err = (body && body.error) || {};
    super(err.message || (status === 0 ? t('common.network') : t('common.error') + ' (' + status + ')'));
    this.status = status;
    this.code = err.code || (status === 0 ? 'network' : 'http_' + status);
    this.field = err.field || null;
    this.retryAfter = retryAfter || null;
    this.body = body || null;
    // a failed read changed nothing: its 503 must not speak of saving
    this.read = false;
  }
  // in the page's language: the portal's text for the code (and field);
  // a generic Vietnamese text keeps the server's detail after it
  display() {
    let m = this.message;
    const byField = this.field && 'err.' + this.code + '.' + this.field;
    if (this.read && has('err.' + this.code + '.read')) m = t('err.' + this.code + '.read');
    else if (byField && has(byField)) m = t(byField);
    else if (has('err.' + this.code)) {
      const generic = ['invalid_field', 'bad_request', 'invalid_json'].includes(this.code);
      if (!generic) m = t('err.' + this.code);
      else if (lang() === 'vi') m = t('err.' + this.code) + (this.message ? ': ' + this.message : '');
    }
    if (this.retryAfter) m += ' ' + t('common.retry_after', { s: this.retryAfter });
    return m;
  }
}

// ---------------------------------------------------------------- storage
const STAFF_KEY = 'pa.staffToken';
const MINE_KEY = 'pa.myReports';

export const staff = {
  token() {
    try { return sessionStorage.getItem(STAFF_KEY); } catch (e) { return null; }
  },
  set(tok) { sessionStorage.setItem(STAFF_KEY, tok); },
  clear() { sessionStorage.removeItem(STAFF_KEY); },
  // decoded claims, for display and for choosing which actions to offer;
  // the server checks the signature and decides.
  claims() {
    const tok = this.token();
    return tok ? decodeJwt(tok) : null;
  },
};

export function decodeJwt(tok) {
  const parts = String(tok).trim().split('.');
  if (parts.length !== 3) return null;
  try {
    const b64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const pad = b64 + '='.repeat((4 - (b64.length % 4)) % 4);
    const bytes = Uint8Array.from(atob(pad), (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    return claims && typeof claims === 'object' ? claims : null;
  } catch (e) {
    return null;
  }
}

export const mine = {
  list() {
    try {
      const v = JSON.parse(localStorage.getItem(MINE_KEY) || '[]');
      return Array.isArray(v) ? v.filter((r) => r && r.id && r.token) : [];
    } catch (e) {
      return [];
    }
  },
  get(id) {
    return this.list().find((r) => r.id === id) || null;
  },
  save(entry) {
    const l = this.list().filter((r) => r.id !== entry.id);
    l.unshift(entry);
    localStorage.setItem(MINE_KEY, JSON.stringify(l));
  },
  remove(id) {
    localStorage.setItem(MINE_KEY, JSON.stringify(this.list().filter((r) => r.id !== id)));
  },
};

// ---------------------------------------------------------------- requests
function headersFor(auth) {
  const hd = { Accept: 'application/json' };
  if (auth && auth.reportToken) hd['X-Report-Token'] = auth.reportToken;
  else if ((!auth || auth.staff !== false) && staff.token()) hd.Authorization = 'Bearer ' + staff.token();
  return hd;
}

async function parse(res) {
  const text = await res.text();
  let body = null;
  if (text) {
    try { body = JSON.parse(text); } catch (e) { body = null; }
  }
  if (!res.ok) throw new ApiError(res.status, body, res.headers.get('Retry-After'));
  return body;
}

// auth: {reportToken} for the reporter, {staff: false} for public calls,
// default: the staff token when signed in.
export async function get(path, auth) {
  let res;
  try {
    res = await fetch(BASE + path, { headers: headersFor(auth), credentials: 'same-origin' });
  } catch (e) {
    const err = new ApiError(0, null);
    err.read = true;
    throw err;
  }
  try {
    return await parse(res);
  } catch (err) {
    err.read = true;
    throw err;
  }
}

// a file the API sends as an attachment (the stats as CSV): fetched with
// the staff token, then saved under the name the server gives
export async function download(path, name) {
  let res;
  try {
    res = await fetch(BASE + path, { headers: headersFor(), credentials: 'same-origin' });
  } catch (e) {
    throw new ApiError(0, null);
  }
  if (!res.ok) return parse(res);
  const m = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') || '');
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = m ? m[1] : name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  return null;
}

export async function postJson(path, body, auth) {
  let res;
  try {
    res = await fetch(BASE + path, {
      method: 'POST',
      headers: { ...headersFor(auth), 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch (e) {
    throw new ApiError(0, null);
  }
  return parse(res);
}

// XHR upload with progress (fetch has no upload progress).
// body: FormData or a plain object (sent as JSON).  onProgress(fraction|null)
export function upload(path, body, auth, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', BASE + path);
    for (const [k, v] of Object.entries(headersFor(auth))) xhr.setRequestHeader(k, v);
    let payload = body;
    if (!(body instanceof FormData)) {
      xhr.setRequestHeader('Content-Type', 'application/json');
      payload = JSON.stringify(body);
    }
    if (onProgress) {
      xhr.upload.onprogress = (e) => onProgress(e.lengthComputable ? e.loaded / e.total : null);
      xhr.upload.onload = () => onProgress(1);
    }
    xhr.onerror = () => reject(new ApiError(0, null));
    xhr.onload = () => {
      let parsed = null;
      try { parsed = xhr.responseText ? JSON.parse(xhr.responseText) : null; } catch (e) { parsed = null; }
      if (xhr.status >= 200 && xhr.status < 300) resolve(parsed);
      else reject(new ApiError(xhr.status, parsed, xhr.getResponseHeader('Retry-After')));
    };
    xhr.send(payload);
  });
}

// POST /reports/{id}/actions: JSON, or multipart (payload part + media parts)
export function act(id, action, fields, files, auth, onProgress) {
  const payload = { action, ...fields };
  const path = '/reports/' + encodeURIComponent(id) + '/actions';
  if (files && files.length) {
    const fd = new FormData();
    // a plain form field (no filename): only the media parts are files
    fd.append('payload', JSON.stringify(payload));
    for (const f of files) fd.append('media', f, f.name);
    return upload(path, fd, auth, onProgress);
  }
  return postJson(path, payload, auth);
}

// ---------------------------------------------------------------- directory
let dirPromise = null;
export function directory() {
  if (!dirPromise) {
    dirPromise = get('/directory', { staff: false })
      .then((d) => ({
        agencies: Array.isArray(d && d.agencies) ? d.agencies : [],
        categories: Array.isArray(d && d.categories) ? d.categories : [],
      }))
      .catch(() => {
        dirPromise = null;
        return { agencies: [], categories: [] };
      });
  }
  return dirPromise;
}

// a list out of a response whose wrapper api.md leaves open
export function listOf(body, ...keys) {
  if (Array.isArray(body)) return body;
  if (!body || typeof body !== 'object') return [];
  for (const k of [...keys, 'items', 'reports', 'data', 'results']) {
    if (Array.isArray(body[k])) return body[k];
  }
  return [];
}
