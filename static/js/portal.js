// Ask before destructive actions: <form data-confirm="...">.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var message = form.getAttribute && form.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
}, true);
// Role switch: submit on change.
document.addEventListener("change", function (event) {
  if (event.target.matches && event.target.matches("[data-autosubmit]")) {
    event.target.form.submit();
  }
});
/* i6-person */
// Show a field only while another field has a given value: <input data-show-if="kind=value">.
// Without JavaScript every field stays visible (the server ignores the inapplicable ones).
(function () {
  function update(input) {
    var rule = (input.getAttribute("data-show-if") || "").split("=");
    var form = input.form;
    var control = form && form.elements.namedItem(rule[0]);
    var wrapper = input.closest(".field") || input.parentNode;
    if (!control || !wrapper) { return; }
    var shown = control.value === rule.slice(1).join("=");
    wrapper.hidden = !shown;
  }
  function all() {
    document.querySelectorAll("[data-show-if]").forEach(update);
  }
  document.addEventListener("change", function (event) {
    var name = event.target && event.target.name;
    if (!name) { return; }
    document.querySelectorAll("[data-show-if^='" + name + "=']").forEach(update);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", all);
  } else {
    all();
  }
})();
