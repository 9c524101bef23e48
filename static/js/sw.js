// GardenHub's service worker (served at /sw.js, so it looks after every page).
//
// - Styles, scripts and icons: from the cache at once, refreshed behind.
// - Pages: always from the network. Only a page the server marks with
//   "GardenHub-Offline: keep" (today's check-in) is kept, under the person it
//   was made for ("GardenHub-Person"), and shown again only without signal and
//   only while that person is the one on the latest page. When someone else
//   (or nobody: logged out) is on a page, every kept page is dropped.
// - Without signal, a page that was not kept gets the offline page, which
//   names nobody. Nothing else (forms, feeds, the check-in queue) is touched.
"use strict";

var VERSION = "gardenhub-1";
var SHELL = VERSION + "-shell";
var PAGES = VERSION + "-pages";
var WHO = "/__gardenhub/person";
var PRELOAD = [
  "/offline",
  "/static/css/gardenhub.css",
  "/static/js/app.js",
  "/static/js/gate.js",
  "/static/js/menu.js",
  "/static/js/errors.js",
  "/static/js/copy.js",
  "/static/img/favicon.svg",
  "/static/img/icon-192.png"
];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL).then(function (cache) { return cache.addAll(PRELOAD); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf(VERSION + "-") !== 0;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function currentPerson() {
  return caches.open(SHELL).then(function (cache) {
    return cache.match(WHO);
  }).then(function (hit) { return hit ? hit.text() : ""; });
}

// The person on the latest page; when it changes, no kept page survives.
function notePerson(person) {
  return currentPerson().then(function (before) {
    if (before === person) return;
    return caches.delete(PAGES).then(function () {
      return caches.open(SHELL);
    }).then(function (cache) {
      return cache.put(WHO, new Response(person));
    });
  });
}

function keptAddress(url, person) {
  var address = new URL(url);
  address.hash = "";
  address.searchParams.set("__person", person);
  return address.href;
}

function page(request) {
  return fetch(request).then(function (response) {
    var person = response.headers.get("GardenHub-Person");
    if (person === null) return response;
    var copy = response.clone();
    var keep = person && response.ok && response.headers.get("GardenHub-Offline") === "keep";
    return notePerson(person).then(function () {
      if (!keep) return;
      return caches.open(PAGES).then(function (cache) {
        return cache.put(keptAddress(request.url, person), copy);
      });
    }).then(function () { return response; }, function () { return response; });
  }, function () {
    return currentPerson().then(function (person) {
      if (!person) return undefined;
      return caches.open(PAGES).then(function (cache) {
        return cache.match(keptAddress(request.url, person));
      });
    }).then(function (kept) {
      return kept || caches.match("/offline");
    }).then(function (answer) {
      return answer || new Response("Offline", { status: 503, headers: { "Content-Type": "text/plain" } });
    });
  });
}

function asset(request) {
  return caches.open(SHELL).then(function (cache) {
    return cache.match(request, { ignoreSearch: true }).then(function (hit) {
      var fresh = fetch(request).then(function (response) {
        if (response.ok) cache.put(request, response.clone());
        return response;
      });
      if (hit) {
        fresh.catch(function () {});
        return hit;
      }
      return fresh;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(asset(request));
    return;
  }
  var accept = request.headers.get("Accept") || "";
  if (request.mode === "navigate" || accept.indexOf("text/html") !== -1) {
    event.respondWith(page(request));
  }
});
