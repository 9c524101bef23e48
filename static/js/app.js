// The installable app: register the service worker (it keeps the check-in
// page for use without signal), keep the queue of check-ins made without
// signal (IndexedDB), and warn before logging out would lose what is still
// waiting on this phone. Without JavaScript nothing here runs and nothing is
// lost: every page works online as it is.
(function () {
  "use strict";
  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
  }
  if (!window.indexedDB) return;

  var opened = null;
  function database() {
    if (!opened) {
      opened = new Promise(function (resolve, reject) {
        var request = indexedDB.open("gardenhub-gate", 1);
        request.onupgradeneeded = function () {
          request.result.createObjectStore("queue", { keyPath: "key" });
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    }
    return opened;
  }
  function run(mode, work) {
    return database().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction("queue", mode);
        var result = work(tx.objectStore("queue"));
        tx.oncomplete = function () { resolve(result && "result" in result ? result.result : undefined); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error); };
      });
    });
  }
  // Each change waits here, under the key the server knows it by, until the
  // server has answered it.
  window.GardenHubQueue = {
    all: function () {
      return run("readonly", function (store) { return store.getAll(); }).then(function (items) {
        return (items || []).sort(function (a, b) { return a.seq - b.seq; });
      });
    },
    put: function (item) { return run("readwrite", function (store) { store.put(item); }); },
    remove: function (key) { return run("readwrite", function (store) { store.delete(key); }); },
    count: function () { return run("readonly", function (store) { return store.count(); }); }
  };

  var logout = document.querySelector("form[data-unsent-warning]");
  if (!logout) return;
  var sure = false;
  logout.addEventListener("submit", function (event) {
    if (sure) return;
    event.preventDefault();
    var leave = function () { sure = true; logout.submit(); };
    window.GardenHubQueue.count().then(function (count) {
      if (count === 0 || window.confirm(logout.dataset.unsentWarning)) leave();
    }, leave);
  });
})();
