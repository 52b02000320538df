/* The route marks a stop whose queued action the server refused: it needs the courier again
   (the server marks those it knows of; this phone adds the refusals it holds). */
(function () {
  "use strict";
  function render(cards) {
    window.FieldOutbox.rejected().then((rejected) => {
      cards.forEach((card) => {
        const refused = rejected.filter((item) => item.job_id === Number(card.dataset.jobId));
        const badge = card.querySelector("[data-attention-badge]");
        const flagged = refused.length > 0 || Boolean(badge.dataset.server);
        badge.hidden = !flagged;
        if (refused.length) badge.title = refused.map((item) => item.message).join(" ");
        if (flagged) card.dataset.attention = "1";
        else delete card.dataset.attention;
      });
    });
  }

  function init(root) {
    const cards = Array.from(root.querySelectorAll("[data-stop-card]:not([data-ready])"));
    if (!cards.length) return;
    cards.forEach((card) => { card.dataset.ready = "1"; });
    render(cards);
    document.addEventListener("outbox:changed", () => render(cards));
    if (window.FieldOutbox.channel) window.FieldOutbox.channel.addEventListener("message", () => render(cards));
  }
  document.addEventListener("DOMContentLoaded", () => init(document));
  document.addEventListener("htmx:load", (event) => init(event.target));
})();
