/* District type-ahead: [data-place-picker] holds the typed text (input[data-place-text]), the
   hidden UBIGEO (input[data-place-code]) and the server's suggestions ([data-place-option]
   buttons swapped in by htmx). Picking fills both inputs; typing again clears the UBIGEO. */
(function () {
  "use strict";
  function options(picker) {
    return Array.from(picker.querySelectorAll("[data-place-option]"));
  }
  function clear(picker) {
    const list = picker.querySelector("[role=listbox]");
    if (list) list.replaceChildren();
  }
  function pick(picker, option) {
    const text = picker.querySelector("[data-place-text]");
    const code = picker.querySelector("[data-place-code]");
    text.value = option.dataset.label;
    code.value = option.dataset.ubigeo;
    clear(picker);
    // The form's live assessment listens for change events.
    code.dispatchEvent(new Event("change", { bubbles: true }));
    text.focus();
  }
  function init(root) {
    root.querySelectorAll("[data-place-picker]").forEach((picker) => {
      if (picker.dataset.placeReady) return;
      picker.dataset.placeReady = "1";
      const text = picker.querySelector("[data-place-text]");
      const code = picker.querySelector("[data-place-code]");
      text.addEventListener("input", () => {
        code.value = "";
      });
      // A suggestion list still on its way when a district was picked is dropped.
      picker.addEventListener("htmx:beforeSwap", (event) => {
        if (code.value) event.detail.shouldSwap = false;
      });
      picker.addEventListener("click", (event) => {
        const option = event.target.closest("[data-place-option]");
        if (option) pick(picker, option);
      });
      picker.addEventListener("keydown", (event) => {
        const all = options(picker);
        const at = all.indexOf(document.activeElement);
        if (event.key === "ArrowDown" && all.length) {
          event.preventDefault();
          all[Math.min(at + 1, all.length - 1)].focus();
        } else if (event.key === "ArrowUp" && at >= 0) {
          event.preventDefault();
          (at === 0 ? text : all[at - 1]).focus();
        } else if (event.key === "Escape") {
          clear(picker);
          text.focus();
        } else if (event.key === "Enter" && document.activeElement === text && all.length) {
          // Enter in the text field takes the first suggestion instead of sending the form.
          event.preventDefault();
          pick(picker, all[0]);
        }
      });
    });
  }
  document.addEventListener("DOMContentLoaded", () => init(document));
  document.addEventListener("htmx:load", (event) => init(event.target));
})();
