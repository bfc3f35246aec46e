// dynamic-mcp console: copy buttons and JSON editor niceties. No inline scripts (the CSP forbids them).
(function () {
  "use strict";
  function copyFrom(button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target) return;
    var text = target.value !== undefined && target.tagName !== "OUTPUT" ? target.value : target.textContent;
    var done = function () {
      var status = document.getElementById(button.getAttribute("data-status") || "");
      if (status) status.textContent = "Copied to the clipboard.";
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () {});
    } else {
      var area = document.createElement("textarea");
      area.value = text; area.setAttribute("readonly", ""); area.style.position = "fixed"; area.style.opacity = "0";
      document.body.appendChild(area); area.select();
      try { document.execCommand("copy"); done(); } catch (e) { /* the text stays selectable */ }
      document.body.removeChild(area);
    }
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy]") : null;
    if (button) { event.preventDefault(); copyFrom(button); }
  });
  // Tab inserts two spaces in the JSON editor; Escape then Tab leaves it (keyboard users are never trapped).
  var escaped = false;
  document.addEventListener("keydown", function (event) {
    var area = event.target;
    if (!area.classList || !area.classList.contains("code")) return;
    if (event.key === "Escape") { escaped = true; return; }
    if (event.key === "Tab" && !event.shiftKey && !escaped) {
      event.preventDefault();
      var start = area.selectionStart, end = area.selectionEnd;
      area.value = area.value.slice(0, start) + "  " + area.value.slice(end);
      area.selectionStart = area.selectionEnd = start + 2;
    }
    escaped = false;
  });
})();
