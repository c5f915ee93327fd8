/* A field's error message goes away as soon as the field is changed (issue 11): the message describes the
   value that was sent, not the one being typed. The server checks again on the next submit. */
(function () {
  "use strict";
  const ERRORS = ".error, .errorlist, .field-error, .cp-error, .ar-error, .cg-error";
  const ECHO = "[data-date-echo]";

  function clear(event) {
    const field = event.target;
    if (!field.matches || !field.matches("input, select, textarea")) return;
    field.removeAttribute("aria-invalid");
    field.classList.remove("invalid", "is-invalid");
    for (let next = field.nextElementSibling; next && next.matches(`${ERRORS}, ${ECHO}`); next = next.nextElementSibling) {
      if (!next.matches(ECHO)) next.hidden = true;
    }
    const box = field.closest("[data-field], .cp-field, .cg-field, .field");
    if (box && box.querySelectorAll("input:not([type=hidden]), select, textarea").length === 1) {
      box.querySelectorAll(ERRORS).forEach((error) => {
        error.hidden = true;
      });
      box.classList.remove("has-error", "invalid");
    }
  }

  document.addEventListener("input", clear, true);
  document.addEventListener("change", clear, true);

  /* Native date pickers draw the date in the browser's language and order, whatever the desk's
     (docs/i18n.md, "Date inputs"): the picked date is written out beside the field in the interface
     language ("2026年11月15日", "Nov 15, 2026"), so 03/04 can't be misread as April 3. */
  const DATES = "input[type=date], input[type=datetime-local]";
  const DAY = { year: "numeric", month: "short", day: "numeric" };
  const DAY_TIME = { ...DAY, hour: "2-digit", minute: "2-digit", hourCycle: "h23" };

  function echoOf(field) {
    const next = field.nextElementSibling;
    if (next && next.matches(ECHO)) return next;
    const echo = document.createElement("span");
    echo.className = "date-echo muted";
    echo.setAttribute("data-date-echo", "");
    echo.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", echo);
    return echo;
  }

  function paint(field) {
    const echo = echoOf(field);
    const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?/.exec(field.value || "");
    if (!m) {
      echo.textContent = "";
      return;
    }
    const when = new Date(+m[1], +m[2] - 1, +m[3], +(m[4] || 0), +(m[5] || 0));
    const lang = field.lang || document.documentElement.lang || "en";
    echo.textContent = new Intl.DateTimeFormat(lang, m[4] ? DAY_TIME : DAY).format(when);
  }

  function paintAll(root) {
    (root && root.querySelectorAll ? root : document).querySelectorAll(DATES).forEach(paint);
  }

  document.addEventListener("input", (e) => { if (e.target.matches && e.target.matches(DATES)) paint(e.target); });
  document.addEventListener("change", (e) => { if (e.target.matches && e.target.matches(DATES)) paint(e.target); });
  document.addEventListener("htmx:afterSettle", (e) => paintAll(e.detail.target));
  document.addEventListener("DOMContentLoaded", () => paintAll(document));
})();
