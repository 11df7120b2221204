// Live preview for `recruit serve`: added to pages as they are served, never written to the built sites.
// Reloads the page after a rebuild; shows a build's problems over the last good page until they are fixed.
(function () {
  "use strict";
  var me = document.currentScript;
  var build = (me && me.getAttribute("data-build")) || "";
  var events = new EventSource("/_preview/events?build=" + encodeURIComponent(build));
  events.addEventListener("reload", function () { window.location.reload(); });
  events.addEventListener("problem", function (event) { show(JSON.parse(event.data)); });

  function add(parent, tag, id, text) {
    var el = document.createElement(tag);
    if (id) el.id = id;
    el.textContent = text; // text, never markup: file names and messages are shown as written
    parent.appendChild(el);
    return el;
  }

  function show(problem) {
    var old = document.getElementById("recruit-preview-problem");
    if (old) old.remove();
    Array.prototype.forEach.call(document.body.children, function (el) { el.inert = true; });
    var box = document.createElement("div");
    box.id = "recruit-preview-problem";
    box.setAttribute("role", "alertdialog");
    box.setAttribute("aria-modal", "true");
    box.setAttribute("aria-labelledby", "recruit-preview-heading");
    box.setAttribute("aria-describedby", "recruit-preview-hint recruit-preview-text");
    box.tabIndex = -1;
    Object.assign(box.style, {
      position: "fixed", inset: "0", zIndex: "2147483647", overflow: "auto", padding: "2rem",
      background: "#ffffff", color: "#0b0c0c", font: "1.1875rem/1.5 system-ui, sans-serif",
      borderTop: "10px solid #d4351c", boxSizing: "border-box"
    });
    add(box, "h1", "recruit-preview-heading", problem.heading).style.margin = "0 0 1rem";
    add(box, "p", "recruit-preview-hint", problem.hint);
    var text = add(box, "pre", "recruit-preview-text", problem.text);
    Object.assign(text.style, { whiteSpace: "pre-wrap", font: "1rem/1.5 ui-monospace, monospace" });
    document.body.appendChild(box);
    box.focus();
  }
})();
