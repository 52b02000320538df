/* fieldapp service worker (DESIGN.md §11). Versioned caches; static files and the offline page
   cached at install; pages network-first with the cached copy (or the offline page) as fallback;
   /static cache-first; old caches deleted on activate; POSTs never touched or cached. Queued
   courier actions live in IndexedDB (outbox.js) and are replayed here on Background Sync. */
"use strict";
// Set before outbox.js loads: it sends the queued actions there (the worker has no page to read).
self.FIELDAPP_SYNC_URL = {{ sync | tojson }};
importScripts({{ outbox | tojson }});

const VERSION = {{ version | tojson }};
const STATIC_CACHE = "fieldapp-static-" + VERSION;
const PAGES_CACHE = "fieldapp-pages-" + VERSION;
const PRECACHE = {{ precache | tojson }};
const OFFLINE_URL = {{ offline | tojson }};
const STATIC_PREFIX = {{ static_prefix | tojson }};
// Pages worth keeping for offline work (the courier's route and its stops); everything else is
// network only.
const CACHEABLE_PAGES = new RegExp({{ courier_pages | tojson }});

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(STATIC_CACHE)
      .then((cache) => cache.addAll(PRECACHE))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names
        .filter((name) => name.startsWith("fieldapp-") && !name.endsWith(VERSION))
        .map((name) => caches.delete(name))))
      .then(() => self.clients.claim())
  );
});

function cacheFirst(request) {
  return caches.match(request).then((hit) => hit || fetch(request).then((response) => {
    if (response.ok) {
      const copy = response.clone();
      caches.open(STATIC_CACHE).then((cache) => cache.put(request, copy));
    }
    return response;
  }));
}

function keepPage(url, response) {
  if (response.ok && !response.redirected && response.type === "basic"
      && CACHEABLE_PAGES.test(url.pathname)) {
    const copy = response.clone();
    caches.open(PAGES_CACHE).then((cache) => cache.put(url.pathname, copy));
  }
  return response;
}

function networkFirst(request, url) {
  return fetch(request)
    .then((response) => keepPage(url, response))
    .catch(() => caches.match(url.pathname, { cacheName: PAGES_CACHE })
      .then((hit) => hit || caches.match(OFFLINE_URL)));
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith(STATIC_PREFIX)) {
    event.respondWith(cacheFirst(request));
  } else if (request.mode === "navigate") {
    event.respondWith(networkFirst(request, url));
  }
});

// A stop page kept less than this long ago is not fetched again when the route is reopened
// (an online visit to the stop refreshes it anyway): repeat loads stay small on mobile data.
const FRESH_MS = 15 * 60 * 1000;

function isFresh(hit) {
  const date = hit && Date.parse(hit.headers.get("Date") || "");
  return Boolean(date) && Date.now() - date < FRESH_MS;
}

function cachePages(urls, always) {
  return caches.open(PAGES_CACHE).then((cache) => Promise.all(urls.map((path) =>
    cache.match(path).then((hit) => {
      if (path !== always && isFresh(hit)) return null;
      return fetch(path, { credentials: "same-origin" }).then((response) => {
        if (response.ok && !response.redirected) return cache.put(path, response);
        throw new Error("not cached: " + path);
      });
    }))));
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  const reply = (message) => event.source && event.source.postMessage(message);
  if (data.type === "cache-pages" && Array.isArray(data.urls)) {
    const urls = data.urls.filter((path) => CACHEABLE_PAGES.test(path));
    event.waitUntil(cachePages(urls, data.current)
      .then(() => reply({ type: "pages-cached", count: urls.length }))
      .catch(() => reply({ type: "pages-not-cached" })));
  } else if (data.type === "clear-pages") {
    event.waitUntil(caches.delete(PAGES_CACHE));
  }
});

self.addEventListener("sync", (event) => {
  if (event.tag !== "courier-outbox") return;
  // Rejecting tells the browser to try again later (e.g. session expired, server down).
  event.waitUntil(self.FieldOutbox.flush().then((result) => {
    if (result.pending > 0) throw new Error("outbox not drained: " + result.state);
  }));
});
