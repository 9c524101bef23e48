// Check-in without signal. Every check-in, undo and walk-in on this page goes
// into the phone's queue (IndexedDB, see app.js) under a key of its own, shows
// at once as "waiting to send", and is sent whenever there is signal: now,
// when the connection returns, every few seconds while something waits, and
// when the page opens again. The server applies each key once, however often
// it arrives, and answers each change; what it refused is listed here.
// Without JavaScript the forms post as they always did (online only).
(function () {
  "use strict";
  var root = document.getElementById("gate");
  var queue = window.GardenHubQueue;
  if (!root || !queue || !window.fetch || !window.crypto || !crypto.randomUUID) return;
  var text = JSON.parse(document.getElementById("gate-text").textContent);
  var statusBox = document.getElementById("gate-status");
  var problemsBox = document.getElementById("gate-problems");
  var workday = root.dataset.workday;
  var person = root.dataset.person;
  var sending = null; // the keys of the request in flight
  var problems = [];

  function mine(item) { return item.workday === workday && item.person === person; }
  function waiting() { return queue.all().then(function (items) { return items.filter(mine); }); }

  function say(message, link) {
    statusBox.hidden = !message;
    statusBox.textContent = message || "";
    if (link) {
      var a = document.createElement("a");
      a.href = link.href;
      a.textContent = link.label;
      statusBox.appendChild(document.createTextNode(" "));
      statusBox.appendChild(a);
    }
  }

  function showProblems() {
    problemsBox.hidden = problems.length === 0;
    problemsBox.textContent = "";
    if (!problems.length) return;
    var title = document.createElement("p");
    title.textContent = text.not_applied;
    var list = document.createElement("ul");
    problems.forEach(function (message) {
      var li = document.createElement("li");
      li.textContent = message;
      list.appendChild(li);
    });
    var dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.className = "button small secondary";
    dismiss.textContent = text.dismiss;
    dismiss.addEventListener("click", function () { problems = []; showProblems(); });
    problemsBox.appendChild(title);
    problemsBox.appendChild(list);
    problemsBox.appendChild(dismiss);
  }

  function queuedMessage(count) {
    return (count === 1 ? text.queued_one : text.queued_other).replace("{count}", count);
  }

  // --- What the page shows while changes wait --------------------------------

  function badge() {
    var span = document.createElement("span");
    span.className = "badge amber waiting";
    span.textContent = text.waiting;
    return span;
  }

  function pendingButton(label, item, secondary) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button big" + (secondary ? " secondary" : "");
    button.textContent = label;
    var name = document.createElement("span");
    name.className = "visually-hidden";
    name.textContent = " · " + item.label;
    button.appendChild(name);
    button.dataset.pending = item.key;
    button.addEventListener("click", function () { takeBack(item); });
    return button;
  }

  function clearPending() {
    Array.prototype.forEach.call(root.querySelectorAll(".gate-pending"), function (node) {
      node.remove();
    });
    Array.prototype.forEach.call(root.querySelectorAll("[data-gate-hidden]"), function (node) {
      node.hidden = false;
      node.removeAttribute("data-gate-hidden");
    });
    Array.prototype.forEach.call(root.querySelectorAll("li.was-here, li.now-here"), function (li) {
      li.classList.toggle("is-here", li.classList.contains("was-here"));
      li.classList.remove("was-here", "now-here", "is-waiting");
    });
  }

  function hide(node) {
    if (!node || node.hidden) return;
    node.hidden = true;
    node.setAttribute("data-gate-hidden", "");
  }

  function render(items) {
    clearPending();
    items.forEach(function (item) {
      if (item.kind === "walk_in") {
        var list = root.querySelector('ul[data-shift="' + item.shift + '"]');
        if (!list) return;
        var li = document.createElement("li");
        li.className = "is-here is-waiting gate-pending";
        var who = document.createElement("span");
        who.className = "who";
        who.textContent = item.label + " ";
        var kind = document.createElement("span");
        kind.className = "badge grey";
        kind.textContent = text.walk_in;
        who.appendChild(kind);
        who.appendChild(document.createTextNode(" "));
        who.appendChild(badge());
        li.appendChild(who);
        list.appendChild(li);
        return;
      }
      var row = document.getElementById("signup-" + item.signup);
      if (!row) return;
      var here = item.kind === "check_in";
      if (!row.classList.contains("was-here") && !row.classList.contains("now-here")) {
        row.classList.add(row.classList.contains("is-here") ? "was-here" : "now-here");
      }
      row.classList.toggle("is-here", here);
      row.classList.add("is-waiting");
      Array.prototype.forEach.call(row.querySelectorAll(".gate-pending"), function (node) { node.remove(); });
      Array.prototype.forEach.call(row.querySelectorAll("form, details"), hide);
      var box = document.createElement("span");
      box.className = "gate-pending gate-pending-action";
      box.appendChild(pendingButton(here ? text.here_undo : text.check_in, item, here));
      box.appendChild(badge());
      row.appendChild(box);
    });
    countHere();
  }

  function countHere() {
    Array.prototype.forEach.call(root.querySelectorAll("ul[data-shift]"), function (list) {
      var rows = list.querySelectorAll("li[data-signup], li.gate-pending");
      var here = list.querySelectorAll("li.is-here").length;
      var heading = list.closest("section").querySelector(".here-count");
      if (heading) heading.textContent = text.count.replace("{here}", here).replace("{total}", rows.length);
    });
  }

  function refreshView() {
    return waiting().then(function (items) {
      render(items);
      return items;
    });
  }

  // A change not sent yet is simply taken back; one on its way gets its
  // opposite queued after it.
  function takeBack(item) {
    if (sending && sending.indexOf(item.key) !== -1) {
      add({ kind: item.kind === "check_in" ? "undo" : "check_in", signup: item.signup, label: item.label });
      return;
    }
    queue.remove(item.key).then(refreshView).then(announce);
  }

  // --- Queueing and sending ---------------------------------------------------

  var seq = Date.now();
  function add(fields) {
    var item = Object.assign({
      key: crypto.randomUUID(),
      seq: seq++,
      workday: workday,
      person: person,
      made_at: new Date().toISOString()
    }, fields);
    return queue.put(item).then(refreshView).then(function () { return send(); });
  }

  function announce() {
    return waiting().then(function (items) {
      if (items.length) say(queuedMessage(items.length));
      return items;
    });
  }

  // Someone is typing or has a form open in this part of the page: leave it
  // as it is for now (the next refresh brings it up to date).
  function busy(node) {
    return node.contains(document.activeElement) || !!node.querySelector("details[open]");
  }

  // The server's roster, taken in list by list: the walk-in forms (and any
  // list someone is working in) stay as they are, so a refresh never throws
  // away what the coordinator is typing.
  function fresh(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var next = page.getElementById("gate");
    if (!next) return false;
    root.dataset.csrf = next.dataset.csrf;
    var lists = root.querySelectorAll("ul[data-shift]");
    var same = lists.length === next.querySelectorAll("ul[data-shift]").length;
    if (!same && !busy(root)) {
      root.innerHTML = next.innerHTML;
      return true;
    }
    Array.prototype.forEach.call(lists, function (list) {
      var shift = list.dataset.shift;
      var incoming = next.querySelector('ul[data-shift="' + shift + '"]');
      if (!incoming || busy(list)) return;
      list.innerHTML = incoming.innerHTML;
      var count = list.closest("section").querySelector(".here-count");
      var newCount = incoming.closest("section").querySelector(".here-count");
      if (count && newCount) count.textContent = newCount.textContent;
    });
    return true;
  }

  // The roster as the server has it now (kept by the service worker for the
  // next time there is no signal), with what still waits shown on top.
  function reload() {
    return fetch(window.location.pathname, {
      headers: { Accept: "text/html" },
      credentials: "same-origin",
      cache: "no-store"
    }).then(function (response) {
      return response.ok ? response.text() : "";
    }).then(function (html) {
      if (html) fresh(html);
    }).catch(function () {}).then(refreshView);
  }

  function post(items) {
    return fetch(root.dataset.sync, {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Content-Type": "application/json", "X-CSRFToken": root.dataset.csrf },
      body: JSON.stringify({ actions: items })
    });
  }

  function settle(items, answers) {
    var done = [];
    answers.forEach(function (answer) {
      if (answer.outcome !== "done") problems.push(answer.message);
      else if (answer.message) done.push(answer.message);
    });
    var keys = items.map(function (item) { return item.key; });
    return Promise.all(keys.map(queue.remove)).then(function () {
      showProblems();
      say(done.length ? done[done.length - 1] : text.sent);
    });
  }

  // What the server said: "done" (answered, change by change), "login"
  // (the session ended: keep everything) or "stale" (most likely the page's
  // token expired: fetch a fresh page and try once more).
  function understand(response, items) {
    var type = response.headers.get("Content-Type") || "";
    if (type.indexOf("application/json") === -1) return "stale";
    return response.json().then(function (body) {
      if (response.status === 200) return settle(items, body.answers || []).then(function () { return "done"; });
      if (response.status === 401) {
        say(body.error.message, { href: "/login?next=" + encodeURIComponent(window.location.pathname), label: text.log_in });
        return "login";
      }
      if (response.status === 403 || response.status === 404) {
        return settle(items, items.map(function (item) {
          return { key: item.key, outcome: "conflict", message: body.error.message };
        })).then(function () { return "done"; });
      }
      throw new Error(body.error ? body.error.message : "refused");
    });
  }

  function send(again) {
    if (sending) return Promise.resolve();
    return waiting().then(function (items) {
      if (!items.length) return;
      sending = items.map(function (item) { return item.key; });
      say(text.sending);
      return post(items).then(function (response) {
        return understand(response, items);
      }).then(function (next) {
        sending = null;
        if (next === "stale") {
          if (again) throw new Error("refused");
          return reload().then(function () { return send(true); });
        }
        if (next === "login") return;
        // Whatever was queued while this request was on its way goes next.
        return reload().then(function (left) { if (left.length) return send(); });
      }).catch(function () {
        sending = null;
        return announce().then(function (left) {
          if (left.length && navigator.onLine) say(text.failed + " " + queuedMessage(left.length));
        });
      });
    });
  }

  root.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-needs-signal") && !navigator.onLine) {
      event.preventDefault();
      say(text.needs_signal);
      return;
    }
    var kind = form.dataset.gateAction;
    if (!kind) return;
    event.preventDefault();
    if (kind === "walk_in") {
      var value = function (name) { return (form.elements[name] && form.elements[name].value || "").trim(); };
      var fields = {
        kind: kind,
        shift: Number(form.dataset.shift),
        email: value("email"),
        name: value("name"),
        phone: value("phone"),
        texts_agreed: !!(form.elements.texts_agreed && form.elements.texts_agreed.checked)
      };
      fields.label = fields.name || fields.email;
      form.reset();
      add(fields);
      return;
    }
    var row = form.closest("li[data-signup]");
    add({ kind: kind, signup: Number(row.dataset.signup), label: row.dataset.name });
  });

  window.addEventListener("online", function () { send(); });
  setInterval(function () { send(); }, 15000);
  refreshView().then(function (items) {
    if (items.length) {
      announce();
      send();
    }
  });
})();
