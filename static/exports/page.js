// The page's small behaviours: cancel asks once in the page, a started export's progress is brought into view,
// and a new API token can be copied.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const reducedMotion = () => window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  let confirmed = false;

  // Cancel: the form's submit is held until the in-page dialog is answered "Yes" (Escape or "No" keeps it).
  window.addEventListener("submit", (event) => {
    const form = event.target;
    const dialog = form.dataset && form.dataset.confirmDialog ? $(form.dataset.confirmDialog) : null;
    if (!dialog || typeof dialog.showModal !== "function") return;
    if (confirmed) { confirmed = false; return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    if (!dialog.open) dialog.showModal();
  }, true);
  document.addEventListener("click", (event) => {
    const dialog = $("cancel-dialog");
    if (!dialog) return;
    if (event.target.id === "cancel-keep-button") {
      dialog.close();
    } else if (event.target.id === "cancel-confirm-button") {
      dialog.close();
      const form = $("cancel-form");
      if (form) { confirmed = true; form.requestSubmit(); }
    }
  });
  document.addEventListener("close", (event) => {
    if (event.target.id !== "cancel-dialog") return;
    const back = $("cancel-button") || $("export-status");
    if (back) { if (back.id === "export-status") back.setAttribute("tabindex", "-1"); back.focus(); }
  }, true);

  // After Export: bring the status box (with the progress) into view.
  document.addEventListener("htmx:afterSettle", (event) => {
    const elt = event.detail && event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!elt || elt.id !== "export-form" || event.detail.requestConfig.verb !== "post") return;
    const status = $("export-status");
    if (status && status.dataset.status !== "none") {
      status.scrollIntoView({ behavior: reducedMotion() ? "auto" : "smooth", block: "start" });
    }
  });

  // A new API token: copy it, and say so.
  document.addEventListener("click", (event) => {
    const button = event.target.closest ? event.target.closest("[data-copy-target]") : null;
    if (!button) return;
    const source = $(button.dataset.copyTarget);
    const said = $(button.dataset.copyStatus);
    if (!source) return;
    const done = () => { if (said) said.textContent = button.dataset.copiedText; };
    const fallback = () => {
      const range = document.createRange();
      range.selectNodeContents(source);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      if (document.execCommand && document.execCommand("copy")) done();
      else if (said) said.textContent = button.dataset.selectText;
    };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(source.textContent.trim()).then(done, fallback);
    else fallback();
  });
  document.addEventListener("DOMContentLoaded", () => {
    for (const button of document.querySelectorAll("[data-copy-target][hidden]")) button.hidden = false;
  });
})();
