/* Signature pads: canvas[data-signature-pad] drawn with signature_pad, sized for the screen once
   it is shown (a pad on a hidden step screen has no size yet); with data-signature-field, the
   drawing is put in that hidden input of its form on submit. */
(function () {
  "use strict";
  function init(root) {
    root.querySelectorAll("canvas[data-signature-pad]").forEach((canvas) => {
      if (canvas.signaturePad || !window.SignaturePad || !canvas.offsetWidth) return;
      const ratio = Math.max(window.devicePixelRatio || 1, 1);
      canvas.width = canvas.offsetWidth * ratio;
      canvas.height = canvas.offsetHeight * ratio;
      canvas.getContext("2d").scale(ratio, ratio);
      canvas.signaturePad = new window.SignaturePad(canvas, { backgroundColor: "rgb(255,255,255)" });
      const clear = canvas.parentElement.querySelector("[data-signature-clear]");
      if (clear) clear.addEventListener("click", () => canvas.signaturePad.clear());
      // A plain form posts the drawing in the hidden input named by data-signature-field.
      const form = canvas.closest("form");
      const name = canvas.dataset.signatureField;
      if (form && name && form.elements[name]) {
        form.addEventListener("submit", () => {
          const pad = canvas.signaturePad;
          form.elements[name].value = pad.isEmpty() ? "" : pad.toDataURL("image/png");
        });
      }
    });
  }
  document.addEventListener("DOMContentLoaded", () => init(document));
  document.addEventListener("htmx:load", (event) => init(event.target));
  document.addEventListener("stop:screen", () => init(document));
})();
