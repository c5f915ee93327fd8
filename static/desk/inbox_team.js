/* Team inbox, part B (issue 10): reply / internal-note switch, server-side drafts, reading position and the
   "new message" marker. No inline script (CSP): everything is wired here by event delegation. */
(function () {
  "use strict";
  // Interface strings through Django's JavaScript catalogue (/jsi18n/, docs/i18n.md).
  const gettext = (text) => (window.gettext ? window.gettext(text) : text);
  const ngettext = (one, many, n) => (window.ngettext ? window.ngettext(one, many, n) : n === 1 ? one : many);
  const fmt = (text, values) => text.replace(/%\((\w+)\)s/g, (_, k) => (values || {})[k]);

  const $ = (sel, root) => (root || document).querySelector(sel);
  const DRAFT_DELAY_MS = 600;
  const NEAR_BOTTOM_PX = 120;

  /* ---- reply or internal note ---- */
  function setMode(mode) {
    const reply = $("#reply-form");
    const note = $("#note-form");
    if (!reply || !note) return;
    reply.hidden = mode === "note";
    note.hidden = mode !== "note";
    const assist = $("#reply-assist");
    if (assist) assist.hidden = mode === "note";
    document.querySelectorAll(".mode-tab").forEach((tab) => {
      const on = tab.dataset.compose === mode;
      tab.classList.toggle("active", on);
      tab.setAttribute("aria-selected", on ? "true" : "false");
    });
    const box = mode === "note" ? $("#note-text") : $("#reply-text");
    if (box) box.focus();
  }

  /* ---- drafts: kept on the server per agent and conversation ---- */
  let draftTimer = null;
  let draftPending = null;

  function csrfToken() {
    const input = document.querySelector("#reply-form input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function draftState(text) {
    const el = $("#draft-state");
    if (el) el.textContent = text;
  }

  function sendDraft(pending, keepalive) {
    const body = new FormData();
    body.set("text", pending.text);
    body.set("csrfmiddlewaretoken", pending.csrf);
    return fetch(pending.url, {
      method: "POST",
      body,
      credentials: "same-origin",
      keepalive: !!keepalive,
      headers: { "X-CSRFToken": pending.csrf },
    }).then((response) => {
      if (response.ok && $("#draft-state") && $("#draft-state").dataset.draftUrl === pending.url) {
        const now = new Date();
        draftState(pending.text.trim() ? fmt(gettext("Draft saved %(time)s"), { time: now.toTimeString().slice(0, 5) }) : "");
      }
    }).catch(() => draftState(gettext("Draft not saved (offline?)")));
  }

  function flushDraft(keepalive) {
    if (draftTimer) clearTimeout(draftTimer);
    draftTimer = null;
    if (draftPending) sendDraft(draftPending, keepalive);
    draftPending = null;
  }

  function scheduleDraft(box) {
    const state = $("#draft-state");
    if (!state || !state.dataset.draftUrl) return;
    draftPending = { url: state.dataset.draftUrl, text: box.value, csrf: csrfToken() };
    if (draftTimer) clearTimeout(draftTimer);
    draftTimer = setTimeout(() => flushDraft(false), DRAFT_DELAY_MS);
  }

  function dropPendingDraft() {
    if (draftTimer) clearTimeout(draftTimer);
    draftTimer = null;
    draftPending = null;
  }

  /* ---- reading position ---- */
  let pinned = true; // the thread is at its newest message: keep it there while panels load
  let countBefore = 0;

  function thread() { return $("#thread-messages"); }

  function nearBottom(box) {
    return box.scrollHeight - box.scrollTop - box.clientHeight < NEAR_BOTTOM_PX;
  }

  function toBottom() {
    const box = thread();
    if (!box) return;
    box.scrollTop = box.scrollHeight;
    pinned = true;
    hideMarker();
  }

  function marker() {
    let el = $("#new-message-marker");
    const pane = $(".thread-pane");
    if (!el && pane) {
      el = document.createElement("button");
      el.type = "button";
      el.id = "new-message-marker";
      el.className = "new-message-marker";
      el.hidden = true;
      el.textContent = gettext("New message ↓");
      pane.appendChild(el);
    }
    return el;
  }

  function showMarker(n) {
    const el = marker();
    if (!el) return;
    el.textContent = n > 1 ? fmt(ngettext("%(n)s new message ↓", "%(n)s new messages ↓", n), { n }) : gettext("New message ↓");
    el.hidden = false;
  }

  function hideMarker() {
    const el = $("#new-message-marker");
    if (el) el.hidden = true;
  }

  function messageCount() {
    const box = thread();
    return box ? box.querySelectorAll(".msg[data-id], .note[data-note-id]").length : 0;
  }

  function lastNoteId() {
    const box = thread();
    if (!box) return 0;
    return Array.from(box.querySelectorAll(".note[data-note-id]"))
      .reduce((max, el) => Math.max(max, Number(el.dataset.noteId) || 0), 0);
  }

  /* A note can arrive twice (the poll and the agent's own "Add note" crossing): keep the first. */
  function dedupeNotes() {
    const box = thread();
    if (!box) return;
    const seen = new Set();
    box.querySelectorAll(".note[data-note-id]").forEach((el) => {
      if (seen.has(el.dataset.noteId)) el.remove();
      else seen.add(el.dataset.noteId);
    });
  }

  let observer = null;
  function watchThread() {
    const box = thread();
    if (observer) observer.disconnect();
    if (!box) return;
    pinned = true;
    toBottom();
    box.addEventListener("scroll", () => {
      pinned = nearBottom(box);
      if (pinned) hideMarker();
    }, { passive: true });
    // Pictures loading and the reply-assist panel opening change the heights: stay at the newest message.
    box.addEventListener("load", () => { if (pinned) toBottom(); }, true);
    if (window.ResizeObserver) {
      observer = new ResizeObserver(() => { if (pinned) box.scrollTop = box.scrollHeight; });
      observer.observe(box);
    }
    box.dataset.readingPosition = "watched";
  }

  document.addEventListener("click", (e) => {
    const tab = e.target.closest && e.target.closest("[data-compose]");
    if (tab) setMode(tab.dataset.compose);
    if (e.target.id === "new-message-marker") toBottom();
  });

  document.addEventListener("input", (e) => {
    if (e.target.id === "reply-text") scheduleDraft(e.target);
  });

  document.addEventListener("keydown", (e) => {
    const target = e.target;
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && target.closest && target.closest("#note-form")) {
      e.preventDefault();
      $("#note-form").requestSubmit();
      return;
    }
    if (e.key === "n" && !e.ctrlKey && !e.metaKey && !e.altKey
        && !/^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName || "") && !target.isContentEditable && $("#note-form")) {
      e.preventDefault();
      setMode("note");
    }
  });

  document.addEventListener("htmx:beforeRequest", (e) => {
    const elt = e.detail.elt;
    if (elt && elt.id === "reply-form") dropPendingDraft(); // sending: the server drops the draft
    else if (e.detail.target && e.detail.target.id === "workspace") flushDraft(false); // leaving the thread
  });

  document.addEventListener("htmx:beforeSwap", (e) => {
    if (e.detail.target === thread()) countBefore = messageCount();
  });

  document.addEventListener("htmx:afterSettle", (e) => {
    const target = e.detail.target;
    if (!target) return;
    if (target.id === "workspace") watchThread();
    else if (target === thread()) {
      dedupeNotes();
      const added = messageCount() - countBefore;
      if (pinned) toBottom();
      else if (added > 0) showMarker(added);
    } else if (target.id === "reply-assist" && pinned) toBottom();
    else if (target.id === "note-form" && !target.hidden) {
      const box = $("#note-text");
      if (box && !box.value) box.focus();
    } else if (target.id === "reply-form" && !$("#reply-text-errors")) draftState("");
  });

  document.addEventListener("htmx:oobAfterSwap", (e) => {
    if (e.detail.target === thread()) { dedupeNotes(); toBottom(); } // the note the agent just added
  });

  window.addEventListener("pagehide", () => flushDraft(true));

  document.addEventListener("DOMContentLoaded", () => {
    watchThread();
    window.addEventListener("load", () => { if (pinned) toBottom(); });
  });

  window.InboxTeam = { setMode, toBottom, lastNoteId, isPinned: () => pinned };
})();
