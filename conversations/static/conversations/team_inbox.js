/* Team inbox, part A (issue 10): typing presence, the stale-reply dialog, "a" to take, bulk selection,
   and the collapsible reply assist. Loaded beside inbox.js; no dependencies but htmx. */
(function () {
  "use strict";
  // Interface strings through Django's JavaScript catalogue (/jsi18n/, docs/i18n.md).
  const gettext = (text) => (window.gettext ? window.gettext(text) : text);
  const ngettext = (one, many, n) => (window.ngettext ? window.ngettext(one, many, n) : n === 1 ? one : many);
  const fmt = (text, values) => text.replace(/%\((\w+)\)s/g, (_, k) => (values || {})[k]);

  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  const TYPING_MS = 5000;
  let typedAt = 0;

  function typing() { return Date.now() - typedAt < TYPING_MS ? "1" : "0"; }

  function isTyping(el) {
    return !!el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  document.addEventListener("input", (e) => {
    if (e.target && e.target.id === "reply-text") typedAt = Date.now();
  });

  /* Every reply carries the newest message on screen: the server refuses it (409) when a newer one exists. */
  function stampLastSeen(form) {
    const input = $("#reply-last-seen", form);
    if (input && window.InboxUI) input.value = String(window.InboxUI.lastMessageId() || "");
  }
  document.addEventListener("htmx:configRequest", (e) => {
    const form = e.detail.elt && e.detail.elt.closest && e.detail.elt.closest("#reply-form");
    if (!form || e.detail.elt !== form) return;
    const last = window.InboxUI ? window.InboxUI.lastMessageId() : 0;
    e.detail.parameters["last_seen_message_id"] = last ? String(last) : "";
  });
  document.addEventListener("submit", (e) => { if (e.target.id === "reply-form") stampLastSeen(e.target); }, true);

  function showDialogs(root) {
    $$("dialog[data-autoshow]", root).forEach((dialog) => {
      if (!dialog.open) dialog.showModal();
    });
  }

  document.addEventListener("click", (e) => {
    const anyway = e.target.closest("[data-send-anyway]");
    if (anyway) {
      const form = $("#reply-form");
      const force = $("#reply-force");
      if (force) force.value = "True";
      const d = anyway.closest("dialog");
      d.close();
      d.remove();
      form.requestSubmit();
      return;
    }
    const cancel = e.target.closest("[data-stale-cancel]");
    if (cancel) {
      const d = cancel.closest("dialog");
      d.close();
      d.remove();
      if (window.htmx) window.htmx.trigger(document.body, "thread-changed");
      const box = $("#reply-text");
      if (box) box.focus();
    }
  });

  /* Bulk selection: checked rows survive the queue's live refresh. */
  let checked = new Set();
  function bulkPaint() {
    const bar = $("#bulk-form");
    if (!bar) return;
    const all = $("#bulk-all");
    const n = checked.size;
    bar.hidden = n === 0 && !(all && all.checked);
    const count = $("#bulk-count");
    if (count) count.textContent = all && all.checked ? gettext("All matching") : fmt(ngettext("%(n)s selected", "%(n)s selected", n), { n });
    const action = $("#bulk-action");
    $$("[data-for]", bar).forEach((el) => { el.hidden = !action || el.dataset.for !== action.value; });
  }
  document.addEventListener("change", (e) => {
    const t = e.target;
    if (t.classList && t.classList.contains("qcheck")) {
      if (t.checked) checked.add(t.value); else checked.delete(t.value);
      bulkPaint();
    } else if (t.id === "bulk-action" || t.id === "bulk-all") bulkPaint();
  });
  document.addEventListener("htmx:afterSwap", (e) => {
    if (e.detail.target && e.detail.target.id === "queue-list") {
      $$(".qcheck").forEach((box) => { box.checked = checked.has(box.value); });
      if (e.detail.requestConfig && e.detail.requestConfig.elt && e.detail.requestConfig.elt.id === "bulk-form") {
        checked = new Set();
        const all = $("#bulk-all");
        if (all) all.checked = false;
        $$(".qcheck").forEach((box) => { box.checked = false; });
      }
      bulkPaint();
    }
    showDialogs(document);
  });

  document.addEventListener("keydown", (e) => {
    if (isTyping(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "a") {
      const take = $("#assign-me");
      if (take) { e.preventDefault(); take.click(); }
    } else if (e.key === "x") {
      const row = $("#queue-list .qrow.cursor") || $("#queue-list .qrow.selected");
      const box = row && row.parentElement.querySelector(".qcheck");
      if (box) {
        e.preventDefault();
        box.checked = !box.checked;
        box.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }
  });

  /* Reply assist folds away; the choice is remembered on this device. */
  document.addEventListener("toggle", (e) => {
    if (e.target.id === "assist-fold") localStorage.setItem("assistFolded", e.target.open ? "0" : "1");
  }, true);
  function applyFold(root) {
    const fold = $("#assist-fold", root) || (root && root.id === "assist-fold" ? root : null);
    if (fold && localStorage.getItem("assistFolded") === "1") fold.open = false;
  }
  document.addEventListener("htmx:afterSettle", (e) => applyFold(e.detail.target));
  document.addEventListener("DOMContentLoaded", () => { applyFold(document); showDialogs(document); bulkPaint(); });

  window.TeamInbox = { typing };
})();
