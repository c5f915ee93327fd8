/* Reply assist: the panel above the inbox reply box (docs/reply-assist.md).
 *
 * Suggested scenarios and the "/" search insert a scenario rendered for the conversation into #reply-text;
 * the language chips switch the reply language (InboxUI.setReplyLanguage, dir="rtl" for Arabic and Hebrew);
 * the box is checked for banned words as the agent types (debounced POST to the panel's check URL) and for
 * unfilled {placeholders}; while either is there, #reply-send is disabled and the reason is shown under the box.
 * The panel is swapped in by htmx for every opened conversation, so this file may run more than once: the
 * document-level listeners are installed once, and each run only re-reads the new panel.
 */
(function () {
  // Interface strings through Django's JavaScript catalogue (/jsi18n/, docs/i18n.md); the names are the ones
  // makemessages looks for.
  const gettext = (text) => (window.gettext ? window.gettext(text) : text);
  const ngettext = (one, many, n) => (window.ngettext ? window.ngettext(one, many, n) : n === 1 ? one : many);
  const fmt = (text, values) => text.replace(/%\((\w+)\)s/g, (_, k) => (values || {})[k]);
  "use strict";

  if (window.ReplyAssist) {
    window.ReplyAssist.init();
    return;
  }

  const CHECK_DELAY_MS = 300;
  const PLACEHOLDER = /\{([a-z][a-z0-9_]*)\}/g;
  const SLASH = /^\/[^\n]*$/;
  const RTL = new Set(["ar", "he"]);

  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));

  const state = {
    box: null, // the textarea the state below belongs to (htmx replaces the form after a send)
    code: null, // the scenario inserted last
    title: "",
    languages: null, // its languages
    inserted: null, // the text as inserted, to tell whether the agent has edited it since
    hits: [], // banned words found in the text last checked
    dated: [], // past dates found in the text last checked (issue 13)
    datedKey: "",
    datesConfirmed: null, // the datedKey the agent confirmed
    checkedText: null,
    checkTimer: null,
    checkSeq: 0,
    popup: { open: false, mode: null, index: 0, dismissed: false },
  };

  function panel() { return $("#ra"); }
  function isTyping(el) {
    return !!el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName || ""));
  }
  function box() { return $("#reply-text"); }

  function csrfToken() {
    const input = $("#reply-form [name=csrfmiddlewaretoken]");
    if (input) return input.value;
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (err) {
      return "";
    }
  }

  function currentLanguage() {
    const input = $("#reply-language");
    return (input && input.value) || (panel() && panel().dataset.language) || "en";
  }

  function languageName(code) {
    const chip = $(`.ra-lang[data-lang="${code}"]`);
    return chip ? chip.dataset.langName : code;
  }

  /* ---------- language ---------- */

  function setLanguage(code, name) {
    name = name || languageName(code);
    if (window.InboxUI && window.InboxUI.setReplyLanguage) window.InboxUI.setReplyLanguage(code, name);
    else if ($("#reply-language")) $("#reply-language").value = code;
    applyDirection(code);
    $$(".ra-lang").forEach((chip) => {
      const on = chip.dataset.lang === code;
      chip.classList.toggle("on", on);
      chip.setAttribute("aria-pressed", on ? "true" : "false");
    });
    const label = $("#ra-lang-name");
    if (label) label.textContent = name;
    paintAvailability();
  }

  function applyDirection(code) {
    const b = box();
    if (!b) return;
    b.setAttribute("dir", RTL.has(code) ? "rtl" : "auto");
    b.setAttribute("lang", code);
  }

  /* Greys the language chips the inserted scenario has no text for, and marks suggestions and "/" options
     that have no text in the reply language. */
  function paintAvailability() {
    const code = currentLanguage();
    let anyMissing = false;
    $$(".ra-lang").forEach((chip) => {
      const missing = !!state.languages && !state.languages.includes(chip.dataset.lang);
      anyMissing = anyMissing || missing;
      chip.classList.toggle("missing", missing);
      chip.title = missing
        ? fmt(gettext("“%(title)s” has no %(language)s text"), { title: state.title, language: chip.dataset.langName })
        : chip.dataset.langName;
    });
    const legend = $("#ra-lang-legend");
    if (legend) legend.hidden = !anyMissing;
    $$(".ra-sugg[data-languages], .ra-opt[data-languages]").forEach((el) => {
      const lacks = !el.dataset.languages.split(" ").includes(code);
      el.classList.toggle("lacks", lacks);
      const note = $(".ra-nolang", el);
      if (note) {
        note.hidden = !lacks;
        note.textContent = fmt(gettext("no %(language)s text"), { language: code });
      }
      if (el.classList.contains("ra-sugg")) el.classList.toggle("on", el.dataset.code === state.code);
    });
  }

  /* ---------- inserting a scenario ---------- */

  function isFresh(text) {
    return !text.trim() || text === state.inserted || SLASH.test(text);
  }

  function status(html) {
    const el = $("#ra-status");
    if (el) el.innerHTML = html;
    return el;
  }

  function escapeHtml(text) {
    const div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  function pick(code, title, language) {
    const b = box();
    if (!b || !panel()) return;
    closePopup();
    language = language || currentLanguage();
    if (isFresh(b.value)) {
      render(code, language);
      return;
    }
    const bar = status(
      `<div class="ra-confirm" role="alert"><span>${fmt(gettext("Replace what you typed with %(title)s in %(language)s?"), {
        title: `<strong>${escapeHtml(title || code)}</strong>`,
        language: escapeHtml(languageName(language)),
      })}</span>` +
        `<button type="button" class="primary" data-ra-confirm>${escapeHtml(fmt(gettext("Replace")))}</button>` +
        `<button type="button" data-ra-keep>${escapeHtml(fmt(gettext("Keep my text")))}</button></div>`
    );
    const confirm = $("[data-ra-confirm]", bar);
    confirm.addEventListener("click", () => render(code, language));
    $("[data-ra-keep]", bar).addEventListener("click", () => {
      status("");
      if (code === state.code && language !== currentLanguage()) setLanguage(language);
      b.focus();
    });
    confirm.focus();
  }

  function render(code, language) {
    const p = panel();
    const url = `${p.dataset.renderUrl}?${new URLSearchParams({ code, language })}`;
    status(`<span class="ra-loading">${escapeHtml(gettext("Loading the reply…"))}</span>`);
    fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
      .then((html) => {
        const el = status(html);
        const result = $(".ra-picked", el);
        if (result && result.dataset.ok === "true") insert(result);
        else if (result) {
          const b = box();
          if (b && SLASH.test(b.value)) {
            b.value = ""; // the "/name" typed to find it has done its job
            textChanged(true);
          }
          state.code = result.dataset.code;
          state.title = result.dataset.title;
          state.languages = result.dataset.languages ? result.dataset.languages.split(" ") : [];
          paintAvailability();
        }
      })
      .catch((err) => {
        status(
          `<div class="ra-picked bad" role="alert"><p>${escapeHtml(
            fmt(gettext("Could not load that reply (%(error)s). Try again, or write the reply yourself."), { error: String(err) })
          )}</p></div>`
        );
      });
  }

  function insert(result) {
    const b = box();
    if (!b) return;
    b.value = result.dataset.text;
    state.box = b;
    state.inserted = b.value;
    state.code = result.dataset.code;
    state.title = result.dataset.title;
    state.languages = result.dataset.languages.split(" ");
    setLanguage(result.dataset.language, result.dataset.languageName);
    markPick(b, result.dataset.code);
    b.focus();
    const first = b.value.search(PLACEHOLDER);
    if (first >= 0) {
      const match = b.value.slice(first).match(/^\{[a-z][a-z0-9_]*\}/);
      b.setSelectionRange(first, first + match[0].length);
    } else {
      b.setSelectionRange(b.value.length, b.value.length);
      b.scrollTop = 0;
    }
    textChanged(true);
  }

  /* The reply form says which scenario the reply was built from and what was suggested first (issue 13,
     point 5): the server records the pick when the reply is sent. */
  function markPick(b, code) {
    const form = b.form;
    if (!form) return;
    const first = $("#ra-suggestions .ra-sugg");
    const fields = { scenario_code: code, suggested_code: first ? first.dataset.code : "" };
    for (const [name, value] of Object.entries(fields)) {
      let input = form.querySelector(`input[type=hidden][name=${name}]`);
      if (!input) {
        input = document.createElement("input");
        input.type = "hidden";
        input.name = name;
        form.appendChild(input);
      }
      input.value = value;
    }
  }

  /* ---------- under the box: placeholders to fill, banned words, why Send is off ---------- */

  function guardArea() {
    const b = box();
    if (!b) return null;
    let area = $("#reply-assist-guard");
    if (!area) {
      area = document.createElement("div");
      area.id = "reply-assist-guard";
      b.insertAdjacentElement("afterend", area);
    }
    if (!area.classList.contains("ra-guard")) {
      area.classList.add("ra-guard");
      area.setAttribute("aria-live", "polite");
      area.innerHTML =
        '<p class="ra-gate" id="ra-gate" hidden></p><div class="ra-fill" hidden></div><div class="ra-check-slot"></div>';
    }
    return area;
  }

  function placeholdersIn(text) {
    const names = [];
    for (const match of text.matchAll(PLACEHOLDER)) if (!names.includes(match[1])) names.push(match[1]);
    return names;
  }

  function paintPlaceholders() {
    const area = guardArea();
    const b = box();
    if (!area || !b) return [];
    const names = placeholdersIn(b.value);
    const fill = $(".ra-fill", area);
    if (fill.dataset.names !== names.join(" ")) {
      fill.dataset.names = names.join(" ");
      fill.hidden = !names.length;
      fill.innerHTML = names.length
        ? `<span class="ra-fill-label">${escapeHtml(gettext("Fill in before sending:"))}</span>` +
          names
            .map(
              (name) =>
                `<label class="ra-ph"><code class="ra-ph-mark">{${name}}</code>` +
                `<input type="text" data-ph="${name}" size="10" autocomplete="off" placeholder="${escapeHtml(fmt(gettext("value")))}" aria-label="${escapeHtml(fmt(gettext("Value for %(name)s"), { name: `{${name}}` }))}"></label>`
            )
            .join("") +
          `<span class="ra-fill-hint">${escapeHtml(gettext("Enter puts the value in the text"))}</span>`
        : "";
    }
    return names;
  }

  function fillPlaceholder(input) {
    const b = box();
    const value = input.value.trim();
    if (!b || !value) return;
    const token = `{${input.dataset.ph}}`;
    const wasInserted = b.value === state.inserted;
    b.value = b.value.split(token).join(value);
    if (wasInserted) state.inserted = b.value;
    textChanged(true);
    const next = $(".ra-fill input[data-ph]", guardArea());
    (next || b).focus();
  }

  function blockers() {
    const b = box();
    const reasons = [];
    if (!b) return reasons;
    if (state.hits.length) {
      const words = state.hits.map((w) => `“${w}”`).join(", ");
      reasons.push(fmt(ngettext("remove the banned word %(words)s", "remove the banned words %(words)s", state.hits.length), { words }));
    }
    const names = placeholdersIn(b.value);
    if (names.length) reasons.push(fmt(gettext("fill %(names)s"), { names: names.map((n) => `{${n}}`).join(", ") }));
    // Past dates (issue 13): edit them or confirm once; the confirmation holds while the same dates stay.
    if (state.dated && state.dated.length && state.datesConfirmed !== state.datedKey) {
      reasons.push(fmt(ngettext("edit or confirm the past date %(dates)s", "edit or confirm the past dates %(dates)s", state.dated.length), { dates: state.dated.map((d) => `“${d}”`).join(", ") }));
    }
    return reasons;
  }

  function gate() {
    const area = guardArea();
    const send = $("#reply-send");
    if (!area || !send) return;
    const reasons = blockers();
    const line = $(".ra-gate", area);
    line.hidden = !reasons.length;
    line.textContent = reasons.length ? fmt(gettext("Can't send yet: %(reasons)s."), { reasons: reasons.join("; ") }) : "";
    send.disabled = reasons.length > 0;
    box().classList.toggle("ra-blocked", state.hits.length > 0);
    if (reasons.length) {
      send.title = line.textContent;
      send.setAttribute("aria-describedby", "ra-gate");
    } else {
      send.removeAttribute("title");
      send.removeAttribute("aria-describedby");
    }
  }

  function scheduleCheck(now) {
    clearTimeout(state.checkTimer);
    state.checkTimer = setTimeout(runCheck, now ? 0 : CHECK_DELAY_MS);
  }

  function runCheck() {
    const b = box();
    const p = panel();
    const area = guardArea();
    if (!b || !p || !area) return;
    const text = b.value;
    const seq = ++state.checkSeq;
    const slot = $(".ra-check-slot", area);
    if (!text.trim()) {
      state.hits = [];
      state.dated = [];
      state.checkedText = text;
      slot.innerHTML = "";
      gate();
      return;
    }
    const body = new FormData();
    body.append("text", text);
    fetch(p.dataset.checkUrl, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
    })
      .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
      .then((html) => {
        if (seq !== state.checkSeq || !document.body.contains(slot)) return;
        slot.innerHTML = html;
        const result = $(".ra-check", slot);
        state.hits = result && result.dataset.ok === "false" ? $$(".ra-mark", result).map((m) => m.textContent) : [];
        state.dated = result ? $$(".ra-date-mark[data-past]", result).map((m) => m.textContent) : [];
        state.datedKey = result ? result.dataset.datedKey || "" : "";
        if (result && state.datesConfirmed === state.datedKey) result.classList.add("dates-confirmed");
        state.checkedText = text;
        gate();
      })
      .catch(() => {
        if (seq !== state.checkSeq || !document.body.contains(slot)) return;
        slot.innerHTML =
          `<p class="ra-check-error">${escapeHtml(gettext("Could not check the text just now; it is checked again when you send."))}</p>`;
      });
  }

  function textChanged(checkNow) {
    paintPlaceholders();
    gate();
    scheduleCheck(checkNow);
  }

  function replaceHit(button) {
    const b = box();
    if (!b) return;
    const start = Number(button.dataset.start);
    const end = Number(button.dataset.end);
    if (b.value.slice(start, end) !== button.dataset.found) {
      scheduleCheck(true); // the text changed since it was checked: check again, the offsets are stale
      return;
    }
    b.value = b.value.slice(0, start) + button.dataset.replacement + b.value.slice(end);
    b.focus();
    const caret = start + button.dataset.replacement.length;
    b.setSelectionRange(caret, caret);
    textChanged(true);
  }

  /* ---------- the "/" search ---------- */

  function options() { return $$("#ra-options .ra-opt"); }
  function visibleOptions() { return options().filter((o) => !o.hidden); }

  function positionPopup() {
    const popup = $("#ra-popup");
    const b = box();
    if (!popup || !b) return;
    const rect = b.getBoundingClientRect();
    popup.style.left = `${Math.max(8, rect.left)}px`;
    popup.style.width = `${Math.min(640, rect.width)}px`;
    popup.style.bottom = `${window.innerHeight - rect.top + 6}px`;
    popup.style.maxHeight = `${Math.max(160, Math.min(380, rect.top - 64))}px`;
  }

  function openPopup(mode, query) {
    const popup = $("#ra-popup");
    if (!popup) return;
    const input = $("#ra-search-input");
    state.popup.open = true;
    state.popup.mode = mode;
    popup.hidden = false;
    input.hidden = mode !== "button";
    $("#ra-popup-query").hidden = mode === "button";
    $("#ra-search-btn") && $("#ra-search-btn").setAttribute("aria-expanded", "true");
    positionPopup();
    if (mode === "button") {
      input.value = query || "";
      input.focus();
    }
    filterPopup(query || "");
  }

  function closePopup() {
    const popup = $("#ra-popup");
    state.popup.open = false;
    state.popup.mode = null;
    if (popup) popup.hidden = true;
    $("#ra-search-btn") && $("#ra-search-btn").setAttribute("aria-expanded", "false");
  }

  function filterPopup(query) {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    options().forEach((opt) => {
      const haystack = `${opt.dataset.title} ${opt.dataset.code.replace(/_/g, " ")}`.toLowerCase();
      opt.hidden = !words.every((w) => haystack.includes(w));
      if (!opt.hidden) shown += 1;
    });
    const label = $("#ra-popup-query");
    if (label) {
      label.innerHTML = query
        ? fmt(gettext("Replies named “%(query)s”"), { query: `<strong>${escapeHtml(query)}</strong>` })
        : fmt(gettext("All replies · keep typing to filter by name"));
    }
    const none = $("#ra-none");
    none.hidden = shown > 0;
    none.textContent = shown ? "" : fmt(gettext("No reply is named “%(query)s”. Esc closes this list."), { query });
    highlight(0);
  }

  function highlight(index) {
    const shown = visibleOptions();
    if (!shown.length) return;
    state.popup.index = Math.max(0, Math.min(shown.length - 1, index));
    options().forEach((o) => {
      o.classList.remove("active");
      o.setAttribute("aria-selected", "false");
    });
    const active = shown[state.popup.index];
    active.classList.add("active");
    active.setAttribute("aria-selected", "true");
    active.scrollIntoView({ block: "nearest" });
  }

  function pickActive() {
    const active = visibleOptions()[state.popup.index];
    if (active) pick(active.dataset.code, active.dataset.title);
  }

  function onBoxInput() {
    const b = box();
    if (SLASH.test(b.value)) {
      if (!state.popup.dismissed) openPopup("slash", b.value.slice(1));
    } else {
      state.popup.dismissed = false;
      if (state.popup.mode === "slash") closePopup();
    }
  }

  function onPopupKey(e) {
    if (!state.popup.open) return false;
    if (e.ctrlKey || e.metaKey || e.altKey) return false;
    switch (e.key) {
      case "ArrowDown":
        highlight(state.popup.index + 1);
        break;
      case "ArrowUp":
        highlight(state.popup.index - 1);
        break;
      case "Enter":
        pickActive();
        break;
      case "Escape":
        if (state.popup.mode === "slash") state.popup.dismissed = true;
        closePopup();
        if (box()) box().focus();
        break;
      default:
        return false;
    }
    e.preventDefault();
    e.stopPropagation();
    return true;
  }

  /* ---------- wiring ---------- */

  /* Called for every newly swapped-in panel. */
  function init() {
    const p = panel();
    if (!p) return;
    state.code = null;
    state.title = "";
    state.languages = null;
    state.inserted = null;
    state.box = box();
    closePopup();
    setLanguage(p.dataset.language, p.dataset.languageName);
    textChanged(true);
  }

  /* After any htmx swap: a new reply form (after a send) needs its direction and checks again. */
  function resync() {
    const b = box();
    if (!panel() || !b) return;
    if (b !== state.box) {
      state.box = b;
      if (!b.value.trim()) {
        state.inserted = null;
        state.code = null;
        state.languages = null;
        status("");
      }
      applyDirection(currentLanguage());
      paintAvailability();
      textChanged(true);
    } else {
      paintAvailability();
    }
  }

  document.addEventListener("input", (e) => {
    if (e.target.id === "reply-text" && panel()) {
      onBoxInput();
      textChanged(false);
      if (state.popup.open) positionPopup();
    } else if (e.target.id === "ra-search-input") {
      filterPopup(e.target.value);
    }
  });

  document.addEventListener(
    "keydown",
    (e) => {
      const target = e.target;
      if (target.id === "reply-text" || target.id === "ra-search-input") {
        if (onPopupKey(e)) return;
      }
      // "/" outside any field (the queue, the thread): to the reply box with the list open, like "r".
      if (e.key === "/" && panel() && box() && !isTyping(target) && !e.ctrlKey && !e.metaKey && !e.altKey) {
        e.preventDefault();
        e.stopPropagation();
        box().focus();
        searchButton();
        return;
      }
      if (target.matches && target.matches(".ra-fill input[data-ph]") && e.key === "Enter") {
        e.preventDefault();
        e.stopPropagation();
        fillPlaceholder(target);
      }
    },
    true
  );

  document.addEventListener("change", (e) => {
    if (e.target.matches && e.target.matches(".ra-fill input[data-ph]")) fillPlaceholder(e.target);
  });

  document.addEventListener("click", (e) => {
    const target = e.target;
    if (!target.closest) return;
    const sugg = target.closest(".ra-sugg");
    if (sugg) return pick(sugg.dataset.code, sugg.dataset.title);
    const opt = target.closest(".ra-opt");
    if (opt) return pick(opt.dataset.code, opt.dataset.title);
    const chip = target.closest(".ra-lang");
    if (chip) return switchLanguage(chip.dataset.lang, chip.dataset.langName);
    const alt = target.closest("[data-ra-lang]");
    if (alt) return switchLanguage(alt.dataset.raLang, alt.dataset.langName);
    const write = target.closest("[data-ra-write]");
    if (write) {
      state.code = null;
      state.languages = null;
      status("");
      setLanguage(write.dataset.raWrite, write.dataset.langName);
      if (box()) box().focus();
      return undefined;
    }
    const confirmDates = target.closest(".ra-dates-confirm");
    if (confirmDates) {
      state.datesConfirmed = state.datedKey;
      const result = confirmDates.closest(".ra-check");
      if (result) result.classList.add("dates-confirmed");
      gate();
      return;
    }
    const replace = target.closest(".ra-replace");
    if (replace) return replaceHit(replace);
    if (target.closest("[data-ra-search]")) return searchButton();
    if (state.popup.open && !target.closest("#ra-popup") && target.id !== "reply-text") closePopup();
    return undefined;
  });

  function switchLanguage(code, name) {
    if (state.code) {
      pick(state.code, state.title, code);
      return;
    }
    setLanguage(code, name);
    status("");
  }

  function searchButton() {
    const b = box();
    if (!b) return;
    if (state.popup.open) {
      closePopup();
      return;
    }
    if (!b.value.trim()) {
      b.value = "/";
      b.focus();
      b.setSelectionRange(1, 1);
      state.popup.dismissed = false;
      onBoxInput();
      textChanged(false);
    } else {
      openPopup("button", "");
    }
  }

  /* Nothing reaches the server while the box holds a banned word or an unfilled placeholder (Ctrl+Enter
     submits without the button, so the form's submit is stopped here too). The server refuses banned
     words itself; placeholders only this check stops. */
  document.addEventListener(
    "submit",
    (e) => {
      if (e.target.id !== "reply-form" || !panel()) return;
      const reasons = blockers();
      if (!reasons.length) return;
      e.preventDefault();
      e.stopImmediatePropagation();
      gate();
      const line = $("#ra-gate");
      if (line) {
        line.classList.remove("ra-flash");
        void line.offsetWidth; // restart the animation
        line.classList.add("ra-flash");
      }
    },
    true
  );

  document.addEventListener("htmx:afterSettle", resync);
  window.addEventListener("resize", () => state.popup.open && positionPopup());

  window.ReplyAssist = { init, pick, setLanguage, blockers };
  init();
})();
