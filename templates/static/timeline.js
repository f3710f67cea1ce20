// Timeline: filter the papers by tag; the choice is kept in the address (?tag=…) so a filtered view can be shared.
(function () {
  "use strict";
  var form = document.getElementById("timeline-filter");
  if (!form) return;
  var select = form.elements.tag;
  var output = form.elements.count;
  var entries = Array.prototype.slice.call(document.querySelectorAll(".timeline-entry"));
  var years = Array.prototype.slice.call(document.querySelectorAll(".timeline-year"));

  function apply() {
    var tag = select.value;
    var shown = 0;
    entries.forEach(function (entry) {
      var match = !tag || (" " + entry.getAttribute("data-tags") + " ").indexOf(" " + tag + " ") !== -1;
      entry.hidden = !match;
      if (match) shown += 1;
    });
    years.forEach(function (year) {
      year.hidden = !year.querySelector(".timeline-entry:not([hidden])");
    });
    output.textContent = shown + " " + (output.getAttribute("data-unit") || "");
  }

  var wanted = new URLSearchParams(location.search).get("tag");
  if (wanted && select.querySelector('option[value="' + CSS.escape(wanted) + '"]')) select.value = wanted;
  form.hidden = false;
  select.addEventListener("change", function () {
    apply();
    try {
      var url = new URL(location.href);
      if (select.value) url.searchParams.set("tag", select.value); else url.searchParams.delete("tag");
      history.replaceState(null, "", url.href);
    } catch (e) { /* file:// in some browsers refuses replaceState */ }
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  apply();
})();
