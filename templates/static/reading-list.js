// Sort and filter the reading-list table in place; no network, works from file://.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var table = document.getElementById("papers");
  if (!form || !table) return;
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  form.hidden = false;

  function matches(row) {
    var q = form.q.value.trim().toLowerCase();
    if (form.group.value && row.dataset.group !== form.group.value) return false;
    if (form.venue.value && row.dataset.venue !== form.venue.value) return false;
    if (form.llm.value && row.dataset.llm.split("\n").indexOf(form.llm.value) < 0) return false;
    if (form.code.checked && !row.dataset.code) return false;
    return !q || row.textContent.toLowerCase().indexOf(q) >= 0;
  }

  function filter() {
    var shown = 0;
    rows.forEach(function (row) {
      var visible = matches(row);
      row.hidden = !visible;
      if (visible) shown += 1;
    });
    form.count.value = shown + " / " + rows.length;
  }

  function sortBy(header, index) {
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var numeric = header.dataset.sort === "number";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) { cell.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    rows.sort(function (a, b) {
      var x = a.cells[index].textContent.trim(), y = b.cells[index].textContent.trim();
      var order = numeric ? Number(x) - Number(y) : x.localeCompare(y, "zh-CN");
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, index) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    button.textContent = header.textContent;
    header.textContent = "";
    header.appendChild(button);
    button.addEventListener("click", function () { sortBy(header, index); });
  });
  form.addEventListener("input", filter);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  filter();
})();
