/* Field work with no signal (core/offline.py, loaded by base.html).

   - Registers the service worker (/sw.js) that keeps the field pages for use offline.
   - The banner: a page shown offline, or kept on the phone, says when it was kept.
   - The outbox (IndexedDB "xianfeng-outbox"): a form marked data-outbox (the visit form, the
     hazard report) saved with no connection goes here, photos compressed on the phone (long
     side 1600 px, JPEG, EXIF orientation applied). Each item carries its own client key, so
     the server stores it once however often it arrives. It is sent by itself when the
     connection returns (the online event, and a retry with backoff); an item the server
     refuses keeps the server's reason and stays until the member edits or discards it.
   - Logout warns when the outbox is not empty and drops the kept pages first; another account
     on this phone drops them too. */
(function () {
  "use strict";

  var DB_NAME = "xianfeng-outbox";
  var STORE = "items";
  var LONG_SIDE = 1600;
  var QUALITY = 0.8;
  var RETRY_BASE = 5000; // ms; doubles per failed try, at most RETRY_MAX
  var RETRY_MAX = 5 * 60 * 1000;
  var SENT_KEEP = 24 * 3600 * 1000; // sent items stay listed for a day

  var body = document.body;
  var user = body.dataset.user || "";
  var retryTimer = null;
  var sending = false;

  function text(el, name) {
    return (el && el.dataset[name]) || "";
  }

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) {
      return values[key] === undefined ? "" : values[key];
    });
  }

  // --- the service worker -------------------------------------------------------------------

  function swMessage(message) {
    if (!("serviceWorker" in navigator)) return Promise.resolve();
    return navigator.serviceWorker.getRegistration("/").then(function (reg) {
      var worker = reg && (reg.active || reg.waiting || reg.installing);
      if (!worker) return;
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function () {
          resolve();
        };
        worker.postMessage(message, [channel.port2]);
        setTimeout(resolve, 3000);
      });
    });
  }

  function clearKeptPages() {
    var jobs = [swMessage({ type: "clear" })];
    if (window.caches) {
      jobs.push(caches.delete("xf-pages-v1"));
    }
    return Promise.all(jobs).catch(function () {});
  }

  function register() {
    if (!("serviceWorker" in navigator)) return;
    var maxAge = body.dataset.offlineMaxAge || "";
    navigator.serviceWorker
      .register("/sw.js?max_age=" + encodeURIComponent(maxAge), { scope: "/" })
      .catch(function () {});
    // A page that loaded while the worker was still activating is not controlled by it (the
    // activation's claim came before this page existed): ask the active worker to claim it.
    navigator.serviceWorker.ready
      .then(function () {
        if (!navigator.serviceWorker.controller) return swMessage({ type: "claim" });
      })
      .catch(function () {});
  }

  // Links marked data-offline-keep (a building's inspection form and hazard report): the
  // service worker fetches and keeps them now, so they open in a basement without having
  // been opened online first.
  function keepLinked() {
    if (!navigator.onLine || !user) return Promise.resolve();
    var urls = Array.prototype.map.call(document.querySelectorAll("a[data-offline-keep]"), function (a) {
      return a.getAttribute("href");
    });
    if (!urls.length) return Promise.resolve();
    return navigator.serviceWorker.ready.then(function () {
      return swMessage({ type: "keep", urls: urls });
    });
  }

  // Another account on this phone: the pages kept for the previous one go.
  function checkAccount() {
    var last = null;
    try {
      last = localStorage.getItem("xf-user");
      if (user) localStorage.setItem("xf-user", user);
    } catch (e) {
      return Promise.resolve();
    }
    if (user && last && last !== user) return clearKeptPages();
    return Promise.resolve();
  }

  // --- the banner ----------------------------------------------------------------------------

  function two(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function ageText(banner, seconds) {
    var minutes = Math.max(1, Math.round(seconds / 60));
    if (minutes < 60) return fill(text(banner, "minutes"), { n: minutes });
    var hours = Math.round(minutes / 60);
    if (hours < 48) return fill(text(banner, "hours"), { n: hours });
    return fill(text(banner, "days"), { n: Math.round(hours / 24) });
  }

  function showBanner() {
    var banner = document.getElementById("offline-banner");
    if (!banner) return;
    var rendered = parseInt(body.dataset.renderedAt, 10) * 1000;
    var age = (Date.now() - rendered) / 1000;
    var lines = [];
    var reload = null;
    if (!navigator.onLine) lines.push(text(banner, "offline"));
    // A page rendered more than a minute ago was not fetched just now: it is the phone's copy.
    if (rendered && age > 60) {
      var at = new Date(rendered);
      var when =
        at.getMonth() + 1 + "-" + at.getDate() + " " + two(at.getHours()) + ":" + two(at.getMinutes());
      // The connection came back while the phone's copy is shown: said so, with a way to
      // the page as it is now (not reloaded by itself: the member may be typing in it).
      var back = navigator.onLine && banner.dataset.wasOffline === "1";
      lines.push(fill(text(banner, back ? "back" : "stale"), { time: when, age: ageText(banner, age) }));
      banner.dataset.keptAt = String(rendered);
      if (back) {
        reload = document.createElement("a");
        reload.href = location.href;
        reload.textContent = text(banner, "reload");
      }
    }
    if (!navigator.onLine) banner.dataset.wasOffline = "1";
    banner.textContent = lines.join(" ");
    if (reload) {
      banner.appendChild(document.createTextNode(" "));
      banner.appendChild(reload);
    }
    banner.hidden = lines.length === 0;
  }

  // --- IndexedDB -----------------------------------------------------------------------------

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "key" });
      };
      request.onsuccess = function () {
        resolve(request.result);
      };
      request.onerror = function () {
        reject(request.error);
      };
    });
  }

  function tx(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode);
        var result = work(t.objectStore(STORE));
        t.oncomplete = function () {
          db.close();
          resolve(result instanceof IDBRequest ? result.result : result);
        };
        t.onerror = function () {
          db.close();
          reject(t.error);
        };
      });
    });
  }

  function allItems() {
    return tx("readonly", function (store) {
      return store.getAll();
    }).then(function (items) {
      return items
        .filter(function (item) {
          return item.user === user;
        })
        .sort(function (a, b) {
          return a.savedAt - b.savedAt;
        });
    });
  }

  function putItem(item) {
    return tx("readwrite", function (store) {
      store.put(item);
    });
  }

  function getItem(key) {
    return tx("readonly", function (store) {
      return store.get(key);
    });
  }

  function deleteItem(key) {
    return tx("readwrite", function (store) {
      store.delete(key);
    });
  }

  function pending(items) {
    return items.filter(function (item) {
      return item.state !== "sent";
    });
  }

  // --- photos --------------------------------------------------------------------------------

  // Long side at most 1600 px, JPEG, turned upright by its EXIF orientation.
  function compress(file) {
    if (!file.type || file.type.indexOf("image/") !== 0 || !window.createImageBitmap) {
      return Promise.resolve(file);
    }
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, LONG_SIDE / Math.max(bitmap.width, bitmap.height));
      var width = Math.round(bitmap.width * scale);
      var height = Math.round(bitmap.height * scale);
      var canvas = document.createElement("canvas");
      canvas.width = width;
      canvas.height = height;
      canvas.getContext("2d").drawImage(bitmap, 0, 0, width, height);
      if (bitmap.close) bitmap.close();
      return new Promise(function (resolve) {
        canvas.toBlob(
          function (blob) {
            resolve(blob || file);
          },
          "image/jpeg",
          QUALITY
        );
      });
    });
  }
  window.xfCompressPhoto = compress; // for the benchmark in the browser test

  // --- saving a form into the outbox -----------------------------------------------------------

  // Workflow steps a member may take offline: claiming a task (the task page's button, or a
  // step form). Sent to the step's page like its form; a refusal (someone else claimed it
  // first) comes back with the page's message.
  var OFFLINE_STEPS = ["claim"];

  function outboxable(form) {
    if (form.dataset.outbox) return true;
    var step = form.dataset.step;
    var button = form.querySelector("[data-action]");
    if (!step && button) step = button.dataset.action;
    return OFFLINE_STEPS.indexOf(step) >= 0;
  }

  // The page's heading without its state tag ("清查出租屋消防通道", not "… 待认领").
  function pageTitle() {
    var h1 = document.querySelector("main h1");
    if (!h1) return "";
    return (h1.firstChild && h1.firstChild.nodeType === 3 ? h1.firstChild : h1).textContent.trim();
  }

  function defaultWord(name) {
    return text(document.getElementById("offline-banner"), name);
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID().replace(/-/g, "");
    return String(Date.now()) + Math.random().toString(16).slice(2);
  }

  // "2026-12-07T10:30" (local time of the server's zone, as the form shows it) → ISO with offset.
  function withOffset(value) {
    var offset = body.dataset.utcOffset || "+0000";
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(value)) return value;
    return value + ":00" + offset.slice(0, 3) + ":" + offset.slice(3);
  }

  function nowLocal() {
    var d = new Date();
    return (
      d.getFullYear() +
      "-" +
      two(d.getMonth() + 1) +
      "-" +
      two(d.getDate()) +
      "T" +
      two(d.getHours()) +
      ":" +
      two(d.getMinutes())
    );
  }

  function summary(form) {
    var names = (form.dataset.outboxSummary || "").split(/\s+/).filter(Boolean);
    var parts = [];
    names.forEach(function (name) {
      var checked = form.querySelector('[name="' + name + '"]:checked');
      if (checked) {
        var label = checked.closest("label");
        parts.push(((label && label.textContent) || checked.value).trim());
        return;
      }
      var field = form.elements[name];
      if (field && field.value) {
        if (field.tagName === "SELECT") {
          parts.push(field.options[field.selectedIndex].text.trim());
        } else if (field.type !== "hidden") {
          parts.push(field.value.trim());
        }
      }
    });
    return parts.join(" · ");
  }

  function formItem(form) {
    var data = new FormData(form);
    var fields = [];
    var files = [];
    var occurredName = form.dataset.outboxTime || "";
    var occurredAt = "";
    data.forEach(function (value, name) {
      if (value instanceof File) {
        if (value.size) files.push({ name: name, file: value });
        return;
      }
      if (name === "csrfmiddlewaretoken" || name === "q" || name === "client_key") return;
      if (value === "") return;
      if (name === occurredName) {
        value = withOffset(value);
        occurredAt = value;
      }
      fields.push([name, value]);
    });
    var editing = form.dataset.outboxEditing || "";
    return Promise.all(
      files.map(function (f) {
        return compress(f.file).then(function (blob) {
          return { name: f.name, blob: blob, filename: (f.file.name || "photo").replace(/\.\w+$/, "") + ".jpg" };
        });
      })
    ).then(function (photos) {
      var item = {
        key: editing || newKey(),
        user: user,
        kind: form.dataset.outboxKind || (form.querySelector("[type=submit]") || {}).textContent || "",
        label: summary(form) || pageTitle(),
        url: form.dataset.outboxUrl || form.action,
        mode: form.dataset.outbox || "page",
        editable: Boolean(form.dataset.outbox),
        record: form.dataset.outboxRecord || "",
        page: location.pathname + location.search,
        fields: fields,
        photos: photos,
        savedAt: Date.now(),
        occurredAt: occurredAt,
        state: "waiting",
        reason: "",
        tries: 0,
        nextTry: 0
      };
      if (!editing) return item;
      return getItem(editing).then(function (old) {
        // Edited after a refusal: the same key (nothing was stored); each field's old photos
        // stay unless a new one was chosen for that field (an inspection has one per item).
        if (old) {
          var chosen = photos.map(function (p) {
            return p.name;
          });
          (old.photos || []).forEach(function (p) {
            if (chosen.indexOf(p.name) < 0) item.photos.push(p);
          });
        }
        return item;
      });
    });
  }

  // kind "error": the server's reason for a refused item, shown while it is corrected.
  function outboxStatus(form, message, kind) {
    var box = document.getElementById("outbox-saved");
    if (!box) {
      box = document.createElement("div");
      box.id = "outbox-saved";
      form.parentNode.insertBefore(box, form);
    }
    box.className = "alert " + (kind || "success");
    box.setAttribute("role", kind === "error" ? "alert" : "status");
    box.textContent = message;
    box.hidden = false;
  }

  function saveToOutbox(form) {
    var started = performance.now();
    var submit = form.querySelector("[type=submit]");
    if (submit) submit.disabled = true;
    return formItem(form)
      .then(putItem)
      .then(function () {
        form.reset();
        delete form.dataset.outboxEditing;
        var time = form.elements[form.dataset.outboxTime || ""];
        if (time) time.value = nowLocal();
        outboxStatus(form, form.dataset.outboxSaved || defaultWord("saved"));
        window.xfLastOutboxMs = performance.now() - started;
        return updateCount();
      })
      .catch(function (error) {
        outboxStatus(form, String(error), "error");
      })
      .then(function () {
        if (submit) submit.disabled = false;
        if (navigator.onLine) scheduleSend(0);
      });
  }

  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (form.hasAttribute("data-logout")) {
        onLogout(event, form);
        return;
      }
      // A form that needs the server at once (开始检查 opens an inspection there) has a page
      // that works offline instead: go there when there is no connection.
      if (form.dataset.offlineHref && !navigator.onLine) {
        event.preventDefault();
        location.href = form.dataset.offlineHref;
        return;
      }
      if (!outboxable(form)) return;
      // Online, the form goes to the server as always (its errors shown on the page); offline,
      // or when it came back from the outbox to be corrected, it goes to the outbox.
      if (navigator.onLine && !form.dataset.outboxEditing) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      saveToOutbox(form);
    },
    true
  );

  // The form opened from the outbox (?outbox=<key>) to correct a refused item: its values back.
  function editFromOutbox() {
    var key = new URLSearchParams(location.search).get("outbox");
    var form = document.querySelector("form[data-outbox]");
    if (!key || !form) return;
    getItem(key).then(function (item) {
      if (!item || item.user !== user) return;
      form.dataset.outboxEditing = key;
      var names = {};
      item.fields.forEach(function (pair) {
        (names[pair[0]] = names[pair[0]] || []).push(pair[1]);
      });
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || el.type === "file" || el.name === "csrfmiddlewaretoken") return;
        var values = names[el.name] || [];
        if (el.type === "checkbox" || el.type === "radio") {
          el.checked = values.indexOf(el.value) >= 0;
        } else if (el.name === form.dataset.outboxTime && values[0]) {
          el.value = values[0].slice(0, 16);
        } else if (el.type !== "hidden" || values.length) {
          el.value = values[0] || "";
        }
      });
      outboxStatus(form, item.reason, "error");
    });
  }

  // --- sending ---------------------------------------------------------------------------------

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    try {
      return JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function requestBody(item) {
    var data = new FormData();
    item.fields.forEach(function (pair) {
      data.append(pair[0], pair[1]);
    });
    (item.photos || []).forEach(function (photo) {
      data.append(photo.name, photo.blob, photo.filename || "photo.jpg");
    });
    data.append("client_key", item.key);
    if (item.mode === "page") data.append("csrfmiddlewaretoken", csrfToken());
    return data;
  }

  function apiReason(payload, status) {
    if (!payload) return String(status);
    var parts = [payload.detail || ""];
    var errors = payload.errors || {};
    Object.keys(errors).forEach(function (name) {
      var list = errors[name];
      (Array.isArray(list) ? list : [list]).forEach(function (message) {
        if (parts.indexOf(message) < 0) parts.push(message);
      });
    });
    return parts.filter(Boolean).join(" ");
  }

  // A page form answered again with its errors (400): the messages the page shows.
  function pageReason(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var found = doc.querySelectorAll("main .alert.error, main .errorlist li");
    var parts = [];
    Array.prototype.forEach.call(found, function (el) {
      var t = el.textContent.trim();
      if (t && parts.indexOf(t) < 0) parts.push(t);
    });
    return parts.join(" ");
  }

  // One try: "sent", "refused" (the server said no: kept with its reason) or "later".
  function sendOne(item) {
    return fetch(item.url, {
      method: "POST",
      body: requestBody(item),
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json", "Idempotency-Key": item.key }
    }).then(
      function (response) {
        if (item.mode === "page") {
          if (response.ok && response.redirected && response.url.indexOf("/login/") < 0) {
            return { state: "sent", link: response.url.replace(location.origin, "") };
          }
          if (response.redirected) return { state: "later", login: true };
          if (response.status >= 400 && response.status < 500) {
            return response.text().then(function (html) {
              return { state: "refused", reason: pageReason(html) || String(response.status) };
            });
          }
          return { state: "later" };
        }
        if (response.status === 200 || response.status === 201) {
          return response.json().then(function (payload) {
            return { state: "sent", record: payload, notice: payload.notice || "" };
          });
        }
        if (response.status === 401) return { state: "later", login: true };
        if (response.status >= 400 && response.status < 500 && response.status !== 429) {
          return response
            .json()
            .catch(function () {
              return null;
            })
            .then(function (payload) {
              return { state: "refused", reason: apiReason(payload, response.status) };
            });
        }
        return { state: "later" };
      },
      function () {
        return { state: "later" };
      }
    );
  }

  function sendAll() {
    if (sending || !user) return Promise.resolve();
    sending = true;
    var loginNeeded = false;
    return allItems()
      .then(function (items) {
        var due = items.filter(function (item) {
          return item.state === "waiting" && item.nextTry <= Date.now();
        });
        return due.reduce(function (chain, item) {
          return chain.then(function () {
            if (!navigator.onLine || loginNeeded) return;
            return sendOne(item).then(function (answer) {
              item.tries += 1;
              if (answer.state === "sent") {
                item.state = "sent";
                item.sentAt = Date.now();
                item.photos = [];
                item.notice = answer.notice || "";
                item.link = answer.link || "";
                if (!item.link && item.record && answer.record && answer.record.id) {
                  item.link = item.record.replace("/0/", "/" + answer.record.id + "/");
                }
                item.reason = "";
              } else if (answer.state === "refused") {
                item.state = "refused";
                item.reason = answer.reason;
              } else {
                if (answer.login) loginNeeded = true;
                item.nextTry = Date.now() + Math.min(RETRY_MAX, RETRY_BASE * Math.pow(2, item.tries - 1));
              }
              return putItem(item);
            });
          });
        }, Promise.resolve());
      })
      .then(prune)
      .then(function () {
        sending = false;
        body.dataset.outboxLogin = loginNeeded ? "1" : "";
        return refresh();
      })
      .catch(function () {
        sending = false;
      })
      .then(function () {
        return allItems().then(function (items) {
          var waiting = items.filter(function (item) {
            return item.state === "waiting";
          });
          if (waiting.length) {
            var next = Math.min.apply(
              null,
              waiting.map(function (item) {
                return item.nextTry;
              })
            );
            scheduleSend(Math.max(1000, next - Date.now()));
          }
        });
      });
  }

  function scheduleSend(delay) {
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = setTimeout(function () {
      retryTimer = null;
      if (navigator.onLine) sendAll();
    }, delay);
  }

  function prune() {
    return allItems().then(function (items) {
      return Promise.all(
        items
          .filter(function (item) {
            return item.state === "sent" && Date.now() - item.sentAt > SENT_KEEP;
          })
          .map(function (item) {
            return deleteItem(item.key);
          })
      );
    });
  }

  // --- the count in the header, the outbox page ---------------------------------------------

  function updateCount() {
    var badge = document.getElementById("outbox-count");
    if (!badge || !user || !window.indexedDB) return Promise.resolve();
    return allItems().then(function (items) {
      var n = pending(items).length;
      badge.textContent = n ? String(n) : "";
      badge.hidden = !n;
    });
  }

  function when(ms) {
    var d = new Date(ms);
    return d.getMonth() + 1 + "-" + d.getDate() + " " + two(d.getHours()) + ":" + two(d.getMinutes());
  }

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined) node.textContent = content;
    return node;
  }

  // The page's title may start with the kind ("安全检查 · 1号楼"): the kind is not said twice.
  function itemLabel(item) {
    var label = item.label || "";
    if (item.kind && label.indexOf(item.kind) === 0) {
      label = label.slice(item.kind.length).replace(/^[\s·]+/, "");
    }
    return label;
  }

  function drawOutbox() {
    var list = document.getElementById("outbox-list");
    if (!list) return Promise.resolve();
    var words = list.dataset;
    return allItems().then(function (items) {
      list.textContent = "";
      document.getElementById("outbox-empty").hidden = items.length > 0;
      var login = document.getElementById("outbox-login");
      if (login) login.hidden = body.dataset.outboxLogin !== "1";
      items.forEach(function (item) {
        var li = el("li", "outbox-item " + item.state);
        li.dataset.key = item.key;
        li.dataset.state = item.state;
        var head = el("p", "what");
        head.appendChild(el("b", "", item.kind));
        head.appendChild(document.createTextNode(" " + itemLabel(item)));
        li.appendChild(head);
        var meta = el("p", "meta muted");
        var times = fill(words.saved, { time: when(item.savedAt) });
        if (item.occurredAt) times += " · " + fill(words.occurred, { time: item.occurredAt.slice(0, 16).replace("T", " ") });
        if (item.photos && item.photos.length) times += " · " + fill(words.photos, { n: item.photos.length });
        meta.textContent = times;
        li.appendChild(meta);
        var state = el("p", "state");
        if (item.state === "waiting") {
          state.textContent = item.tries ? fill(words.retry, { n: item.tries }) : words.waiting;
        } else if (item.state === "refused") {
          state.textContent = fill(words.refused, { reason: item.reason });
          state.setAttribute("role", "alert");
        } else {
          state.textContent = fill(words.sent, { time: when(item.sentAt) });
          if (item.notice) state.textContent += " " + item.notice;
        }
        li.appendChild(state);
        if (item.state === "sent" && item.link && item.link.charAt(0) === "/") {
          var view = el("a", "", words.view);
          view.href = item.link;
          li.appendChild(view);
        }
        if (item.state !== "sent") {
          var actions = el("p", "actions");
          if (item.state === "refused" && item.editable && item.page) {
            var edit = el("a", "btn small secondary", words.edit);
            edit.href = item.page.split("?")[0] + "?outbox=" + encodeURIComponent(item.key);
            actions.appendChild(edit);
          }
          var discard = el("button", "btn small secondary discard", words.discard);
          discard.type = "button";
          discard.dataset.key = item.key;
          actions.appendChild(discard);
          li.appendChild(actions);
        }
        list.appendChild(li);
      });
    });
  }

  function refresh() {
    return Promise.all([updateCount(), drawOutbox()]);
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target.matches && target.matches("#outbox-list button.discard")) {
      var list = document.getElementById("outbox-list");
      if (!window.confirm(list.dataset.discardConfirm)) return;
      deleteItem(target.dataset.key).then(refresh);
    } else if (target.id === "outbox-send") {
      allItems()
        .then(function (items) {
          return Promise.all(
            items
              .filter(function (item) {
                return item.state === "waiting";
              })
              .map(function (item) {
                item.nextTry = 0;
                return putItem(item);
              })
          );
        })
        .then(sendAll);
    }
  });

  // --- logout ----------------------------------------------------------------------------------

  function onLogout(event, form) {
    if (form.dataset.checked === "1") return;
    event.preventDefault();
    var count = window.indexedDB
      ? allItems().then(function (items) {
          return pending(items).length;
        })
      : Promise.resolve(0);
    count
      .catch(function () {
        return 0;
      })
      .then(function (n) {
        if (n && !window.confirm(fill(form.dataset.outboxWarning, { n: n }))) return;
        return clearKeptPages().then(function () {
          try {
            localStorage.removeItem("xf-user");
          } catch (e) {}
          form.dataset.checked = "1";
          form.submit();
        });
      });
  }

  // --- start -----------------------------------------------------------------------------------

  function start() {
    showBanner();
    window.addEventListener("online", function () {
      showBanner();
      // Back online: everything waiting is due now.
      allItems()
        .then(function (items) {
          return Promise.all(
            items
              .filter(function (item) {
                return item.state === "waiting";
              })
              .map(function (item) {
                item.nextTry = 0;
                return putItem(item);
              })
          );
        })
        .then(sendAll);
    });
    window.addEventListener("offline", showBanner);
    var form = document.querySelector("form[data-outbox]");
    if (form && !navigator.onLine) {
      var time = form.elements[form.dataset.outboxTime || ""];
      if (time) time.value = nowLocal(); // the kept form showed the time it was kept
    }
    checkAccount()
      .then(register)
      .then(function () {
        if ("serviceWorker" in navigator) return keepLinked();
      })
      .catch(function () {});
    if (!window.indexedDB || !user) return;
    editFromOutbox();
    refresh().then(function () {
      if (navigator.onLine) sendAll();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
