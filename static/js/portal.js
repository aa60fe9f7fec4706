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
/* i6-phone */
// Phone layout: label every table cell with its column heading (td[data-label]); the CSS turns
// rows into cards on narrow screens and shows the label before each value. Runs on page load
// and on content htmx swaps in, so any table works without anything in its template.
// A table that should stay a table (scrolling sideways instead) gets class "no-cards".
(function () {
  function headings(table) {
    var row = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    var labels = [];
    if (!row) { return labels; }
    Array.prototype.forEach.call(row.cells, function (cell) {
      var text = cell.textContent.replace(/\s+/g, " ").trim();
      for (var i = 0; i < (cell.colSpan || 1); i++) { labels.push(text); }
    });
    return labels;
  }
  function label(root) {
    var tables = root.querySelectorAll ? root.querySelectorAll("table") : [];
    Array.prototype.forEach.call(tables, function (table) {
      var labels = headings(table);
      if (!labels.length) { return; }
      table.classList.add("has-labels");
      Array.prototype.forEach.call(table.tBodies, function (body) {
        Array.prototype.forEach.call(body.rows, function (row) {
          var column = 0;
          Array.prototype.forEach.call(row.cells, function (cell) {
            var text = cell.colSpan > 1 ? "" : (labels[column] || "");
            if (text && !cell.hasAttribute("data-label")) { cell.setAttribute("data-label", text); }
            column += cell.colSpan || 1;
          });
        });
      });
    });
  }
  function labelAll() { label(document); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", labelAll);
  } else {
    labelAll();
  }
  document.addEventListener("htmx:load", function (event) { label(event.target.parentNode || event.target); });
})();
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

/* s3-cert2: a "Print" button ([data-print]) prints the page (no inline handlers under the CSP) */
document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-print]") : null;
  if (button) {
    event.preventDefault();
    window.print();
  }
});
/* s4-online: the online lesson player ([data-lesson-player]). The server counts study time
   (decision 0015); this only sends heartbeats with the player's position, keeps the player
   from seeking past the time the server credited, and shows what the server answers. */
(function () {
  function setup(box) {
    var video = box.querySelector("video");
    if (!video) { return; }
    var credited = parseFloat(box.getAttribute("data-credited")) || 0;
    var duration = parseFloat(box.getAttribute("data-duration")) || 0;
    var token = null;
    var timer = null;
    var retry = null;
    var creditedOut = box.querySelector("[data-player-credited]");
    var stateOut = box.querySelector("[data-player-state]");
    var errorOut = box.querySelector("[data-player-error]");
    var msgComplete = box.querySelector("[data-msg-complete]");
    var msgWatched = box.querySelector("[data-msg-watched]");
    var interval = 5000;

    function post(url, data) {
      var body = new URLSearchParams(data || {});
      return fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": box.getAttribute("data-csrf") },
        body: body
      }).then(function (response) {
        return response.json().then(function (json) { return { ok: response.ok, json: json }; });
      });
    }
    function show(json) {
      if (typeof json.credited === "number") {
        credited = json.credited;
        creditedOut.textContent = Math.floor(credited);
      }
      if (json.complete) {
        stateOut.textContent = msgComplete.textContent;
        box.setAttribute("data-complete", "true");
      } else if (credited >= duration) {
        stateOut.textContent = msgWatched.textContent;
      }
    }
    function error(message) {
      errorOut.textContent = message || "";
      errorOut.hidden = !message;
    }
    function beat() {
      if (!token) { return; }
      post(box.getAttribute("data-beat-url"), { token: token, position: video.currentTime })
        .then(function (answer) {
          show(answer.json);
          if (!answer.ok) {
            error(answer.json.error);
            if (answer.json.code === "stale_session") { stop(); video.pause(); token = null; }
            else if (video.currentTime > credited) { video.currentTime = credited; }
            return;
          }
          error("");
          // The video ended before the server counted all of it: ask again shortly.
          if (video.ended && credited < duration && !retry) {
            retry = window.setTimeout(function () { retry = null; beat(); }, 1000);
          }
        });
    }
    function stop() { if (timer) { window.clearInterval(timer); timer = null; } }
    function run() { if (!timer) { timer = window.setInterval(beat, interval); } }

    video.addEventListener("loadedmetadata", function () {
      if (credited > 0 && credited < video.duration) { video.currentTime = credited; }
    });
    video.addEventListener("play", function () {
      if (token) { run(); return; }
      post(box.getAttribute("data-start-url")).then(function (answer) {
        if (!answer.ok) { error(answer.json.error); video.pause(); return; }
        token = answer.json.token;
        show(answer.json);
        if (video.currentTime > credited) { video.currentTime = credited; }
        run();
      });
    });
    video.addEventListener("pause", function () { beat(); stop(); });
    video.addEventListener("ended", function () { beat(); stop(); });
    video.addEventListener("seeking", function () {
      // Rewinding is allowed; going past what was studied is not.
      if (video.currentTime > credited + 1) { video.currentTime = credited; }
    });
  }
  function all() { document.querySelectorAll("[data-lesson-player]").forEach(setup); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", all);
  } else {
    all();
  }
})();
