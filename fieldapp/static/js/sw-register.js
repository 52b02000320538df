/* Register the service worker (root scope) so the courier's route works without signal. */
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  // The worker's URL and scope come from this script's tag (rendered with url_for).
  const script = document.currentScript;
  if (!script || !script.dataset.worker) return;
  const worker = script.dataset.worker;
  const scope = script.dataset.scope;
  window.addEventListener("load", function () {
    navigator.serviceWorker.register(worker, { scope: scope }).catch(function () { return null; });
  });
})();
