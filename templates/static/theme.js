// Dark mode: follows the system until the reader chooses; the choice persists in localStorage.
(function () {
  "use strict";
  var root = document.documentElement;
  var button = document.getElementById("theme-toggle");
  if (!button) return;
  var system = window.matchMedia("(prefers-color-scheme: dark)");

  function isDark() {
    return root.dataset.theme ? root.dataset.theme === "dark" : system.matches;
  }
  function show() { button.setAttribute("aria-pressed", String(isDark())); }

  button.hidden = false;
  show();
  button.addEventListener("click", function () {
    var next = isDark() ? "light" : "dark";
    root.dataset.theme = next;
    try { localStorage.setItem("llmnotes-theme", next); } catch (e) { /* storage may be off */ }
    show();
  });
  system.addEventListener("change", show);
})();
