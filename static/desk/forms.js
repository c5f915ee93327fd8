/* A field's error message goes away as soon as the field is changed (issue 11): the message describes the
   value that was sent, not the one being typed. The server checks again on the next submit. */
(function () {
  "use strict";
  const ERRORS = ".error, .errorlist, .field-error, .cp-error, .ar-error, .cg-error";

  function clear(event) {
    const field = event.target;
    if (!field.matches || !field.matches("input, select, textarea")) return;
    field.removeAttribute("aria-invalid");
    field.classList.remove("invalid", "is-invalid");
    for (let next = field.nextElementSibling; next && next.matches(ERRORS); next = next.nextElementSibling) {
      next.hidden = true;
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
})();
