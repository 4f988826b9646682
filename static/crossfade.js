// The dashboard's few behaviours, as delegated listeners (the Content-Security-Policy allows
// no inline script or event handler attribute):
//   <form data-confirm="Delete this?">        asks before submitting
//   <input type="checkbox" data-check-all="ids"> ticks every name="ids" box of its form
//   <input data-select-on-focus>               selects its text on focus (copy a URL)
//   <button class="nav-button">                 opens the navigation on a narrow screen
//   <form data-kind-form> with <select data-link-kind>: the fields, options and hints marked
//     data-for-kinds / data-kinds="ratings playlists" follow the kind chosen
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest(".nav-button") : null;
    if (!button) return;
    var bar = button.closest(".topbar");
    if (!bar) return;
    var open = bar.classList.toggle("open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  }, true);

  function followKind(form, kind) {
    form.querySelectorAll("[data-for-kinds]").forEach(function (part) {
      var shown = part.getAttribute("data-for-kinds").split(" ").indexOf(kind) >= 0;
      part.hidden = !shown;
      part.querySelectorAll("input, select, textarea").forEach(function (field) {
        field.disabled = !shown;
      });
      if (part.matches("input, select, textarea")) part.disabled = !shown;
    });
    form.querySelectorAll("select").forEach(function (select) {
      var options = select.querySelectorAll("option[data-kinds]");
      if (!options.length) return;
      options.forEach(function (option) {
        option.disabled = option.getAttribute("data-kinds").split(" ").indexOf(kind) < 0;
      });
      var current = select.options[select.selectedIndex];
      if (current && current.disabled) {
        var usable = Array.prototype.filter.call(select.options, function (o) { return !o.disabled; });
        if (usable.length) usable[select.name === "library_b_id" && usable.length > 1 ? 1 : 0].selected = true;
      }
    });
  }

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!(select instanceof HTMLSelectElement) || !select.hasAttribute("data-link-kind")) return;
    var form = select.closest("form[data-kind-form]");
    if (form) followKind(form, select.value);
  });

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement)) return;
    var name = box.getAttribute("data-check-all");
    var form = box.closest("form");
    if (!name || !form) return;
    form.querySelectorAll("input[type=checkbox]").forEach(function (other) {
      if (other.name === name) other.checked = box.checked;
    });
  });

  document.addEventListener("focusin", function (event) {
    var input = event.target;
    if (input instanceof HTMLInputElement && input.hasAttribute("data-select-on-focus")) {
      input.select();
    }
  });
})();
