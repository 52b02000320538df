/* The sync bar: how many actions wait, what the last sync said, and a "Sincronizar" button.
   The queue is replayed when the app opens, when the network returns and every 30 s while
   something waits. */
(function () {
  "use strict";
  const STATES = {
    ok: "Todo enviado.",
    sending: "Enviando…",
    offline: "Sin conexión: se enviará al volver la señal.",
    retry: "El servidor no respondió bien: se reintentará.",
    auth: "Su sesión expiró: ingrese de nuevo para enviar lo pendiente.",
    forbidden: "El servidor rechazó el envío: se reintentará.",
  };

  // One line: the count, the last sync's state, and how many actions the server refused (the
  // details are on the steps they concern, and the route marks those stops).
  function render(bar) {
    const outbox = window.FieldOutbox;
    Promise.all([outbox.count(), outbox.getMeta("last"), outbox.rejected(),
      outbox.getMeta("clock_offset_ms")])
      .then(([count, last, rejected, offset]) => {
        const clock = bar.querySelector("[data-clock]");
        const minutes = Math.round((offset || 0) / 60000);
        clock.hidden = Math.abs(minutes) < 5;
        clock.textContent = " · Hora del teléfono difiere " + Math.abs(minutes) + " min";
        bar.querySelector("[data-outbox-count]").textContent = String(count);
        bar.dataset.pending = String(count);
        let state = count === 0 ? "ok" : (last ? last.state : "offline");
        if (count > 0 && state === "ok") state = "sending";
        bar.dataset.state = state;
        const message = bar.querySelector("[data-outbox-state]");
        message.textContent = count === 0 && !last ? "" : " · " + (STATES[state] || "");
        bar.querySelector("[data-outbox-login]").hidden = state !== "auth" || count === 0;
        const refused = bar.querySelector("[data-outbox-refused]");
        refused.hidden = rejected.length === 0;
        refused.textContent = " · " + rejected.length
          + (rejected.length === 1 ? " rechazada: revise la parada" : " rechazadas: revise las paradas");
        const line = bar.querySelector(".sync-line");
        line.title = line.textContent;
      });
  }

  function init(root) {
    root.querySelectorAll("[data-sync-bar]").forEach((bar) => {
      if (bar.dataset.ready) return;
      bar.dataset.ready = "1";
      const ready = window.FieldOutbox.setUser(Number(bar.dataset.userId));
      const sync = () => ready.then(() => window.FieldOutbox.flush()).then(() => render(bar));
      bar.querySelector("[data-sync-now]").addEventListener("click", sync);
      document.addEventListener("outbox:changed", () => render(bar));
      if (window.FieldOutbox.channel) window.FieldOutbox.channel.addEventListener("message", () => render(bar));
      window.addEventListener("online", sync);
      setInterval(() => {
        if (navigator.onLine && bar.dataset.pending !== "0") sync();
      }, 30000);
      ready.then(() => render(bar));
      sync();
    });
    // Logging out leaves no courier page behind in the phone's cache.
    root.querySelectorAll("form.logout").forEach((form) => {
      form.addEventListener("submit", () => {
        if (navigator.serviceWorker && navigator.serviceWorker.controller) {
          navigator.serviceWorker.controller.postMessage({ type: "clear-pages" });
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", () => init(document));
  document.addEventListener("htmx:load", (event) => init(event.target));
})();
