// The dashboard's few behaviours, as delegated listeners (the Content-Security-Policy allows
// no inline script or event handler attribute):
//   <form data-confirm="Delete this?">        asks before submitting
//   <input type="checkbox" data-check-all="ids"> ticks every name="ids" box of its form
//   <input data-select-on-focus>               selects its text on focus (copy a URL)
//   <button class="nav-button">                 opens the navigation on a narrow screen
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
