// Note pages: mark the current section in the table of contents, preview linked notes, copy code.
(function () {
  "use strict";

  function readJSON(id) {
    var element = document.getElementById(id);
    try { return element ? JSON.parse(element.textContent) : null; } catch (e) { return null; }
  }
  var strings = readJSON("llmnotes-strings") || { copy: "Copy", copied: "Copied" };

  // Table of contents: the last heading scrolled past is the current section.
  var tocLinks = Array.prototype.slice.call(document.querySelectorAll(".toc a[href^='#']"));
  var headings = tocLinks.map(function (link) {
    return document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
  });
  function markCurrent() {
    var current = -1;
    headings.forEach(function (heading, index) {
      if (heading && heading.getBoundingClientRect().top < 120) current = index;
    });
    tocLinks.forEach(function (link, index) {
      if (index === current) link.setAttribute("aria-current", "location");
      else link.removeAttribute("aria-current");
    });
  }
  if (tocLinks.length) {
    var pending = false;
    window.addEventListener("scroll", function () {
      if (pending) return;
      pending = true;
      window.requestAnimationFrame(function () { pending = false; markCurrent(); });
    }, { passive: true });
    markCurrent();
  }

  // Hover and focus previews of linked notes, from data embedded in the page.
  var previews = readJSON("llmnotes-previews") || [];
  var byUrl = {};
  previews.forEach(function (preview) {
    byUrl[new URL(preview.url, location.href).href.split("#")[0]] = preview;
  });
  var card = document.createElement("div");
  card.className = "preview-card";
  card.id = "llmnotes-preview";
  card.setAttribute("role", "tooltip");
  card.hidden = true;
  document.body.appendChild(card);
  var hideTimer = null;

  function line(className, text) {
    var element = document.createElement(className === "preview-title" ? "strong" : "p");
    element.className = className;
    element.textContent = text;
    return element;
  }
  function show(link, preview) {
    window.clearTimeout(hideTimer);
    card.textContent = "";
    card.appendChild(line("preview-title", preview.label));
    if (preview.label !== preview.title) card.appendChild(line("preview-subtitle", preview.title));
    if (preview.meta) card.appendChild(line("preview-meta", preview.meta));
    if (preview.summary) card.appendChild(line("preview-summary", preview.summary));
    if (preview.excerpt) card.appendChild(line("preview-excerpt", preview.excerpt));
    card.hidden = false;
    var box = link.getBoundingClientRect();
    var width = Math.min(360, document.documentElement.clientWidth - 16);
    card.style.width = width + "px";
    var left = Math.max(8, Math.min(box.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - width - 8));
    var below = box.bottom + window.scrollY + 8;
    card.style.left = left + "px";
    card.style.top = below + "px";
    if (box.bottom + card.offsetHeight + 16 > window.innerHeight && box.top > card.offsetHeight + 16) {
      card.style.top = (box.top + window.scrollY - card.offsetHeight - 8) + "px";
    }
    link.setAttribute("aria-describedby", card.id);
  }
  function hide(link) {
    hideTimer = window.setTimeout(function () { card.hidden = true; }, 120);
    if (link) link.removeAttribute("aria-describedby");
  }
  Array.prototype.forEach.call(document.querySelectorAll("main a[href]"), function (link) {
    var preview = byUrl[link.href.split("#")[0]];
    if (!preview) return;
    link.addEventListener("mouseenter", function () { show(link, preview); });
    link.addEventListener("mouseleave", function () { hide(link); });
    link.addEventListener("focus", function () { show(link, preview); });
    link.addEventListener("blur", function () { hide(link); });
  });
  card.addEventListener("mouseenter", function () { window.clearTimeout(hideTimer); });
  card.addEventListener("mouseleave", function () { hide(null); });
  document.addEventListener("keydown", function (event) { if (event.key === "Escape") card.hidden = true; });

  // A copy button on every code block.
  Array.prototype.forEach.call(document.querySelectorAll(".prose pre > code"), function (code) {
    var pre = code.parentElement;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-code";
    button.textContent = strings.copy;
    button.addEventListener("click", function () {
      var text = code.innerText;
      var done = function () {
        button.textContent = strings.copied;
        window.setTimeout(function () { button.textContent = strings.copy; }, 1500);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text); done(); });
      } else {
        fallbackCopy(text);
        done();
      }
    });
    var wrapper = document.createElement("div");
    wrapper.className = "code-block";
    pre.parentNode.insertBefore(wrapper, pre);
    wrapper.appendChild(pre);
    wrapper.appendChild(button);
  });
  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing more to try */ }
    document.body.removeChild(area);
  }
})();
