/* The stop screen, one step per screen: each step's form becomes a queued action (the same with
   or without signal) and the next step opens. A step counts as done once queued, but a step the
   server refused on sync opens again with the server's message, and so does the stop's close. */
(function () {
  "use strict";
  const numbers = () => window.FieldServiceNumber;  // the rule comes from the page
  const outbox = () => window.FieldOutbox;

  function markDone(stop, step, where) {
    stop.querySelectorAll('[data-step="' + step + '"]').forEach((element) => {
      if (!element.dataset.done) element.dataset.done = where;
      const status = element.querySelector("[data-step-status]");
      if (status && where === "local") status.textContent = "Guardado ✓";
    });
  }

  function reopen(stop, step) {
    stop.querySelectorAll('[data-step="' + step + '"][data-done="local"]').forEach((element) => {
      delete element.dataset.done;
      const status = element.querySelector("[data-step-status]");
      if (status) status.textContent = "";
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

  // The screen to open: the closed one, a refused step, else the first step still to do.
  function show(stop, name) {
    const screens = Array.from(stop.querySelectorAll("[data-screen]"));
    if (!name) {
      if (stop.dataset.closed) name = "closed";
      else {
        const refused = stop.querySelector("[data-screen] [data-step-error]:not([hidden])");
        const open = stop.querySelector("li[data-required-step]:not([data-done])");
        name = refused ? refused.closest("[data-screen]").dataset.screen
          : open ? open.dataset.step : "signature";
      }
    }
    screens.forEach((screen) => { screen.hidden = screen.dataset.screen !== name; });
    stop.dataset.current = name;
    stop.querySelectorAll("[data-goto]").forEach((button) => {
      button.setAttribute("aria-current", button.dataset.goto === name ? "step" : "false");
    });
    const chip = stop.querySelector('.steps-row [data-goto="' + name + '"]');
    const row = chip && chip.closest(".steps-row");
    if (row) row.scrollLeft = chip.offsetLeft - row.offsetLeft - 8;
    document.dispatchEvent(new CustomEvent("stop:screen", { detail: { name: name } }));
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
    const rule = numbers().ruleOf(form);
    form.querySelectorAll("input[data-number]").forEach((input) => {
      const value = numbers().normalise(rule, input.value);
      input.value = value;
      const label = input.dataset.label;
      if (!numbers().fits(rule, value)) {
        problems.push(label + ": " + rule.message);
      } else if (input.dataset.expected && value !== input.dataset.expected) {
        problems.push(label + ": " + value + " no coincide con " + input.dataset.expected
          + ". Revise la etiqueta: puede ser otro equipo.");
      }
      values[input.name] = value;
    });
    if (problems.length) throw new Error(problems.join(" "));
    return values;
  }

  function thumbnail(stop, purpose, src) {
    const list = stop.querySelector('[data-thumbs="' + purpose + '"]');
    if (!list) return;
    const item = document.createElement("li");
    const img = document.createElement("img");
    img.src = src;
    img.alt = "Foto guardada en el teléfono";
    img.width = 96;
    img.height = 96;
    img.dataset.queued = "1";
    item.append(img);
    list.append(item);
  }

  // Each builder returns a list of [type, payload, steps marked done]; throwing shows the message.
  const BUILDERS = {
    arrive: () => position().then((where) => [["arrive", where, ["arrive"]]]),
    check_number: (form) => [["check_number", checkNumber(form), ["check_number"]]],
    photo: (form) => {
      const purpose = form.dataset.purpose;
      const files = Array.from(form.elements.photo.files || []);
      if (!files.length) throw new Error("Tome o elija una foto.");
      return Promise.all(files.map((file) => window.FieldPhoto.downscale(file)))
        .then((images) => images.map((data) => ["photo", { purpose: purpose, data: data },
          ["photo:" + purpose]]));
    },
    refill: (form, stop, submitter) => {
      const choice = submitter && submitter.name === "refilled" ? submitter.value : null;
      if (!choice) throw new Error("Indique si los cartuchos son originales o rellenados.");
      return [["refill", { refilled: choice === "yes", accessories: form.elements.accessories.value },
        ["refill"]]];
    },
    // The signature screen closes the stop: the signature and the close are queued together.
    signature: (form, stop) => {
      const missing = missingSteps(stop, "[data-required-step]");
      if (missing.length) throw new Error("Antes de firmar falta: " + missing.join("; ") + ".");
      const close = ["complete", {}, ["closed", "closed:complete"]];
      const pad = form.querySelector("canvas").signaturePad;
      const signed = stop.querySelector('[data-screen="signature"][data-done]');
      if (signed && pad && pad.isEmpty()) return [close];  // closing again after a refusal
      const name = form.elements.signer_name.value.trim();
      const documentId = form.elements.document_id.value.trim().toUpperCase();
      if (!pad || pad.isEmpty()) throw new Error("Falta la firma.");
      if (!name) throw new Error("Ingrese el nombre de quien firma.");
      if (!/^(\d{8}|[A-Z0-9]{9,12})$/.test(documentId)) throw new Error("El DNI debe tener 8 dígitos.");
      return [
        ["signature", { data: pad.toDataURL("image/png"), signer_name: name, document_id: documentId },
          ["signature"]],
        close,
      ];
    },
    fail: (form, stop) => {
      const reason = form.elements.reason.value;
      const note = form.elements.note.value.trim();
      if (!reason) throw new Error("Indique el motivo.");
      if (reason === "other" && !note) throw new Error("Describa el motivo en la nota.");
      const needsPhoto = (form.dataset.photoReasons || "").split(" ").indexOf(reason) >= 0;
      if (needsPhoto && !stop.querySelector('[data-step="photo:failed_attempt"][data-done]')) {
        throw new Error("Tome primero la foto de prueba de la visita.");
      }
      return [["fail", { reason: reason, note: note }, ["closed", "closed:fail"]]];
    },
  };

  function submit(stop, form, submitter) {
    const kind = form.dataset.queueForm;
    const jobId = Number(stop.dataset.jobId);
    if (form.dataset.busy) return;  // a double tap must not queue the step twice
    form.dataset.busy = "1";
    const buttons = form.querySelectorAll("button[type=submit], [data-photo-button]");
    buttons.forEach((button) => button.setAttribute("aria-disabled", "true"));
    say(form, "Guardando…");
    Promise.resolve()
      .then(() => BUILDERS[kind](form, stop, submitter))
      .then((items) => items.reduce((chain, [type, payload, steps]) => chain
        .then(() => outbox().add(type, jobId, payload, steps))
        .then(() => Promise.all(steps.map((step) => outbox().markStep(jobId, step))))
        .then(() => {
          steps.forEach((step) => markDone(stop, step, "local"));
          if (type === "photo") thumbnail(stop, payload.purpose, payload.data);
          clearError(stop, steps);
        }), Promise.resolve()))
      .then(() => {
        say(form, "Guardado en el teléfono ✓");
        if (kind === "photo") form.reset();
        if (kind === "signature" || kind === "fail") {
          showClosed(stop, kind === "fail" ? "fail" : "complete");
        }
        if (!("stay" in form.dataset)) show(stop);
        outbox().flush();
      })
      .catch((error) => say(form, error.message, true))
      .finally(() => {
        delete form.dataset.busy;
        buttons.forEach((button) => button.removeAttribute("aria-disabled"));
      });
  }

  function clearError(stop, steps) {
    steps.forEach((step) => {
      const screen = stop.querySelector('[data-screen][data-step="' + step + '"]');
      const error = screen && screen.querySelector("[data-step-error]");
      if (error) { error.hidden = true; error.textContent = ""; }
    });
  }

  function showClosed(stop, type) {
    stop.dataset.closed = type;
    stop.querySelector("[data-closed-message]").textContent = type === "complete"
      ? "Parada cerrada. Se enviará al supervisor para revisión."
      : "Visita fallida registrada. El caso vuelve a despacho.";
  }

  function reopenClosed(stop) {
    delete stop.dataset.closed;
    stop.querySelector("[data-closed-message]").textContent = "";
  }

  const CLOSES = ["complete", "fail"];

  // The screen where a refused action is done again: its step's, else the one that closes.
  function screenFor(stop, item) {
    const steps = (item.steps || []).filter((step) => step.indexOf("closed") !== 0);
    const own = steps.length && stop.querySelector('[data-screen][data-step="' + steps[0] + '"]');
    if (own) return own;
    const failing = item.type === "fail" || steps[0] === "photo:failed_attempt";
    return stop.querySelector('[data-screen="' + (failing ? "fail" : "signature") + '"]');
  }

  // What the phone holds for this stop: steps queued, photos queued (shown offline too) and
  // actions the server refused (their steps open again, with the server's message).
  function restore(stop) {
    const jobId = Number(stop.dataset.jobId);
    return Promise.all([outbox().steps(jobId), outbox().list(), outbox().rejected()])
      .then(([steps, queued, rejected]) => {
        steps.forEach((step) => markDone(stop, step, "local"));
        if (!stop.dataset.thumbs) {
          stop.dataset.thumbs = "1";
          queued.filter((action) => action.job_id === jobId && action.type === "photo")
            .forEach((action) => thumbnail(stop, action.payload.purpose, action.payload.data));
        }
        const refused = rejected.filter((item) => item.job_id === jobId);
        stop.querySelectorAll("[data-step-error]").forEach((error) => { error.hidden = true; });
        refused.forEach((item) => {
          (item.steps || []).forEach((step) => reopen(stop, step));
          const error = screenFor(stop, item).querySelector("[data-step-error]");
          error.hidden = false;
          error.textContent = "El servidor no aceptó este paso: " + item.message;
        });
        // A refused step alone does not reopen a close the server accepted after it.
        const refusedClose = refused.some((item) => CLOSES.indexOf(item.type) >= 0);
        if (refusedClose) reopenClosed(stop);
        else if (steps.indexOf("closed") >= 0 && !stop.dataset.closed) {
          showClosed(stop, steps.indexOf("closed:fail") >= 0 ? "fail" : "complete");
        }
        // Move to another screen only when what the phone knows changed, not on every sync.
        const known = refused.map((item) => item.id).join(",") + "|" + (stop.dataset.closed || "");
        if (known !== stop.dataset.known) {
          stop.dataset.known = known;
          show(stop);
        }
      });
  }

  function init(root) {
    root.querySelectorAll("[data-stop]").forEach((stop) => {
      if (stop.dataset.ready) return;
      stop.dataset.ready = "1";
      if (!stop.querySelector("[data-screen]:not([data-screen=closed])")) return;
      show(stop);
      restore(stop);
      document.addEventListener("outbox:changed", () => restore(stop));
      if (outbox().channel) outbox().channel.addEventListener("message", () => restore(stop));
      stop.querySelectorAll("[data-goto]").forEach((button) => {
        button.addEventListener("click", () => show(stop, button.dataset.goto));
      });
      stop.querySelectorAll("form[data-queue-form]").forEach((form) => {
        form.addEventListener("submit", (event) => {
          event.preventDefault();
          submit(stop, form, event.submitter);
        });
      });
      // A photo is saved as soon as it is taken.
      stop.querySelectorAll("input[data-photo-now]").forEach((input) => {
        input.addEventListener("change", () => { if (input.files.length) submit(stop, input.form); });
      });
      const replacement = stop.querySelector("input[name=replacement]");
      const confirm = stop.querySelector("[data-confirm-replacement]");
      if (replacement && confirm) {
        replacement.addEventListener("change", () => {
          if (replacement.value) {
            confirm.textContent = numbers().normalise(numbers().ruleOf(replacement), replacement.value);
          }
        });
      }
    });
  }
  document.addEventListener("DOMContentLoaded", () => init(document));
  document.addEventListener("htmx:load", (event) => init(event.target));
})();
