// Builds the served copy of the portal: portal/ -> OUT (build/portal).
//
//   node mk/portal-build.mjs <portal dir> <out dir>
//
// - Every asset a page loads (js, css, images, the vendored Leaflet) gets
//   its content hash in its name (app.3f9c1a2b7d.js) and is served with a
//   year-long immutable Cache-Control; a change makes a new name, so a
//   phone never runs yesterday's script against today's page.
// - What must keep its name stays as it is and is revalidated on each load:
//   the HTML pages, config.js (edited per deployment without a rebuild; the
//   modules import it by its plain name) and the service worker sw.js
//   (which must keep its URL; it gets the list of the shell's files).
// - References are rewritten in the files that make them: HTML src/href,
//   CSS url(), and in JS every quoted relative path that names a file of
//   the portal (imports and new URL('..', import.meta.url)).  A file's
//   hash covers its rewritten text, so a change deep in an import chain
//   renames every module above it.
// - Each page's module graph is bundled and minified into one file by
//   esbuild (pinned in e2e/package.json): on a slow link every request costs
//   a round trip of half a second, and Chrome opens only 6 connections.
//   config.js stays outside the bundles.
// - Text files get a .gz beside them for gzip_static.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const [portal, out] = process.argv.slice(2).map((p) => p && path.resolve(p));
if (!portal || !out) {
    console.error('usage: node mk/portal-build.mjs <portal dir> <out dir>');
    process.exit(2);
}

const here = path.dirname(fileURLToPath(import.meta.url));
const esbuild = createRequire(path.join(here, '../e2e/package.json'))(
    'esbuild');

// a staging copy where each page's script is its bundle and the modules
// the bundles took in are gone
const src = out + '.src';
fs.rmSync(src, { recursive: true, force: true });
fs.cpSync(portal, src, { recursive: true });
const entries = new Set();
for (const f of fs.readdirSync(portal).filter((x) => x.endsWith('.html'))) {
    const html = fs.readFileSync(path.join(portal, f), 'utf8');
    for (const m of html.matchAll(/<script type="module" src="([^"]+)"/g)) {
        entries.add(path.posix.normalize(m[1]));
    }
}
const bundled = esbuild.buildSync({
    entryPoints: [...entries].map((e) => path.join(portal, e)),
    outdir: path.join(src, 'js'),
    allowOverwrite: true,
    bundle: true,
    format: 'esm',
    minify: true,
    charset: 'utf8',
    target: ['es2022'],
    external: ['*/config.js'],
    metafile: true,
    logLevel: 'warning',
});
for (const input of Object.keys(bundled.metafile.inputs)) {
    const rel = path.relative(portal, path.resolve(input))
        .split(path.sep).join('/');
    if (rel.startsWith('js/') && !entries.has(rel)) {
        fs.rmSync(path.join(src, rel));
    }
}

// config.js and sw.js, and what config.js names (the emblem, the boundary)
const KEEP_NAME = new Set(['config.js', 'sw.js']);
const KEEP_DIR = /^(img|data)\//;
const SKIP = /(^|\/)(\.|node_modules\/)|\.(map|gz)$|^vendor\/\.stamp$/;
const TEXT = /\.(html|js|mjs|css|svg|json|txt|geojson|webmanifest)$/;
const HASHED = /\.(js|mjs|css|png|svg|jpg|webp|woff2|geojson|json)$/;

function walk(dir, rel = '') {
    const files = [];
    const list = fs.readdirSync(path.join(dir, rel), { withFileTypes: true });
    for (const e of list) {
        const r = rel ? rel + '/' + e.name : e.name;
        if (SKIP.test(r)) continue;
        if (e.isDirectory()) files.push(...walk(dir, r));
        else files.push(r);
    }
    return files;
}

const files = walk(src);
const known = new Set(files);
const finalName = new Map();   // source rel path -> output rel path
const content = new Map();     // source rel path -> Buffer written
const visiting = new Set();

// a reference as written in `from` -> the portal file it names, or null
function resolveRef(from, ref) {
    if (!ref || /^([a-z]+:|\/\/|#|data:|blob:)/i.test(ref)) return null;
    const clean = ref.replace(/[?#].*$/, '');
    if (!clean) return null;
    const base = clean.startsWith('/') ? '' : path.posix.dirname(from);
    const target = path.posix.normalize(path.posix.join(base, clean))
        .replace(/^\/+/, '');
    return known.has(target) ? target : null;
}

// the same reference, pointing at the target's output name
function rewriteRef(from, ref) {
    const target = resolveRef(from, ref);
    // pages, config.js and sw.js keep their names: nothing to rewrite
    if (!target || !hashed(target)) return ref;
    const name = build(target);
    const suffix = ref.match(/[?#].*$/);
    if (ref.startsWith('/')) return '/' + name + (suffix ? suffix[0] : '');
    let rel = path.posix.relative(path.posix.dirname(from), name);
    if (!rel.startsWith('.') && /\.m?js$/.test(from)) rel = './' + rel;
    return rel + (suffix ? suffix[0] : '');
}

// the modules a module imports statically, all the way down (output names)
function staticImports(rel, seen = new Set()) {
    const text = fs.readFileSync(path.join(src, rel), 'utf8');
    // import/export ... from '<dep>', and a bare import '<dep>'
    const re = new RegExp('^\\s*(?:import|export)\\s[^;]*?from\\s*'
        + '([\'"])([^\'"]+)\\1|^\\s*import\\s*([\'"])([^\'"]+)\\3', 'gm');
    for (const m of text.matchAll(re)) {
        const dep = resolveRef(rel, m[2] || m[4]);
        if (dep && !seen.has(dep)) {
            seen.add(dep);
            staticImports(dep, seen);
        }
    }
    return seen;
}

// A page names every module its script will import (modulepreload): on a
// slow link the browser fetches them side by side instead of one round
// trip per level of imports.
function preloads(rel, text) {
    const script = /^(\s*)<script type="module" src="([^"]+)"><\/script>$/m;
    return text.replace(script,
        (m, indent, ref) => {
            const target = resolveRef(rel, ref);
            if (!target) return m;
            build(target);
            // written with source names: the caller rewrites them all
            const links = [...staticImports(target)].map((dep) =>
                `${indent}<link rel="modulepreload" href="${
                    path.posix.relative(path.posix.dirname(rel), dep)}">`);
            return [...links, m].join('\n');
        });
}

function rewrite(rel, text) {
    if (rel.endsWith('.html')) {
        return preloads(rel, text).replace(/\b(src|href)="([^"]+)"/g,
            (m, attr, ref) => `${attr}="${rewriteRef(rel, ref)}"`);
    }
    if (rel.endsWith('.css')) {
        return text.replace(/url\((['"]?)([^'")]+)\1\)/g,
            (m, q, ref) => `url(${q}${rewriteRef(rel, ref)}${q})`);
    }
    if (/\.m?js$/.test(rel) && !rel.startsWith('vendor/')) {
        // quoted strings that begin like a relative path
        return text.replace(/(['"])(\.{1,2}\/[^'"\s]+)\1/g,
            (m, q, ref) => q + rewriteRef(rel, ref) + q);
    }
    return text;
}

function hashed(rel) {
    return HASHED.test(rel) && !KEEP_NAME.has(rel) && !KEEP_DIR.test(rel);
}

function hashName(rel, buf) {
    const h = crypto.createHash('sha256').update(buf).digest('hex')
        .slice(0, 10);
    const ext = path.posix.extname(rel);
    return rel.slice(0, -ext.length) + '.' + h + ext;
}

function build(rel) {
    if (finalName.has(rel)) return finalName.get(rel);
    if (visiting.has(rel)) {
        throw new Error(`reference cycle through ${rel}: content hashes ` +
            'need references without cycles');
    }
    visiting.add(rel);
    let buf = fs.readFileSync(path.join(src, rel));
    if (TEXT.test(rel) && rel !== 'sw.js') {
        buf = Buffer.from(rewrite(rel, buf.toString('utf8')), 'utf8');
    }
    const name = hashed(rel) ? hashName(rel, buf) : rel;
    visiting.delete(rel);
    finalName.set(rel, name);
    content.set(rel, buf);
    return name;
}

for (const rel of files) build(rel);

// the service worker learns the shell: every page and what they load, not
// the map's vendor script (fetched and cached the first time a map is shown)
if (known.has('sw.js')) {
    const shell = files.filter((f) => f !== 'sw.js' && !f.startsWith('vendor/')
        && !/\.(gz|txt|md)$/.test(f))
        .map((f) => finalName.get(f)).sort();
    const version = crypto.createHash('sha256');
    for (const f of files) if (f !== 'sw.js') version.update(content.get(f));
    const sw = content.get('sw.js').toString('utf8')
        .replace("'__PA_SHELL__'", JSON.stringify(shell))
        .replace("'__PA_VERSION__'",
            JSON.stringify(version.digest('hex').slice(0, 12)));
    content.set('sw.js', Buffer.from(sw, 'utf8'));
}

// write into a fresh folder, then swap: nginx never serves a half build
const tmp = out + '.tmp';
fs.rmSync(tmp, { recursive: true, force: true });
let bytes = 0;
let gz = 0;
for (const rel of files) {
    const dest = path.join(tmp, finalName.get(rel));
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    const buf = content.get(rel);
    fs.writeFileSync(dest, buf);
    bytes += buf.length;
    if (TEXT.test(rel) && buf.length > 512) {
        const z = zlib.gzipSync(buf, { level: 9 });
        fs.writeFileSync(dest + '.gz', z);
        gz += z.length;
    }
}
fs.writeFileSync(path.join(tmp, 'assets.json'),
    JSON.stringify(Object.fromEntries(finalName), null, 1) + '\n');
fs.rmSync(out, { recursive: true, force: true });
fs.renameSync(tmp, out);
fs.rmSync(src, { recursive: true, force: true });
const shown = path.relative(process.cwd(), out) || out;
console.log(`portal: ${files.length} files in ${shown}`
    + ` (${Math.round(bytes / 1024)} KB, ${Math.round(gz / 1024)} KB gzipped)`);
