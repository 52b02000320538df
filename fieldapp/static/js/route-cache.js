/* Opening the route keeps it and its stops in the phone, so they open without signal. */
(function () {
  "use strict";
  function init(root) {
    root.querySelectorAll("[data-route-cache]").forEach((element) => {
      if (element.dataset.ready || !("serviceWorker" in navigator)) return;
      element.dataset.ready = "1";
      const urls = JSON.parse(element.dataset.urls || "[]");
      navigator.serviceWorker.addEventListener("message", (event) => {
        const data = event.data || {};
        if (data.type === "pages-cached") {
          element.dataset.offline = "ready";
          element.textContent = "Ruta guardada en el teléfono: puede trabajar sin señal.";
        } else if (data.type === "pages-not-cached") {
          element.dataset.offline = "failed";
          element.textContent = "No se pudo guardar la ruta para trabajar sin señal.";
        }
      });
      navigator.serviceWorker.ready.then((registration) => {
        // The route page itself was just fetched by this navigation (and kept by the worker);
        // it is only fetched here when the worker was not yet in control.
        const current = window.location.pathname;
        const controlled = Boolean(navigator.serviceWorker.controller);
        registration.active.postMessage({
          type: "cache-pages", urls: controlled ? urls : urls.concat([current]),
          current: controlled ? null : current,
        });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", () => init(document));
  document.addEventListener("htmx:load", (event) => init(event.target));
})();
