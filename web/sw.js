// Service worker: after the first visit the page works offline. It precaches the site's own files
// that the calculator needs (the lists and version are written by web/build.mjs) and answers from that
// cache first; the on-demand chunks (the Planner, the Chinese texts …) and the worker (ON_DEMAND) join the
// cache the first time the page fetches them. It never fetches anything but same-origin files the page asked for.
const VERSION = '__VERSION__';
const FILES = __FILES__;
const ON_DEMAND = __ON_DEMAND__;
const CACHE = `vramplan-${VERSION}`;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('vramplan-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

// The page names the on-demand files it fetched before this worker controlled it (a Chinese first visit's
// texts): they join the cache too. Only files of ON_DEMAND are taken.
self.addEventListener('message', (event) => {
  const files = ((event.data && event.data.cache) || []).filter((f) => ON_DEMAND.includes(f));
  if (files.length) event.waitUntil(caches.open(CACHE).then((c) => c.addAll(files)));
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET' || new URL(req.url).origin !== self.location.origin) return;
  event.respondWith(
    caches.open(CACHE).then(async (cache) => {
      const hit = await cache.match(req, { ignoreSearch: req.mode === 'navigate' });
      if (hit) return hit;
      if (req.mode === 'navigate') {
        const page = await cache.match('./');
        if (page) return page;
      }
      const res = await fetch(req);
      const file = new URL(req.url).pathname.slice(new URL(self.registration.scope).pathname.length);
      if (res.ok && ON_DEMAND.includes(file)) await cache.put(req, res.clone());
      return res;
    }),
  );
});
