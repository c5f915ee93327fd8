/* Inbox behaviour: keyboard shortcuts, queue cursor, live thread tidy-up, reply countdowns. No dependencies but htmx. */
(function () {
  "use strict";

  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  let cursorId = null;

  function rows() { return $$("#queue-list .qrow"); }

  function currentId() {
    const workspace = $("#workspace");
    return workspace ? workspace.dataset.conversationId || "" : "";
  }

  function lastMessageId() {
    return $$("#thread-messages .msg[data-id]").reduce((max, el) => Math.max(max, Number(el.dataset.id) || 0), 0);
  }

  function paintQueue() {
    const open = currentId();
    rows().forEach((row) => {
      row.classList.toggle("selected", row.dataset.id === open);
      row.classList.toggle("cursor", row.dataset.id === cursorId);
      row.setAttribute("aria-selected", row.dataset.id === open ? "true" : "false");
    });
  }

  function moveCursor(delta) {
    const list = rows();
    if (!list.length) return;
    let i = list.findIndex((r) => r.dataset.id === cursorId);
    if (i === -1) i = list.findIndex((r) => r.dataset.id === currentId());
    i = i === -1 ? (delta > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, i + delta));
    cursorId = list[i].dataset.id;
    paintQueue();
    list[i].scrollIntoView({ block: "nearest" });
  }

  function openCursor() {
    const row = rows().find((r) => r.dataset.id === cursorId);
    if (row) row.click();
  }

  function focusReply() {
    const box = $("#reply-text");
    if (!box) return;
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
  }

  function toggleHelp(show) {
    const help = $("#kbd-help");
    if (!help) return;
    help.hidden = show === undefined ? !help.hidden : !show;
  }

  function isTyping(el) {
    return !!el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  /* Countdowns: same wording as the server (conversations/templatetags/inbox_tags.py). */
  // Interface strings through Django's JavaScript catalogue (/jsi18n/, docs/i18n.md); the names are the ones
  // makemessages looks for.
  const gettext = (text) => (window.gettext ? window.gettext(text) : text);
  const ngettext = (one, many, n) => (window.ngettext ? window.ngettext(one, many, n) : n === 1 ? one : many);
  const fmt = (text, values) => text.replace(/%\((\w+)\)s/g, (_, k) => (values || {})[k]);

  function span(seconds) {
    let minutes = Math.floor(seconds / 60);
    if (minutes < 60) return fmt(gettext("%(m)s min"), { m: minutes });
    let hours = Math.floor(minutes / 60);
    minutes -= hours * 60;
    if (hours < 48) return fmt(gettext("%(h)s h %(m)s min"), { h: hours, m: String(minutes).padStart(2, "0") });
    const days = Math.floor(hours / 24);
    hours -= days * 24;
    return fmt(gettext("%(d)s d %(h)s h"), { d: days, h: hours });
  }

  function tickDue() {
    const now = Date.now();
    $$("[data-due]").forEach((el) => {
      const due = Date.parse(el.dataset.due);
      if (Number.isNaN(due)) return;
      const seconds = (due - now) / 1000;
      el.classList.remove("due-ok", "due-soon", "due-overdue");
      if (seconds < 0) {
        el.textContent = fmt(gettext("Overdue %(span)s"), { span: span(-seconds) });
        el.classList.add("due-overdue");
      } else {
        el.textContent = fmt(gettext("%(span)s left"), { span: span(seconds) });
        el.classList.add(seconds < 4 * 3600 ? "due-soon" : "due-ok");
      }
    });
  }

  function tidyThread(stickToBottom) {
    const box = $("#thread-messages");
    if (!box) return;
    const seen = new Set();
    $$(".msg[data-id]", box).forEach((el) => {
      if (seen.has(el.dataset.id)) el.remove();
      else seen.add(el.dataset.id);
    });
    if (seen.size) $$(".thread-empty", box).forEach((el) => el.remove());
    if (stickToBottom) box.scrollTop = box.scrollHeight;
  }

  function nearBottom(el) {
    return el.scrollHeight - el.scrollTop - el.clientHeight < 120;
  }

  function setReplyLanguage(code, name) {
    const input = $("#reply-language");
    if (input) input.value = code;
    const note = $("#reply-language-note");
    if (note) note.textContent = name || code;
  }

  document.addEventListener("keydown", (e) => {
    const target = e.target;
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && target.closest && target.closest("#reply-form")) {
      e.preventDefault();
      $("#reply-form").requestSubmit();
      return;
    }
    if (e.key === "Escape") {
      const help = $("#kbd-help");
      if (help && !help.hidden) toggleHelp(false);
      else if (isTyping(document.activeElement)) document.activeElement.blur();
      return;
    }
    if (isTyping(target) || e.ctrlKey || e.metaKey || e.altKey) return;
    switch (e.key) {
      case "j":
      case "ArrowDown":
        e.preventDefault();
        moveCursor(1);
        break;
      case "k":
      case "ArrowUp":
        e.preventDefault();
        moveCursor(-1);
        break;
      case "Enter":
      case "o":
        if (target.closest && target.closest("a, button")) return;
        e.preventDefault();
        openCursor();
        break;
      case "r":
        e.preventDefault();
        focusReply();
        break;
      case "?":
        e.preventDefault();
        toggleHelp();
        break;
      default:
    }
  });

  document.addEventListener("click", (e) => {
    if (e.target.closest("[data-help-toggle]")) toggleHelp();
    else if (e.target.id === "kbd-help") toggleHelp(false);
    const row = e.target.closest(".qrow");
    if (row) {
      cursorId = row.dataset.id;
      rows().forEach((r) => r.classList.toggle("selected", r === row));
    }
  });

  document.addEventListener("change", (e) => {
    const input = e.target;
    if (input.type !== "file") return;
    const label = input.closest(".attach, .attach-round");
    if (!label) return;
    const file = input.files && input.files[0];
    label.classList.toggle("has-file", !!file);
    const text = label.querySelector("span");
    if (text) text.textContent = file ? file.name : fmt(gettext("Picture"), {});
    if (file) label.title = fmt(gettext("%(name)s (%(size)s KB)"), { name: file.name, size: Math.round(file.size / 1024) });
  });

  let stick = true;
  let queueScroll = null;
  document.addEventListener("htmx:beforeSwap", (e) => {
    const box = $("#thread-messages");
    if (box && e.detail.target === box) stick = nearBottom(box);
    const queue = $("#queue-list");
    if (queue && e.detail.target === queue) queueScroll = queue.scrollTop;
  });

  document.addEventListener("htmx:afterSwap", (e) => {
    const queue = $("#queue-list");
    if (queue && e.detail.target === queue && queueScroll !== null) {
      queue.scrollTop = queueScroll;
      queueScroll = null;
    }
  });

  document.addEventListener("htmx:afterSettle", (e) => {
    const id = e.detail.target && e.detail.target.id;
    if (id === "thread-messages") tidyThread(stick);
    else if (id === "workspace") {
      tidyThread(true);
      cursorId = currentId() || cursorId;
    }
    paintQueue();
    tickDue();
  });

  document.addEventListener("DOMContentLoaded", () => {
    cursorId = currentId() || (rows()[0] && rows()[0].dataset.id) || null;
    paintQueue();
    const open = $("#queue-list .qrow.selected");
    if (open) open.scrollIntoView({ block: "nearest" });
    tidyThread(true);
    tickDue();
    setInterval(tickDue, 15000);
  });

  window.InboxUI = { currentId, lastMessageId, setReplyLanguage, focusReply };
})();
