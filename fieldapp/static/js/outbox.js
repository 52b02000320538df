/* The courier's offline queue in IndexedDB, shared by the pages and the service worker.
   Each action gets an id made here, so replaying it is harmless (the server applies an id once).
   Only a 2xx answer removes an action: applied, or refused for good (`"refused": true`: kept in
   "rejected", with the server's reason, to show the courier); anything else keeps it queued. */
(function (scope) {
  "use strict";
  const DB_NAME = "fieldapp-courier";
  // Where actions are sent: on a page, this script's tag says (data-sync-url, rendered with
  // url_for); in the service worker, sw.js (rendered by the server) sets FIELDAPP_SYNC_URL.
  const tag = scope.document && scope.document.currentScript;
  const SYNC_URL = (tag && tag.dataset.syncUrl) || scope.FIELDAPP_SYNC_URL;
  const channel = "BroadcastChannel" in scope ? new BroadcastChannel("fieldapp-outbox") : null;
  let flushing = null;
  let again = null;

  function open() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
        db.createObjectStore("steps", { keyPath: "job_id" });
        db.createObjectStore("rejected", { keyPath: "id" });
        db.createObjectStore("meta", { keyPath: "key" });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  function run(storeName, mode, work) {
    return open().then((db) => new Promise((resolve, reject) => {
      const tx = db.transaction(storeName, mode);
      const result = work(tx.objectStore(storeName));
      tx.oncomplete = () => { db.close(); resolve(result && "result" in result ? result.result : undefined); };
      tx.onerror = () => { db.close(); reject(tx.error); };
    }));
  }

  function notify() {
    if (channel) channel.postMessage("changed");
    if (scope.document) scope.document.dispatchEvent(new CustomEvent("outbox:changed"));
  }

  function uuid() {
    if (scope.crypto && scope.crypto.randomUUID) return scope.crypto.randomUUID();
    const bytes = scope.crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // A shared phone: actions are sent only under the session of the courier who queued them.
  // `steps` names the screen steps the action completes, so a refusal can reopen them.
  function add(type, jobId, payload, steps) {
    const action = {
      id: uuid(), type: type, job_id: jobId, device_at: new Date().toISOString(),
      payload: payload || {}, steps: steps || [],
    };
    return getMeta("user").then((user) => {
      action.user_id = user;
      return run("outbox", "readwrite", (store) => store.add(action));
    }).then(() => settle(jobId, type)).then(() => {
      notify();
      askForBackgroundSync();
      return action;
    });
  }

  function askForBackgroundSync() {
    if (!scope.navigator || !scope.navigator.serviceWorker || !scope.document) return;
    scope.navigator.serviceWorker.ready.then((registration) => {
      if (registration.sync) return registration.sync.register("courier-outbox");
      return null;
    }).catch(() => null);
  }

  // Doing a refused step again settles its refusal; closing again settles every one of the stop.
  function settle(jobId, type) {
    const closes = type === "complete" || type === "fail";
    return run("rejected", "readwrite", (store) => {
      const all = store.getAll();
      all.onsuccess = () => all.result
        .filter((item) => item.job_id === jobId && (closes || item.type === type))
        .forEach((item) => store.delete(item.id));
    });
  }

  const everything = () => run("outbox", "readonly", (store) => store.getAll());
  const list = () => Promise.all([everything(), getMeta("user")]).then(([actions, user]) =>
    actions.filter((action) => action.user_id == null || action.user_id === user));
  const remove = (seq) => run("outbox", "readwrite", (store) => store.delete(seq));
  const rejected = () => run("rejected", "readonly", (store) => store.getAll());
  const setMeta = (key, value) => run("meta", "readwrite", (store) => store.put({ key, value }));
  const getMeta = (key) => run("meta", "readonly", (store) => store.get(key))
    .then((row) => (row ? row.value : null));

  function markStep(jobId, step) {
    return open().then((db) => new Promise((resolve, reject) => {
      const tx = db.transaction("steps", "readwrite");
      const store = tx.objectStore("steps");
      const read = store.get(jobId);
      read.onsuccess = () => {
        const row = read.result || { job_id: jobId, steps: [] };
        if (row.steps.indexOf(step) < 0) row.steps.push(step);
        store.put(row);
      };
      tx.oncomplete = () => { db.close(); resolve(); };
      tx.onerror = () => { db.close(); reject(tx.error); };
    }));
  }

  const steps = (jobId) => run("steps", "readonly", (store) => store.get(jobId))
    .then((row) => (row ? row.steps : []));

  function send(action) {
    const body = {
      id: action.id, type: action.type, job_id: action.job_id,
      device_at: action.device_at, payload: action.payload,
    };
    return fetch(SYNC_URL, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
    });
  }

  // The phone's clock may be wrong: each action keeps its device time, the server its own;
  // the difference is kept so the screen can warn the courier.
  function keepClock(body) {
    if (!body || !body.server_at) return null;
    return setMeta("clock_offset_ms", Date.parse(body.server_at) - Date.now());
  }

  function answerOf(response) {
    return response.json().catch(() => ({}));
  }

  // Send queued actions in order; stop at the first one that must be retried.
  function drain() {
    return list().then((actions) => {
      let sent = 0;
      const step = (index) => {
        if (index >= actions.length) return { sent, pending: 0, state: "ok" };
        const action = actions[index];
        return send(action).then((response) => {
          // Only a 2xx removes an action: applied, or refused for good ("refused": true, with
          // the reason shown on its step). Anything else stays queued and is retried.
          if (response.ok) {
            return answerOf(response).then((body) => {
              keepClock(body);
              if (!body.refused) {
                sent += 1;
                return null;
              }
              return run("rejected", "readwrite", (store) => store.put({
                id: action.id, type: action.type, job_id: action.job_id, steps: action.steps || [],
                status: body.refused_status, message: body.message || "Rechazada por el servidor.",
              }));
            }).then(() => remove(action.seq)).then(notify).then(() => step(index + 1));
          }
          const state = response.status === 401 || response.type === "opaqueredirect" ? "auth"
            : response.status === 403 ? "forbidden" : "retry";
          return { sent, pending: actions.length - index, state };
        }, () => ({ sent, pending: actions.length - index, state: "offline" }));
      };
      return step(0);
    }).then((result) => setMeta("last", { state: result.state, at: new Date().toISOString() })
      .then(() => { notify(); return result; }));
  }

  // A drain sends the actions queued when it started: one asked for while it runs (an action
  // added meanwhile) is a second drain right after it, not a wait for the next 30 s retry.
  function flush() {
    if (flushing) {
      if (!again) {
        again = flushing.catch(() => null).then(() => { again = null; return flush(); });
      }
      return again;
    }
    flushing = drain().finally(() => { flushing = null; });
    return flushing;
  }

  scope.FieldOutbox = {
    add, list, rejected, flush, markStep, steps, getMeta, channel,
    setUser: (user) => setMeta("user", user),
    count: () => list().then((actions) => actions.length),
  };
})(self);
