/* 先锋 service worker, served from /sw.js (scope: the whole site) by core/offline.py.

   - The member's field pages (home, 双领 tasks and visits, zones, buildings, safety) are kept
     when they are opened online: network first, the kept copy when there is no connection.
     Each kept copy carries the time it was kept (X-Xianfeng-Kept-At) and is thrown away once
     older than max_age seconds (XIANFENG_OFFLINE_CACHE_HOURS, passed by offline.js in the
     registration URL).
   - /static/ files: cache first (fetched again behind the scenes once the copy is an hour old).
   - A page never kept, or kept too long ago, shows /offline/ instead.
   - The message {type: "clear"} (logout, another account on this phone) drops every kept page;
     the outbox (IndexedDB) is not touched here. */
"use strict";

var PAGES = "xf-pages-v1";
var STATIC = "xf-static-v1";
var KEPT_AT = "X-Xianfeng-Kept-At";
var NO_KEEP = "X-Xianfeng-No-Keep";
var STATIC_FRESH = 3600 * 1000;
var params = new URL(self.location.href).searchParams;
var MAX_AGE = (parseInt(params.get("max_age"), 10) || 72 * 3600) * 1000;
var FIELD_PAGES = [
  /^\/$/,
  /^\/work\//,
  /^\/zones\//,
  /^\/places\/buildings\//,
  /^\/safety\//,
  /^\/offline\//
];
var PRECACHE_PAGES = ["/offline/", "/offline/outbox/"];
var PRECACHE_STATIC = [
  "/static/css/xianfeng.css",
  "/static/css/offline.css",
  "/static/css/work.css",
  "/static/css/visits.css",
  "/static/css/safety.css",
  "/static/js/xianfeng.js",
  "/static/js/offline.js",
  "/static/vendor/htmx.min.js",
  "/static/favicon.svg",
  "/static/icons/icon-192.png"
];

function isFieldPage(url) {
  return FIELD_PAGES.some(function (re) {
    return re.test(url.pathname);
  });
}

// A copy of the response with the time it was kept, for the cache.
function stamped(response) {
  return response.blob().then(function (body) {
    var headers = new Headers(response.headers);
    headers.set(KEPT_AT, String(Date.now()));
    return new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: headers
    });
  });
}

function keep(cacheName, request, response) {
  // A page of an account that does no field work (an office PC: no person behind the account)
  // is never kept: its Cache-Control: no-store binds the HTTP cache, not this Cache Storage,
  // so the server says so in a header of its own (core/middleware.py, NoStoreMiddleware).
  if (cacheName === PAGES && response.headers.get(NO_KEEP) === "1") return Promise.resolve();
  return stamped(response.clone()).then(function (copy) {
    return caches.open(cacheName).then(function (cache) {
      return cache.put(request, copy);
    });
  });
}

function tooOld(response) {
  var at = parseInt(response.headers.get(KEPT_AT), 10);
  return !at || Date.now() - at > MAX_AGE;
}

function sweep() {
  return caches.open(PAGES).then(function (cache) {
    return cache.keys().then(function (requests) {
      return Promise.all(
        requests.map(function (request) {
          return cache.match(request).then(function (response) {
            if (response && tooOld(response)) return cache.delete(request);
          });
        })
      );
    });
  });
}

// Installing waits for every precache fetch: one the server never answers would leave the
// worker installing for ever (and never in control), so each is given up after PRECACHE_WAIT
// and the page is kept later, when it is opened.
var PRECACHE_WAIT = 20 * 1000;

function precache(cacheName, urls) {
  return Promise.all(
    urls.map(function (url) {
      var abort = new AbortController();
      var timer = setTimeout(function () {
        abort.abort();
      }, PRECACHE_WAIT);
      return fetch(url, { credentials: "same-origin", signal: abort.signal })
        .then(function (response) {
          // The outbox page needs a login: kept only when this phone is logged in.
          if (response.ok && !response.redirected) return keep(cacheName, url, response);
        })
        .catch(function () {})
        .then(function () {
          clearTimeout(timer);
        });
    })
  );
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    Promise.all([precache(STATIC, PRECACHE_STATIC), precache(PAGES, PRECACHE_PAGES)]).then(
      function () {
        return self.skipWaiting();
      }
    )
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches
      .keys()
      .then(function (names) {
        return Promise.all(
          names
            .filter(function (name) {
              return name !== PAGES && name !== STATIC;
            })
            .map(function (name) {
              return caches.delete(name);
            })
        );
      })
      .then(sweep)
      .then(function () {
        return self.clients.claim();
      })
  );
});

function fallback() {
  return caches.open(PAGES).then(function (cache) {
    return cache.match("/offline/").then(function (page) {
      return (
        page ||
        new Response("offline", {
          status: 503,
          headers: { "Content-Type": "text/plain; charset=utf-8" }
        })
      );
    });
  });
}

function keptPage(request) {
  return caches.open(PAGES).then(function (cache) {
    return cache
      .match(request)
      .then(function (found) {
        // The visit form opened with another ?household=: the plain form is better than nothing.
        return found || cache.match(request, { ignoreSearch: true, ignoreVary: true });
      })
      .then(function (found) {
        if (!found) return fallback();
        if (tooOld(found)) {
          return cache.delete(request).then(fallback);
        }
        return found;
      });
  });
}

function networkFirst(event) {
  var request = event.request;
  return fetch(request)
    .then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (response.ok && !response.redirected && type.indexOf("text/html") === 0) {
        event.waitUntil(keep(PAGES, request, response));
      }
      return response;
    })
    .catch(function () {
      return keptPage(request);
    });
}

function cacheFirst(event) {
  var request = event.request;
  var refresh = function () {
    return fetch(request).then(function (response) {
      if (response.ok) event.waitUntil(keep(STATIC, request, response));
      return response;
    });
  };
  return caches.match(request, { cacheName: STATIC }).then(function (found) {
    if (!found) return refresh();
    // A copy older than an hour is fetched again behind the scenes (a new release reaches
    // the phone on a later visit); the page gets the kept copy at once.
    var at = parseInt(found.headers.get(KEPT_AT), 10);
    if (!at || Date.now() - at > STATIC_FRESH) event.waitUntil(refresh().catch(function () {}));
    return found;
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(cacheFirst(event));
  } else if (request.mode === "navigate") {
    if (isFieldPage(url)) {
      event.respondWith(networkFirst(event));
    } else {
      event.respondWith(
        fetch(request).catch(function () {
          return fallback();
        })
      );
    }
  }
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var reply = function () {
    if (event.ports && event.ports[0]) event.ports[0].postMessage({ done: true });
  };
  if (data.type === "clear") {
    event.waitUntil(
      caches
        .delete(PAGES)
        .then(function () {
          return precache(PAGES, ["/offline/"]);
        })
        .then(reply, reply)
    );
  } else if (data.type === "keep") {
    // Pages the member is likely to need offline next (offline.js: a[data-offline-keep]);
    // a copy kept in the last ten minutes is not fetched again.
    var urls = (data.urls || []).filter(function (u) {
      var url = new URL(u, self.location.origin);
      return url.origin === self.location.origin && isFieldPage(url);
    });
    event.waitUntil(
      caches
        .open(PAGES)
        .then(function (cache) {
          return Promise.all(
            urls.map(function (u) {
              return cache.match(u).then(function (found) {
                var at = found && parseInt(found.headers.get(KEPT_AT), 10);
                if (at && Date.now() - at < 10 * 60 * 1000) return;
                return fetch(u, { credentials: "same-origin" })
                  .then(function (response) {
                    var type = response.headers.get("Content-Type") || "";
                    if (response.ok && !response.redirected && type.indexOf("text/html") === 0) {
                      return keep(PAGES, u, response);
                    }
                  })
                  .catch(function () {});
              });
            })
          );
        })
        .then(reply, reply)
    );
  } else if (data.type === "sweep") {
    event.waitUntil(sweep().then(reply, reply));
  } else if (data.type === "claim") {
    // A page opened while this worker was activating (the first login's redirect) missed the
    // activation's claim: it asks, so it works offline without a reload.
    event.waitUntil(self.clients.claim().then(reply, reply));
  }
});
