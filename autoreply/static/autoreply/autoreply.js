/* Auto-reply page: add, remove and reorder keyword rows, show the chosen reply type's field, count characters,
   and draw the buyer's-view preview. All text goes into the preview through textContent (never as HTML). */
(function () {
  "use strict";
  // Interface strings through Django's JavaScript catalogue (/jsi18n/, docs/i18n.md); the names are the ones
  // makemessages looks for.
  const gettext = (text) => (window.gettext ? window.gettext(text) : text);
  const ngettext = (one, many, n) => (window.ngettext ? window.ngettext(one, many, n) : n === 1 ? one : many);
  const fmt = (text, values) => text.replace(/%\((\w+)\)s/g, (_, k) => (values || {})[k]);

  let form, rows, template, addButton, status;
  let nextRow = 0;
  let activePrefix = null;

  const rowList = () => Array.from(rows.querySelectorAll(":scope > .ar-row"));
  const field = (row, name) => row.querySelector(`[name="kw-${row.dataset.prefix}-${name}"]`);

  function replyType(row) {
    const checked = row.querySelector('input[type="radio"]:checked');
    return checked ? checked.value : "text";
  }

  function showType(row) {
    const type = replyType(row);
    row.querySelectorAll(".ar-reply").forEach((box) => {
      box.hidden = box.dataset.type !== type;
    });
  }

  function count(input) {
    const counter = form.querySelector(`[data-count-for="${input.id}"]`);
    if (!counter) return;
    const max = Number(counter.dataset.max);
    counter.textContent = `${input.value.length} / ${max}`;
    counter.classList.toggle("is-full", input.value.length >= max);
  }

  function refreshRows() {
    const list = rowList();
    const filled = list.filter((row) => field(row, "keyword").value.trim()).length;
    const min = Number(form.dataset.min);
    const max = Number(form.dataset.max);
    list.forEach((row, i) => {
      row.querySelector(".ar-up").disabled = i === 0;
      row.querySelector(".ar-down").disabled = i === list.length - 1;
    });
    addButton.disabled = list.length >= max;
    let text;
    if (filled === 0) text = fmt(gettext("No keywords: buyers get the welcome alone."));
    else if (filled < min) text = fmt(ngettext("%(filled)s keyword: add %(more)s more (%(min)s to %(max)s), or clear them all.", "%(filled)s keywords: add %(more)s more (%(min)s to %(max)s), or clear them all.", filled), { filled, more: min - filled, min, max });
    else text = fmt(ngettext("%(filled)s keyword on the card.", "%(filled)s keywords on the card.", filled), { filled });
    if (list.length >= max) text += " " + fmt(gettext("%(max)s is the most a card can hold."), { max });
    status.textContent = text;
    status.classList.toggle("ar-rows-status-bad", filled > 0 && filled < min);
  }

  function addRow() {
    if (rowList().length >= Number(form.dataset.max)) return;
    const prefix = `new${Date.now().toString(36)}${nextRow++}`;
    const html = template.innerHTML.replaceAll("__prefix__", prefix);
    rows.insertAdjacentHTML("beforeend", html);
    const row = rows.lastElementChild;
    showType(row);
    field(row, "keyword").focus();
    changed();
  }

  function moveRow(row, step) {
    if (step < 0 && row.previousElementSibling) rows.insertBefore(row, row.previousElementSibling);
    if (step > 0 && row.nextElementSibling) rows.insertBefore(row.nextElementSibling, row);
    row.querySelector(step < 0 ? ".ar-up" : ".ar-down").focus();
    changed();
  }

  function removeRow(row) {
    const next = row.nextElementSibling || row.previousElementSibling;
    if (activePrefix === row.dataset.prefix) activePrefix = null;
    row.remove();
    if (next) next.querySelector(".ar-keyword").focus();
    else addButton.focus();
    changed();
  }

  // ------------------------------------------------------------------ preview

  function pictureUrl(row) {
    const input = field(row, "image");
    if (input && input.files && input.files[0]) {
      if (!input._previewUrl || input._previewFile !== input.files[0]) {
        if (input._previewUrl) URL.revokeObjectURL(input._previewUrl);
        input._previewFile = input.files[0];
        input._previewUrl = URL.createObjectURL(input.files[0]);
      }
      return input._previewUrl;
    }
    return row.dataset.imageUrl || "";
  }

  function answerFor(row) {
    const body = document.createElement("div");
    const type = replyType(row);
    if (type === "text") {
      const text = field(row, "text").value.trim();
      body.className = text ? "ar-preview-text" : "ar-answer-empty";
      body.dir = "auto";
      body.textContent = text || fmt(gettext("No reply text yet."));
    } else if (type === "picture") {
      const url = pictureUrl(row);
      if (url) {
        const img = document.createElement("img");
        img.className = "ar-answer-picture";
        img.alt = fmt(gettext("The keyword's picture"));
        img.src = url;
        body.appendChild(img);
      } else {
        body.className = "ar-answer-empty";
        body.textContent = fmt(gettext("No picture chosen yet."));
      }
    } else {
      const select = field(row, "coupon_id");
      const option = select.selectedOptions[0];
      if (option && option.value) {
        body.className = "ar-answer-coupon";
        const name = document.createElement("strong");
        name.textContent = option.dataset.name || option.textContent;
        const detail = document.createElement("span");
        detail.textContent = option.textContent.split(" · ").slice(1).join(" · ");
        body.append(name, detail);
      } else {
        body.className = "ar-answer-empty";
        body.textContent = fmt(gettext("No coupon chosen yet."));
      }
    }
    return body;
  }

  function renderPreview() {
    const enabled = document.getElementById("ar-enabled").checked;
    const welcome = document.getElementById("ar-welcome").value.trim();
    const text = document.getElementById("ar-preview-text");
    text.textContent = welcome || fmt(gettext("Your welcome message"));
    text.classList.toggle("is-placeholder", !welcome);
    document.getElementById("ar-preview-off").hidden = enabled;
    document.getElementById("ar-preview-welcome").hidden = !enabled;
    const state = form.querySelector(".ar-state");
    state.textContent = enabled ? state.dataset.on : state.dataset.off;

    const chips = document.getElementById("ar-preview-chips");
    chips.replaceChildren();
    let activeRow = null;
    rowList().forEach((row) => {
      const keyword = field(row, "keyword").value.trim();
      if (!keyword) return;
      const chip = document.createElement("button");
      chip.type = "button";
      chip.className = "ar-chip";
      chip.dataset.prefix = row.dataset.prefix;
      chip.textContent = keyword;
      if (row.dataset.prefix === activePrefix) {
        chip.classList.add("is-active");
        activeRow = row;
      }
      chips.appendChild(chip);
    });
    const answer = document.getElementById("ar-preview-answer");
    answer.hidden = !(enabled && activeRow);
    if (activeRow) document.getElementById("ar-preview-answer-body").replaceChildren(answerFor(activeRow));
  }

  function changed() {
    refreshRows();
    renderPreview();
  }

  // ------------------------------------------------------------------ wiring

  document.addEventListener("DOMContentLoaded", () => {
    form = document.getElementById("ar-form");
    if (!form) return;
    rows = document.getElementById("ar-rows");
    template = document.getElementById("ar-row-template");
    addButton = document.getElementById("ar-add");
    status = document.getElementById("ar-rows-status");

    rowList().forEach(showType);
    form.querySelectorAll("[data-count-for]").forEach((counter) => {
      const input = document.getElementById(counter.dataset.countFor);
      if (input) count(input);
    });

    addButton.addEventListener("click", addRow);
    form.addEventListener("click", (e) => {
      const row = e.target.closest(".ar-row");
      if (!row) return;
      if (e.target.closest(".ar-up")) moveRow(row, -1);
      else if (e.target.closest(".ar-down")) moveRow(row, 1);
      else if (e.target.closest(".ar-remove")) removeRow(row);
    });
    form.addEventListener("input", (e) => {
      if (e.target.id) count(e.target);
      const box = e.target.closest(".ar-field");
      if (box) box.querySelectorAll(".ar-server-error").forEach((el) => el.remove());
      changed();
    });
    form.addEventListener("change", (e) => {
      const row = e.target.closest(".ar-row");
      if (row && e.target.type === "radio") {
        showType(row);
        activePrefix = row.dataset.prefix;
      }
      changed();
    });
    document.getElementById("ar-preview-chips").addEventListener("click", (e) => {
      const chip = e.target.closest(".ar-chip");
      if (!chip) return;
      activePrefix = activePrefix === chip.dataset.prefix ? null : chip.dataset.prefix;
      renderPreview();
    });
    changed();
  });
})();
