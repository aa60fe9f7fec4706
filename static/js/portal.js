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
/* i6-reviewer */
// Review queue: "select this page" ticks every row; the header follows the rows. Without JS
// the header box is posted as all_on_page and the server takes every row of the page.
document.addEventListener("change", function (event) {
  var box = event.target;
  if (!box.matches || !box.form) {
    return;
  }
  var rows = box.form.querySelectorAll("input[data-select-row]");
  var header = box.form.querySelector("input[data-select-page]");
  if (!header) {
    return;
  }
  if (box.matches("[data-select-page]")) {
    rows.forEach(function (row) { row.checked = box.checked; });
  } else if (box.matches("[data-select-row]")) {
    var ticked = 0;
    rows.forEach(function (row) { if (row.checked) { ticked += 1; } });
    header.checked = rows.length > 0 && ticked === rows.length;
    header.indeterminate = ticked > 0 && ticked < rows.length;
  }
});
