/* The service-number rule of the form a field belongs to, as the server renders it from
   fieldapp/domain/service_number.py (data-number-strip, -pattern, -message): this file keeps no
   copy of the rule, so the phone and the server accept the same numbers. */
(function () {
  "use strict";

  function ruleOf(element) {
    const form = element.closest("[data-number-pattern]");
    const data = form ? form.dataset : {};
    let shape = null;
    try {
      shape = data.numberPattern ? new RegExp("^(?:" + data.numberPattern + ")$") : null;
    } catch (error) {
      shape = null;  // a programme pattern the browser cannot read: the server decides alone
    }
    return {
      strip: new RegExp(data.numberStrip || "\\s+", "g"),
      shape: shape,
      message: data.numberMessage || "",
    };
  }

  // Normalised as the server does: stripped of spaces and dashes, upper-cased.
  function normalise(rule, value) {
    return (value || "").replace(rule.strip, "").toUpperCase();
  }

  function fits(rule, value) {
    return !rule.shape || rule.shape.test(value);
  }

  window.FieldServiceNumber = { ruleOf: ruleOf, normalise: normalise, fits: fits };
})();
