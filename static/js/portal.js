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
