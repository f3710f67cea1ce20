// The section tree (window.llmnotesNav, from nav.js): a sidebar on wide screens, a drawer on narrow ones. Folders
// open with a button; the current page's ancestors start open and the page is marked. Branches are drawn when
// first opened, so a tree of thousands of notes costs little on each page.
(function () {
  "use strict";
  var tree = window.llmnotesNav;
  if (!tree || !tree.length) return;
  var html = document.documentElement;
  var script = document.currentScript;
  var root = html.dataset.root || "";
  var current = html.dataset.page || "";
  var strings = {
    open: script.dataset.open || "Sections",
    close: script.dataset.close || "Close",
    label: script.dataset.label || "Sections"
  };

  // The chain of entries from the top down to the current page, if the tree holds it.
  function find(entries, chain) {
    for (var i = 0; i < entries.length; i++) {
      var entry = entries[i];
      if (entry[1] === current) return chain.concat([entry]);
      if (entry[2]) {
        var found = find(entry[2], chain.concat([entry]));
        if (found) return found;
      }
    }
    return null;
  }
  var open = find(tree, []) || [];

  function link(entry) {
    if (!entry[1]) {
      var span = document.createElement("span");
      span.className = "tree-label";
      span.textContent = entry[0];
      return span;
    }
    var a = document.createElement("a");
    a.href = root + encodeURI(entry[1]);
    a.textContent = entry[0];
    if (entry[1] === current) a.setAttribute("aria-current", "page");
    return a;
  }

  var counter = 0;
  function list(entries) {
    var ul = document.createElement("ul");
    entries.forEach(function (entry) {
      var li = document.createElement("li");
      if (!entry[2]) {
        li.appendChild(link(entry));
        ul.appendChild(li);
        return;
      }
      li.className = "tree-folder";
      var row = document.createElement("div");
      row.className = "tree-row";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "tree-toggle";
      button.setAttribute("aria-label", entry[0]);
      var id = "tree-branch-" + ++counter;
      button.setAttribute("aria-controls", id);
      row.appendChild(button);
      row.appendChild(link(entry));
      li.appendChild(row);
      var children = null;
      function show(expanded) {
        if (expanded && !children) {
          children = list(entry[2]);
          children.id = id;
          li.appendChild(children);
        }
        if (children) children.hidden = !expanded;
        button.setAttribute("aria-expanded", String(expanded));
      }
      button.addEventListener("click", function () {
        show(button.getAttribute("aria-expanded") !== "true");
      });
      show(open.indexOf(entry) >= 0);
      ul.appendChild(li);
    });
    return ul;
  }

  var nav = document.getElementById("site-tree");
  if (!nav) {
    nav = document.createElement("nav");
    nav.id = "site-tree";
    nav.className = "site-tree";
    nav.setAttribute("aria-label", strings.label);
    var main = document.getElementById("main");
    main.parentNode.insertBefore(nav, main);
  }
  nav.textContent = "";
  var close = document.createElement("button");
  close.type = "button";
  close.className = "tree-close";
  close.textContent = "× " + strings.close;
  nav.appendChild(close);
  nav.appendChild(list(tree));
  html.classList.add("has-tree");

  var opener = document.createElement("button");
  opener.type = "button";
  opener.className = "tree-open";
  opener.setAttribute("aria-controls", "site-tree");
  opener.setAttribute("aria-expanded", "false");
  opener.textContent = "☰ " + strings.open;
  var header = document.querySelector(".site-header .wrap");
  if (header) header.insertBefore(opener, header.firstChild);
  var backdrop = document.createElement("div");
  backdrop.className = "tree-backdrop";
  document.body.appendChild(backdrop);

  function drawer(show) {
    html.classList.toggle("tree-drawer-open", show);
    opener.setAttribute("aria-expanded", String(show));
    if (show) {
      var marked = nav.querySelector("[aria-current]");
      (marked || close).focus();
    } else {
      opener.focus();
    }
  }
  opener.addEventListener("click", function () { drawer(true); });
  close.addEventListener("click", function () { drawer(false); });
  backdrop.addEventListener("click", function () { drawer(false); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && html.classList.contains("tree-drawer-open")) drawer(false);
  });

  var marked = nav.querySelector("[aria-current]");
  if (marked) nav.scrollTop = Math.max(0, marked.offsetTop - nav.clientHeight / 3);
})();
