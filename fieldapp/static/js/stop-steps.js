/* The stop screen: each step's form becomes a queued action (works the same with or without
   signal); a step counts as done once queued, and closing needs every required step. */
(function () {
  "use strict";
  const SHAPE = /^[A-Z]\d{6}$/;
  const normalise = (value) => (value || "").replace(/[\s-]/g, "").toUpperCase();

  function markDone(stop, step, where) {
    stop.querySelectorAll('[data-step="' + step + '"]').forEach((element) => {
      if (!element.dataset.done) element.dataset.done = where;
      const status = element.querySelector("[data-step-status]");
      if (status && where === "local") status.textContent = "Guardado ✓";
    });
  }

  function missingSteps(stop, selector) {
    return Array.from(stop.querySelectorAll(selector))
      .filter((element) => !element.dataset.done)
      .map((element) => element.dataset.label);
  }

  function say(form, message, isError) {
    const output = form.querySelector("[data-form-message]");
    output.textContent = message;
    output.classList.toggle("error", Boolean(isError));
  }

  function position() {
    return new Promise((resolve) => {
      if (!navigator.geolocation) { resolve({}); return; }
      navigator.geolocation.getCurrentPosition(
        (p) => resolve({ lat: p.coords.latitude, lon: p.coords.longitude, accuracy_m: p.coords.accuracy }),
        () => resolve({}),
        { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 }
      );
    });
  }

  function checkNumber(form) {
    const problems = [];
    const values = {};
    form.querySelectorAll("input[data-number]").forEach((input) => {
      const value = normalise(input.value);
      input.value = value;
      const label = input.dataset.label;
      if (!SHAPE.test(value)) {
        problems.push(label + ": debe ser una letra y 6 dígitos (p. ej. T123456).");
      } else if (input.dataset.expected && value !== input.dataset.expected) {
        problems.push(label + ": " + value + " no coincide con " + input.dataset.expected
          + ". Revise la etiqueta: puede ser otro equipo.");
      }
      values[input.name] = value;
    });
    if (problems.length) throw new Error(problems.join(" "));
    return values;
  }

  // Each builder returns [payload, steps marked done]; throwing shows the message instead.
  const BUILDERS = {
    arrive: () => position().then((where) => [where, ["arrive"]]),
    check_number: (form) => [checkNumber(form), ["check_number"]],
    photo: (form) => {
      const purpose = form.elements.purpose.value;
      const files = Array.from(form.elements.photo.files || []);
      if (!files.length) throw new Error("Tome o elija una foto.");
      return Promise.all(files.map((file) => window.FieldPhoto.downscale(file)))
        .then((images) => images.map((data) => [{ purpose: purpose, data: data }, ["photo:" + purpose]]));
    },
    refill: (form) => {
      const choice = form.querySelector('input[name="refilled"]:checked');
      if (!choice) throw new Error("Indique si los cartuchos están rellenados.");
      return [{ refilled: choice.value === "yes", accessories: form.elements.accessories.value }, ["refill"]];
    },
    signature: (form) => {
      const pad = form.querySelector("canvas").signaturePad;
      const name = form.elements.signer_name.value.trim();
      const documentId = form.elements.document_id.value.trim().toUpperCase();
      if (!pad || pad.isEmpty()) throw new Error("Falta la firma.");
      if (!name) throw new Error("Ingrese el nombre de quien firma.");
      if (!/^(\d{8}|[A-Z0-9]{9,12})$/.test(documentId)) throw new Error("El DNI debe tener 8 dígitos.");
      return [{ data: pad.toDataURL("image/png"), signer_name: name, document_id: documentId }, ["signature"]];
    },
    complete: (form, stop) => {
      const missing = missingSteps(stop, "[data-required-step]");
      if (missing.length) throw new Error("Falta: " + missing.join("; ") + ".");
      return [{}, ["closed", "closed:complete"]];
    },
    fail: (form, stop) => {
      const reason = form.elements.reason.value;
      const note = form.elements.note.value.trim();
      if (!reason) throw new Error("Indique el motivo.");
      if (reason === "other" && !note) throw new Error("Describa el motivo en la nota.");
      const needsPhoto = (form.dataset.photoReasons || "").split(" ").indexOf(reason) >= 0;
      if (needsPhoto && !stop.querySelector('[data-step="photo:failed_attempt"][data-done]')) {
        throw new Error("Tome primero la foto que pruebe la visita (en Fotos: «Prueba de visita fallida»).");
      }
      return [{ reason: reason, note: note }, ["closed", "closed:fail"]];
    },
  };

  function submit(stop, form) {
    const type = form.dataset.queueForm;
    const jobId = Number(stop.dataset.jobId);
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    say(form, "Guardando…");
    Promise.resolve()
      .then(() => BUILDERS[type](form, stop))
      .then((built) => (Array.isArray(built[0]) ? built : [built]))
      .then((items) => items.reduce((chain, [payload, steps]) => chain
        .then(() => window.FieldOutbox.add(type, jobId, payload))
        .then(() => Promise.all(steps.map((step) => window.FieldOutbox.markStep(jobId, step))))
        .then(() => steps.forEach((step) => markDone(stop, step, "local"))), Promise.resolve()))
      .then(() => {
        say(form, "Guardado en el teléfono ✓");
        if (type === "photo") form.reset();
        if (type === "complete" || type === "fail") showClosed(stop, type);
        window.FieldOutbox.flush();
      })
      .catch((error) => say(form, error.message, true))
      .finally(() => { button.disabled = false; });
  }

  function showClosed(stop, type) {
    stop.dataset.closed = type;
    const closed = stop.querySelector("[data-closed-message]");
    closed.hidden = false;
    closed.textContent = type === "complete"
      ? "Parada cerrada. Se enviará al supervisor para revisión."
      : "Visita fallida registrada. El caso vuelve a despacho.";
  }

  function init(root) {
    root.querySelectorAll("[data-stop]").forEach((stop) => {
      if (stop.dataset.ready) return;
      stop.dataset.ready = "1";
      const jobId = Number(stop.dataset.jobId);
      window.FieldOutbox.steps(jobId).then((steps) => {
        steps.forEach((step) => markDone(stop, step, "local"));
        if (steps.indexOf("closed") >= 0 && !stop.dataset.closed) {
          showClosed(stop, steps.indexOf("closed:fail") >= 0 ? "fail" : "complete");
        }
      });
      stop.querySelectorAll("form[data-queue-form]").forEach((form) => {
        form.addEventListener("submit", (event) => {
          event.preventDefault();
          submit(stop, form);
        });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", () => init(document));
  document.addEventListener("htmx:load", (event) => init(event.target));
})();
