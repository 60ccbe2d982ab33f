{% load static %}// The kiosk's service worker: a TV that reloads or restarts while the network is down still shows
// the last slides it had. Network first for the page and its slides (so a revoked device is refused
// at once and new slides show when online), the cached copy when the network fails; the stylesheet
// and script are kept from install. Scope: {{ scope }} only.
"use strict";
var CACHE = "zhili-kiosk-v1";
var PAGE = "{{ scope }}";
var SLIDES = "{{ slides_url }}";
var ASSETS = ["{% static 'screens/kiosk.css' %}", "{% static 'screens/kiosk.js' %}"];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return cache.addAll(ASSETS.concat([new Request(PAGE, { credentials: "same-origin" })]));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function networkFirst(request, key) {
  return fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(key, copy); });
    } else if (response.status === 403) {
      caches.delete(CACHE);  // revoked: show nothing old
    }
    return response;
  }).catch(function () {
    return caches.match(key).then(function (hit) { return hit || Response.error(); });
  });
}

self.addEventListener("fetch", function (event) {
  var url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname === PAGE) { event.respondWith(networkFirst(event.request, PAGE)); return; }
  if (url.pathname === SLIDES) { event.respondWith(networkFirst(event.request, SLIDES)); return; }
  if (ASSETS.indexOf(url.pathname) !== -1) {
    event.respondWith(caches.match(url.pathname).then(function (hit) { return hit || fetch(event.request); }));
  }
});
