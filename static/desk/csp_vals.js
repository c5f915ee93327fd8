// Content-Security-Policy without 'unsafe-eval' (seller_desk/csp.py): htmx may not eval `hx-vals="js:…"`
// (htmx.config.allowEval is off in base.html). The templates' js: values all have the shape
// `{name: Object.method()}`; this fills them in on every htmx request by calling window.Object.method(),
// without evaluating any text.
(function () {
  "use strict";
  var PAIR = /(\w+)\s*:\s*([A-Za-z_$][\w$]*)\.([A-Za-z_$][\w$]*)\(\)/g;

  document.addEventListener("htmx:configRequest", function (event) {
    var params = event.detail.parameters;
    for (var elt = event.detail.elt; elt && elt.getAttribute; elt = elt.parentElement) {
      var vals = elt.getAttribute("hx-vals") || elt.getAttribute("data-hx-vals") || "";
      if (vals.indexOf("js:") !== 0) continue;
      var match;
      PAIR.lastIndex = 0;
      while ((match = PAIR.exec(vals)) !== null) {
        var name = match[1];
        var owner = window[match[2]];
        var method = owner && owner[match[3]];
        var hasValue = typeof params.get === "function" ? params.has(name) : name in params;
        if (hasValue || typeof method !== "function") continue;
        var value = method.call(owner);
        if (value === undefined || value === null) value = "";
        if (typeof params.set === "function") params.set(name, value);
        else params[name] = value;
      }
    }
  });
})();
