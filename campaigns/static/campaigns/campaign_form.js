// New-campaign form: live character counts and showing the fields of the picked crowd method.
(function () {
  "use strict";
  function updateCount(area) {
    var counter = document.querySelector('[data-count-for="' + area.id + '"]');
    if (!counter) return;
    var max = parseInt(area.getAttribute("data-max"), 10) || 1000;
    var n = Array.from(area.value.trim()).length;
    counter.textContent = n + " / " + max;
    counter.classList.toggle("is-over", n > max);
  }
  function showMethod() {
    var picked = document.querySelector('#method-choices input:checked');
    var method = picked ? picked.value : "conditions";
    document.querySelectorAll(".cg-method").forEach(function (section) {
      section.hidden = section.getAttribute("data-method") !== method;
    });
  }
  document.querySelectorAll("textarea[data-max]").forEach(function (area) {
    updateCount(area);
    area.addEventListener("input", function () { updateCount(area); });
  });
  document.querySelectorAll("#method-choices input").forEach(function (input) {
    input.addEventListener("change", showMethod);
  });
  showMethod();
})();
