/* Scan a service number with the camera where the browser has BarcodeDetector; otherwise the
   button stays hidden and the courier types it. */
(function () {
  "use strict";
  function scanInto(input, button) {
    const detector = new window.BarcodeDetector();
    const video = document.createElement("video");
    video.setAttribute("playsinline", "");
    video.className = "scan-video";
    button.after(video);
    let stream = null;
    const stop = () => {
      if (stream) stream.getTracks().forEach((track) => track.stop());
      video.remove();
    };
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then((s) => {
      stream = s;
      video.srcObject = s;
      return video.play();
    }).then(function loop() {
      return detector.detect(video).then((codes) => {
        const numbers = window.FieldServiceNumber;
        const rule = numbers.ruleOf(input);
        const found = codes.map((c) => numbers.normalise(rule, c.rawValue))
          .find((value) => value && numbers.fits(rule, value));
        if (found) {
          input.value = found;
          input.dispatchEvent(new Event("input", { bubbles: true }));
          stop();
          return null;
        }
        return new Promise((resolve) => setTimeout(resolve, 250)).then(loop);
      });
    }).catch(stop);
  }

  function init(root) {
    root.querySelectorAll("[data-scan-for]").forEach((button) => {
      if (button.dataset.ready || !("BarcodeDetector" in window)) return;
      button.dataset.ready = "1";
      button.hidden = false;
      button.addEventListener("click", () => {
        scanInto(document.getElementById(button.dataset.scanFor), button);
      });
    });
  }
  document.addEventListener("DOMContentLoaded", () => init(document));
  document.addEventListener("htmx:load", (event) => init(event.target));
})();
