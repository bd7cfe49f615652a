// Reports written without signal, kept on the phone until they are sent:
// IndexedDB (not localStorage) because the photos go with them as Blobs.
// A draft is {id, fields, files: [{name, type, blob, handle?}], saved_at};
// handle: the photo's pre-upload (uploads.js), so what was sent before the
// signal went is not sent again.
const DB = 'pa-portal';
const STORE = 'drafts';

function open() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'id' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function tx(mode, fn) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const t = db.transaction(STORE, mode);
      const result = fn(t.objectStore(STORE));
      t.oncomplete = () => resolve(result && 'result' in result ? result.result : result);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error || new Error('aborted'));
    });
  } finally {
    db.close();
  }
}

export const drafts = {
  async save(fields, files, handles = []) {
    const d = {
      id: 'd' + Date.now().toString(36) + Math.random().toString(36).slice(2, 6),
      fields,
      // a File read into a Blob: the picked file may be gone by the time
      // the signal is back
      files: await Promise.all(files.map(async (f, i) => ({
        name: f.name, type: f.type, blob: new Blob([await f.arrayBuffer()], { type: f.type }),
        handle: handles[i] || null,
      }))),
      saved_at: new Date().toISOString(),
    };
    await tx('readwrite', (s) => s.put(d));
    return d;
  },
  async list() {
    try {
      const all = await tx('readonly', (s) => s.getAll());
      return (all || []).sort((a, b) => a.saved_at.localeCompare(b.saved_at));
    } catch (e) {
      return [];
    }
  },
  async remove(id) {
    await tx('readwrite', (s) => s.delete(id));
  },
};

// the files of a draft as Files again, for FormData
export function draftFiles(d) {
  return (d.files || []).map((f) => new File([f.blob], f.name, { type: f.type }));
}

// their pre-upload handles, in the same order (null: not started)
export function draftHandles(d) {
  return (d.files || []).map((f) => f.handle || null);
}
