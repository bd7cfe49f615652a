// Throw-away development mock: serves portal/ and canned, api.md-shaped
// JSON with an in-memory state machine.  NOT the backend; the e2e tests
// run against `make run`'s nginx.  Usage: node mock/server.mjs [port]
//   PA_MOCK=1 PA_BASE_URL=http://127.0.0.1:8181 node --test tests/
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../portal');
const port = Number(process.argv[2] || process.env.PORT || 8181);

// the security headers of conf-examples/portal-security.conf
const secHeaders = {};
try {
  const conf = fs.readFileSync(path.resolve(here, '../../conf-examples/portal-security.conf'), 'utf8');
  for (const m of conf.matchAll(/^add_header\s+(\S+)\s+"([^"]*)"/gm)) secHeaders[m[1]] = m[2];
} catch (e) { /* none */ }

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.png': 'image/png', '.svg': 'image/svg+xml', '.json': 'application/json' };

const dir = {
  agencies: [
    { id: 'so-gtvt', name: 'Sở Xây dựng (giao thông)', parent: null, kind: 'department' },
    { id: 'so-tnmt', name: 'Sở Nông nghiệp và Môi trường', parent: null, kind: 'department' },
    { id: 'p-tanphong', name: 'UBND phường Tân Phong', parent: null, kind: 'commune' },
    { id: 'p-doanket', name: 'UBND phường Đoàn Kết', parent: null, kind: 'commune' },
    { id: 'ubnd-tinh', name: 'UBND tỉnh Lai Châu', parent: null, kind: 'superior' },
  ],
  categories: [
    { id: 'giao-thong', name: 'Giao thông, đường sá', urgent: false },
    { id: 'moi-truong', name: 'Môi trường, rác thải', urgent: false },
    { id: 'chay-no', name: 'Cháy, nổ', urgent: true },
    { id: 'an-ninh', name: 'An ninh trật tự', urgent: true },
  ],
};

const reports = new Map();
const media = new Map();
const stats = new Map();

const ACTIONS = {
  verify: { who: ['ioc'], from: ['submitted'], to: 'verified', next: 'receive' },
  request_info: { who: ['ioc'], from: ['submitted', 'verified'], to: 'needs_info', next: 'supplement' },
  supplement: { who: ['reporter'], from: ['needs_info'], to: 'submitted', next: 'verify' },
  reject: { who: ['ioc'], from: ['submitted', 'verified', 'needs_info'], to: 'rejected' },
  cancel: { who: ['reporter'], from: ['submitted', 'needs_info', 'verified', 'received', 'coordinating', 'dispatched'], to: 'cancelled' },
  receive: { who: ['ioc'], from: ['verified'], to: 'received', next: 'dispatch' },
  dispatch: { who: ['ioc'], from: ['received'], to: 'dispatched', next: 'accept' },
  accept: { who: ['handler'], from: ['dispatched'], to: 'in_progress', next: 'resolve' },
  return: { who: ['handler'], from: ['dispatched', 'in_progress'], to: 'received', next: 'dispatch' },
  extend: { who: ['handler'], from: ['in_progress'], to: 'in_progress' },
  resolve: { who: ['handler'], from: ['in_progress'], to: 'under_review', next: 'publish' },
  publish: { who: ['ioc'], from: ['under_review'], to: 'resolved' },
  review_return: { who: ['ioc'], from: ['under_review', 'resolved'], to: 'in_progress', next: 'resolve' },
  hide: { who: ['ioc'], from: null, to: null },
  unhide: { who: ['ioc'], from: null, to: null },
  escalate: { who: ['ioc'], from: ['submitted', 'needs_info', 'verified', 'received', 'dispatched', 'in_progress'], to: 'escalated' },
  rate: { who: ['reporter'], from: ['resolved'], to: 'resolved' },
  comment: { who: ['reporter'], from: ['resolved'], to: 'resolved', next: 'reply' },
  reply: { who: ['handler'], from: ['resolved'], to: 'resolved' },
};

function now() { return new Date(); }
function iso(d) {
  const off = 7 * 60;
  const l = new Date(d.getTime() + off * 60000);
  return l.toISOString().replace(/\.\d+Z$/, '+07:00');
}
function due(hours) { return iso(new Date(Date.now() + hours * 3600000)); }

function err(res, status, code, message, field, extra = {}) {
  send(res, status, { error: { code, message, ...(field ? { field } : {}) } }, extra);
}
function send(res, status, body, extra = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...secHeaders, ...extra });
  res.end(JSON.stringify(body));
}

function claims(req) {
  const a = req.headers.authorization || '';
  const m = a.match(/^Bearer\s+(\S+)$/);
  if (!m) return null;
  try { return JSON.parse(Buffer.from(m[1].split('.')[1], 'base64url').toString()); } catch (e) { return null; }
}

async function body(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks);
}

async function formOrJson(req) {
  const buf = await body(req);
  const ct = req.headers['content-type'] || '';
  if (ct.startsWith('multipart/form-data')) {
    const fd = await new Request('http://x/', { method: 'POST', headers: { 'content-type': ct }, body: buf }).formData();
    const fields = {};
    const files = [];
    for (const [k, v] of fd.entries()) {
      if (k === 'payload' && typeof v === 'string') Object.assign(fields, JSON.parse(v));
      else if (typeof v === 'string') fields[k] = v;
      else if (k === 'payload') Object.assign(fields, JSON.parse(await v.text()));
      else files.push({ name: v.name, type: v.type, data: Buffer.from(await v.arrayBuffer()) });
    }
    return { fields, files };
  }
  if (!buf.length) return { fields: {}, files: [] };
  return { fields: JSON.parse(buf.toString('utf8')), files: [] };
}

// the public copy: a JPEG without its APPn metadata segments (EXIF, XMP)
function stripJpeg(buf) {
  if (buf[0] !== 0xff || buf[1] !== 0xd8) return buf;
  const out = [buf.subarray(0, 2)];
  let i = 2;
  while (i + 4 <= buf.length && buf[i] === 0xff) {
    const marker = buf[i + 1];
    if (marker === 0xda) break;
    const len = buf.readUInt16BE(i + 2);
    if (!(marker >= 0xe1 && marker <= 0xef)) out.push(buf.subarray(i, i + 2 + len));
    i += 2 + len;
  }
  out.push(buf.subarray(i));
  return Buffer.concat(out);
}

function storeMedia(files) {
  return files.map((f) => {
    const id = crypto.createHash('sha256').update(f.data).digest('hex');
    media.set(id, f);
    return { id, type: f.type || 'application/octet-stream', size: f.data.length, taken_at: iso(now()), gps: { lat: 22.396, lng: 103.458 }, flags: [], url: '/api/v1/public/media/' + id };
  });
}

function nextStep(r, step, hours = 8) {
  for (const d of r.deadlines) if (d.met === undefined) d.met = Date.parse(d.due) >= Date.now();
  if (step) r.deadlines.push({ step, due: due(r.urgent ? 1 : hours), ...(r.agencies && ['accept', 'resolve', 'reply'].includes(step) ? { agency: r.agencies[0] } : {}) });
}

function staffView(r) {
  const { token, reporter, ...rest } = r;
  return rest;
}
function reporterView(r) {
  const { token, reporter, content_original, assignments, ...rest } = r;
  return rest;
}
function publicView(r) {
  const counts = { satisfied: 0, acceptable: 0, unsatisfied: 0 };
  if (r.rating) counts[r.rating] += 1;
  return {
    id: r.id, title: r.title, content: r.content, category: r.category, lat: r.lat, lng: r.lng,
    status: r.status, published_at: r.published_at, occurred_at: r.occurred_at,
    reporter_name: r.publish_identity ? r.reporter.name : undefined,
    result: r.result, ratings: counts,
    media: r.media.map((m) => ({ id: m.id, type: m.type, url: m.url })),
  };
}

function bumpStats(agency, key, n = 1) {
  if (!agency) return;
  const s = stats.get(agency) || { agency, dispatched: 0, resolved: 0, on_time: 0, overdue: 0, in_progress: 0, ratings: { satisfied: 0, acceptable: 0, unsatisfied: 0 } };
  if (key.startsWith('ratings.')) s.ratings[key.slice(8)] += n; else s[key] += n;
  stats.set(agency, s);
}

async function api(req, res, url) {
  const p = url.pathname.replace(/^\/api\/v1/, '');
  const c = claims(req);
  let m;
  if (p === '/health') return send(res, 200, { status: 'ok' });
  if (p === '/directory') return send(res, 200, dir);
  if (p === '/reports' && req.method === 'POST') {
    const { fields: f, files } = await formOrJson(req);
    if (!f.content || !String(f.content).trim()) return err(res, 400, 'missing_field', 'Nội dung phản ánh là bắt buộc', 'content');
    if (!f.reporter_name) return err(res, 400, 'missing_field', 'Họ tên là bắt buộc', 'reporter_name');
    if (!/^(0\d{9}|\+84\d{9})$/.test(String(f.reporter_phone || ''))) return err(res, 400, 'invalid_field', 'Số điện thoại không hợp lệ', 'reporter_phone');
    const md = storeMedia(files);
    let lat = Number(f.lat); let lng = Number(f.lng);
    if (!f.lat && md.length) { lat = md[0].gps.lat; lng = md[0].gps.lng; }
    if (!Number.isFinite(lat) || !f.lat && !md.length) return err(res, 422, 'no_gps', 'Không xác định được vị trí', 'lat');
    const cat = dir.categories.find((x) => x.id === f.category);
    const id = 'LC-' + crypto.randomBytes(4).toString('hex').toUpperCase();
    const token = crypto.randomBytes(18).toString('base64url');
    const r = {
      id, token, status: 'submitted', title: f.title || '', content: String(f.content), category: f.category || null,
      lat, lng, occurred_at: f.occurred_at || iso(now()), created_at: iso(now()), channel: f.channel || 'web',
      urgent: !!(cat && cat.urgent), hidden: false, published: false, overdue: false,
      publish_identity: f.publish_identity === true || f.publish_identity === 'true',
      private_result: f.private_result === true || f.private_result === 'true',
      reporter: { name: f.reporter_name, phone: f.reporter_phone, email: f.reporter_email || null },
      media: md, deadlines: [], messages: [], comments: [], history: [], rating: null, result: null,
    };
    nextStep(r, 'verify');
    r.history.push({ at: iso(now()), role: 'reporter', actor: 'reporter', action: 'submit', from: null, to: 'submitted', note: '' });
    reports.set(id, r);
    return send(res, 201, { id, status: r.status, access_token: token, urgent: r.urgent, media: md, deadlines: r.deadlines }, { Location: '/api/v1/reports/' + id });
  }
  if ((m = p.match(/^\/reports\/([\w-]+)(\/\w+)?$/))) {
    const r = reports.get(m[1]);
    const tok = req.headers['x-report-token'] || url.searchParams.get('token');
    const isReporter = r && tok && tok === r.token;
    if (!r || (!c && !isReporter)) return err(res, c || tok ? 404 : 401, c || tok ? 'not_found' : 'unauthorized', 'Không tìm thấy phản ánh');
    const sub = m[2] || '';
    if (req.method === 'GET' && sub === '') return send(res, 200, c ? staffView(r) : reporterView(r));
    if (req.method === 'GET' && sub === '/history') return c ? send(res, 200, { history: r.history }) : err(res, 404, 'not_found', 'not found');
    if (req.method === 'GET' && sub === '/reporter') return c && c.role === 'ioc' ? send(res, 200, r.reporter) : err(res, 403, 'forbidden', 'Không có quyền');
    if (req.method === 'POST' && sub === '/actions') {
      const { fields: f, files } = await formOrJson(req);
      const a = ACTIONS[f.action];
      if (!a) return err(res, 400, 'invalid_field', 'Thao tác không hợp lệ', 'action');
      const role = c ? c.role : 'reporter';
      if (!a.who.includes(role)) return err(res, 403, 'forbidden', 'Vai trò không được thực hiện thao tác này');
      if (role === 'handler' && !(r.agencies || []).includes(c.agency)) return err(res, 403, 'forbidden', 'Đơn vị không được giao');
      if (a.from && !a.from.includes(r.status)) return err(res, 409, 'invalid_transition', 'Không thực hiện được ở trạng thái hiện tại');
      const from = r.status;
      switch (f.action) {
        case 'request_info': if (!f.message) return err(res, 400, 'missing_field', 'Cần nhập nội dung yêu cầu', 'message');
          r.messages.push({ at: iso(now()), kind: 'request_info', from: 'ioc', text: f.message }); break;
        case 'supplement': r.messages.push({ at: iso(now()), kind: 'supplement', from: 'reporter', text: f.content || '' }); r.media.push(...storeMedia(files)); break;
        case 'reject': if (!f.reason) return err(res, 400, 'missing_field', 'Cần chọn lý do', 'reason'); r.reject_reason = f.reason; break;
        case 'receive': r.content_original = r.content_original || r.content; if (f.content) r.content = f.content; if (f.category) r.category = f.category; if (f.urgent !== undefined) r.urgent = !!f.urgent; break;
        case 'dispatch': if (!Array.isArray(f.agencies) || !f.agencies.length) return err(res, 400, 'missing_field', 'Chọn đơn vị xử lý', 'agencies');
          r.agencies = f.agencies; r.assignments = f.agencies.map((ag, i) => ({ agency: ag, lead: i === 0 })); bumpStats(f.agencies[0], 'dispatched'); bumpStats(f.agencies[0], 'in_progress'); break;
        case 'resolve': if (!f.summary) return err(res, 400, 'missing_field', 'Cần nhập kết quả', 'summary');
          r.result = { agency: r.agencies[0], salutation: f.salutation || 'Ông/Bà', summary: f.summary, media: storeMedia(files) };
          { const ag = dir.agencies.find((x) => x.id === r.agencies[0]); const sal = r.publish_identity ? 'Ông/Bà ' + r.reporter.name : (f.salutation || 'Ông/Bà');
            r.result.rendered = `${ag.name}\nKính chào: ${sal}\nSau khi nhận được phản ánh của ${sal}, ${ag.name} đã tiến hành kiểm tra, xử lý và thông báo kết quả như sau:\n${f.summary}\nChúng tôi chân thành cảm ơn ${sal} đã kịp thời phản ánh và mong tiếp tục nhận được phản ánh trong thời gian tới.\nTrân trọng./.`; }
          bumpStats(r.agencies[0], 'in_progress', -1); bumpStats(r.agencies[0], 'resolved'); bumpStats(r.agencies[0], 'on_time'); break;
        case 'publish': r.published = !r.private_result && !f.secret; r.published_at = iso(now()); break;
        case 'hide': r.hidden = true; break;
        case 'unhide': r.hidden = false; break;
        case 'rate': if (!['satisfied', 'acceptable', 'unsatisfied'].includes(f.rating)) return err(res, 400, 'invalid_field', 'Mức đánh giá không hợp lệ', 'rating');
          r.rating = f.rating; bumpStats((r.agencies || [])[0], 'ratings.' + f.rating); break;
        case 'comment': if (!f.text) return err(res, 400, 'missing_field', 'Cần nhập bình luận', 'text');
          r.comments.push({ id: 'c' + (r.comments.length + 1), at: iso(now()), text: f.text, reply: null }); break;
        case 'reply': { const cm = r.comments.find((x) => x.id === f.comment_id); if (!cm) return err(res, 400, 'invalid_field', 'Không có bình luận', 'comment_id'); cm.reply = { at: iso(now()), text: f.text, agency: c.agency }; } break;
        default: break;
      }
      if (a.to) r.status = a.to;
      nextStep(r, a.next);
      r.history.push({ at: iso(now()), role, actor: c ? (c.sub || role) : 'reporter', action: f.action, from, to: r.status, note: f.message || f.reason || '' });
      return send(res, 200, c ? staffView(r) : reporterView(r));
    }
    return err(res, 405, 'method_not_allowed', 'Method not allowed');
  }
  if (p === '/queue') {
    if (!c) return err(res, 401, 'unauthorized', 'Cần đăng nhập');
    let list = [...reports.values()];
    const mineFor = {
      ioc: (r) => ['submitted', 'verified', 'received', 'under_review', 'needs_info'].includes(r.status),
      handler: (r) => (r.agencies || []).includes(c.agency) && ['dispatched', 'in_progress', 'resolved'].includes(r.status),
    }[c.role] || (() => true);
    list = list.filter(mineFor);
    if (url.searchParams.get('state')) list = list.filter((r) => r.status === url.searchParams.get('state'));
    list.sort((a, b) => (b.urgent - a.urgent) || String(a.deadlines.at(-1)?.due).localeCompare(String(b.deadlines.at(-1)?.due)));
    return send(res, 200, { reports: list.map(staffView) });
  }
  if (p === '/public/reports') {
    const per = Number(url.searchParams.get('per_page') || 20);
    const page = Number(url.searchParams.get('page') || 1);
    let list = [...reports.values()].filter((r) => r.published && !r.hidden && r.status === 'resolved');
    const cat = url.searchParams.get('category');
    if (cat) list = list.filter((r) => r.category === cat);
    const bbox = (url.searchParams.get('bbox') || '').split(',').map(Number);
    if (bbox.length === 4 && bbox.every(Number.isFinite)) list = list.filter((r) => r.lng >= bbox[0] && r.lat >= bbox[1] && r.lng <= bbox[2] && r.lat <= bbox[3]);
    return send(res, 200, { reports: list.slice((page - 1) * per, page * per).map(publicView), total: list.length, page, per_page: per });
  }
  if ((m = p.match(/^\/public\/reports\/([\w-]+)$/))) {
    const r = reports.get(m[1]);
    if (!r || !r.published || r.hidden) return err(res, 404, 'not_found', 'Không tìm thấy');
    return send(res, 200, publicView(r));
  }
  if ((m = p.match(/^\/public\/media\/(\w+)$/))) {
    const f = media.get(m[1]);
    if (!f) return err(res, 404, 'not_found', 'not found');
    res.writeHead(200, { 'Content-Type': f.type, ...secHeaders });
    return res.end(f.type === 'image/jpeg' ? stripJpeg(f.data) : f.data);
  }
  if (p === '/stats') {
    if (!c || !['ioc', 'supervisor', 'admin'].includes(c.role)) return err(res, c ? 403 : 401, c ? 'forbidden' : 'unauthorized', 'Không có quyền');
    const agencies = [...stats.values()].map((s) => {
      const n = s.ratings.satisfied + s.ratings.acceptable + s.ratings.unsatisfied;
      const rate = n ? (s.ratings.satisfied + s.ratings.acceptable) / n : null;
      return { ...s, satisfaction_rate: rate, flags: rate !== null && rate < 0.7 && n >= 10 ? ['low_satisfaction'] : [] };
    });
    agencies.push({ agency: 'p-doanket', dispatched: 14, resolved: 12, on_time: 8, overdue: 4, in_progress: 2, ratings: { satisfied: 5, acceptable: 2, unsatisfied: 5 }, satisfaction_rate: 7 / 12, flags: ['overdue', 'low_satisfaction'] });
    return send(res, 200, { from: url.searchParams.get('from'), to: url.searchParams.get('to'), agencies });
  }
  return err(res, 404, 'not_found', 'Not found');
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://localhost');
  try {
    if (url.pathname.startsWith('/api/v1/')) return await api(req, res, url);
    let file = path.normalize(path.join(root, decodeURIComponent(url.pathname)));
    if (!file.startsWith(root)) { res.writeHead(403); return res.end(); }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!fs.existsSync(file)) { res.writeHead(404, secHeaders); return res.end('not found'); }
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream', ...secHeaders });
    fs.createReadStream(file).pipe(res);
  } catch (e) {
    console.error(e);
    err(res, 500, 'internal', String(e.message));
  }
});
server.listen(port, '127.0.0.1', () => console.log('mock on http://127.0.0.1:' + port));
