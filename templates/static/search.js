// Site search box: a keyboard-first combobox showing search-engine.js's results with highlighted snippets.
(function () {
  "use strict";

  var engine = window.__llmnotesSearch;
  var input = document.getElementById("site-search-input");
  if (!engine || !engine.search || !input) return;
  var SNIPPET = 90; // characters of context around the best match
  var WORD_CHAR = new RegExp("[\\p{L}\\p{N}]", "u");
  var fold = engine.fold;
  function chars(text) { return Array.from(text); }
  function isWordChar(c) { return !!c && WORD_CHAR.test(c) && !engine.isCJK(c); }

  // ---- Highlighting: whole query runs (or their bigrams) and words, found in folded text. ----
  function foldedWithMap(text) { // folded text, and for each of its code units the original index
    var out = "", map = [], i = 0;
    chars(text).forEach(function (c) {
      var f = fold(c);
      for (var k = 0; k < f.length; k++) map.push(i);
      out += f;
      i += c.length;
    });
    map.push(i);
    return { text: out, map: map };
  }
  function find(haystack, needle, wordStart, wordEnd) {
    var ranges = [], from = 0, at;
    while (needle && (at = haystack.indexOf(needle, from)) >= 0) {
      from = at + 1;
      var before = haystack.charAt(at - 1), after = haystack.charAt(at + needle.length);
      if ((wordStart && isWordChar(before)) || (wordEnd && isWordChar(after))) continue;
      ranges.push([at, at + needle.length]);
    }
    return ranges;
  }
  // Ranges [start, end, Map(segment → 2 for a whole match, 1 for parts of it)] of `text`, merged where they touch.
  function matches(text, segments) {
    var folded = foldedWithMap(text), ranges = [];
    segments.forEach(function (segment, number) {
      var found = find(folded.text, segment.text, !segment.cjk, false), quality = 2;
      if (!found.length) {
        quality = 1;
        segment.terms.forEach(function (t) {
          found = found.concat(find(folded.text, t.token, !segment.cjk, !segment.cjk && !t.prefix));
        });
      }
      found.forEach(function (r) { ranges.push([folded.map[r[0]], folded.map[r[1]], number, quality]); });
    });
    ranges.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var merged = [];
    ranges.forEach(function (r) {
      var last = merged[merged.length - 1];
      if (!last || r[0] > last[1]) merged.push(last = [r[0], r[1], new Map()]);
      last[1] = Math.max(last[1], r[1]);
      last[2].set(r[2], Math.max(last[2].get(r[2]) || 0, r[3]));
    });
    return merged;
  }
  // How well ranges show the query: the best match of each segment (whole runs over their parts), summed, then
  // how many matches there are, a few at most, so that the passage dense with the query wins over the first one.
  function score(ranges) {
    var best = new Map(), total = 0;
    ranges.forEach(function (r) {
      r[2].forEach(function (quality, segment) { best.set(segment, Math.max(best.get(segment) || 0, quality)); });
    });
    best.forEach(function (quality) { total += 4 * quality; });
    return total + Math.min(ranges.length, 3);
  }
  function marked(parent, text, ranges) {
    var at = 0;
    ranges.forEach(function (r) {
      var start = r[0], end = Math.min(r[1], text.length);
      if (end <= start || start < at) return;
      parent.appendChild(document.createTextNode(text.slice(at, start)));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(start, end);
      parent.appendChild(mark);
      at = end;
    });
    parent.appendChild(document.createTextNode(text.slice(at)));
    return parent;
  }
  // The passage of `text` that shows the query best, starting at a sentence or word where one is near.
  function passage(text, ranges) {
    var start = 0, best = -1;
    ranges.forEach(function (r) {
      var sentence = -1, near = Math.max(0, r[0] - 24), back;
      for (back = r[0]; back > 0 && back > r[0] - 40 && sentence < 0; back--) {
        if (/[。！？；!?;]/.test(text.charAt(back - 1)) || /[.:] /.test(text.slice(back - 2, back))) sentence = back;
      }
      for (back = near; back > 0 && back > near - 12; back--) if (text.charAt(back - 1) === " ") { near = back; break; }
      [sentence, near, r[0]].forEach(function (from) {
        if (from < 0) return;
        var value = score(ranges.filter(function (o) { return o[0] >= from && o[1] <= from + SNIPPET; }));
        if (value > best) { best = value; start = from; }
      });
    });
    while (text.charAt(start) === " ") start++;
    var end = Math.min(text.length, start + SNIPPET + 30), lead = start > 0 ? "…" : "";
    var inside = ranges.filter(function (r) { return r[0] >= start && r[1] <= end; }).map(function (r) {
      return [r[0] - start + lead.length, r[1] - start + lead.length, r[2]];
    });
    return { text: lead + text.slice(start, end) + (end < text.length ? "…" : ""), ranges: inside };
  }
  // The summary, a passage of the body, or the other names and tags: whichever shows more of the query.
  function snippet(doc, segments) {
    var best = null;
    [doc[4], doc[6], doc[5]].forEach(function (text, number) {
      if (!text) return;
      var ranges = matches(text, segments);
      var shown = text.length > 2 * SNIPPET ? passage(text, ranges) : { text: text, ranges: ranges };
      shown.score = score(shown.ranges) - (number === 2 && ranges.length === 0 ? 1 : 0);
      if (!best || shown.score > best.score) best = shown;
    });
    var element = document.createElement("span");
    element.className = "search-snippet";
    return best ? marked(element, best.text, best.ranges) : element;
  }

  // ---- The combobox. ----
  var box = input.closest(".site-search");
  var popup = box.querySelector(".search-popup");
  var listbox = document.getElementById("site-search-results");
  var message = box.querySelector(".search-message");
  var status = document.getElementById("site-search-status");
  var root = document.documentElement.getAttribute("data-root") || "";
  var active = -1, current = [], sequence = 0, timer = null;

  function say(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return String(values[key]); });
  }
  function setActive(index) { // index -1 wraps round to the last option; null selects none
    var options = listbox.querySelectorAll("[role=option]");
    active = options.length && index !== null ? (index + options.length) % options.length : -1;
    Array.prototype.forEach.call(options, function (option, i) {
      option.setAttribute("aria-selected", String(i === active));
    });
    if (active >= 0) {
      input.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({ block: "nearest" });
    } else input.removeAttribute("aria-activedescendant");
  }
  function close() {
    popup.hidden = true;
    input.setAttribute("aria-expanded", "false");
    setActive(null);
  }
  function open() {
    if (!message.textContent && !current.length) return;
    popup.hidden = false;
    input.setAttribute("aria-expanded", String(current.length > 0));
  }
  function go(index, newTab) {
    var doc = current[index];
    if (!doc) return;
    var url = root + doc[0].split("/").map(encodeURIComponent).join("/");
    if (newTab) window.open(url, "_blank", "noopener");
    else window.location.href = url;
  }
  function option(doc, index, segments) {
    var item = document.createElement("li");
    item.id = "site-search-option-" + index;
    item.className = "search-option";
    item.setAttribute("role", "option");
    item.setAttribute("aria-selected", "false");
    var title = marked(document.createElement("span"), doc[1], matches(doc[1], segments));
    title.className = "search-title";
    item.appendChild(title);
    if (doc[2] !== doc[1]) {
      var full = marked(document.createElement("span"), doc[2], matches(doc[2], segments));
      full.className = "search-fulltitle";
      item.appendChild(full);
    }
    var where = [doc[7], doc[3]].filter(Boolean).join(" · "); // the sections it is in; year and venue
    if (where) {
      var meta = document.createElement("span");
      meta.className = "search-meta";
      meta.textContent = where;
      item.appendChild(meta);
    }
    item.appendChild(snippet(doc, segments));
    item.addEventListener("mousedown", function (event) { event.preventDefault(); });
    item.addEventListener("click", function (event) { go(index, event.ctrlKey || event.metaKey); });
    return item;
  }
  function show(result, query) {
    current = result.docs;
    popup.setAttribute("data-query", query); // which query the popup shows (tests wait for it)
    listbox.textContent = "";
    result.docs.forEach(function (doc, i) { listbox.appendChild(option(doc, i, result.segments)); });
    var strings = box.dataset;
    var count = result.total === 1 ? strings.countOne : say(strings.count, { n: result.total });
    if (result.total > result.docs.length) count = say(strings.more, { shown: result.docs.length, n: result.total });
    message.textContent = result.total ? count : strings.noResults;
    message.classList.toggle("search-empty", !result.total);
    status.textContent = message.textContent;
    active = -1;
    input.removeAttribute("aria-activedescendant");
    open();
  }
  function run() {
    var query = input.value, mine = ++sequence;
    if (!engine.parseQuery(query).length) { current = []; listbox.textContent = ""; message.textContent = ""; close(); return; }
    engine.search(query).then(function (result) { if (mine === sequence) show(result, query); }, function () {
      if (mine !== sequence) return;
      current = [];
      listbox.textContent = "";
      message.textContent = status.textContent = box.dataset.error;
      open();
    });
  }
  function later() { window.clearTimeout(timer); timer = window.setTimeout(run, 60); }
  function prepare() { engine.load("manifest").catch(function () { /* reported when searching */ }); }

  input.addEventListener("focus", function () { prepare(); if (input.value) open(); });
  input.addEventListener("input", function (event) { if (!event.isComposing) later(); });
  input.addEventListener("compositionend", later);
  input.addEventListener("blur", function () { window.setTimeout(close, 0); });
  input.addEventListener("keydown", function (event) {
    if (event.isComposing) return;
    var expanded = !popup.hidden && current.length > 0;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (popup.hidden) { open(); return; }
      setActive(active < 0 && event.key === "ArrowUp" ? current.length - 1 : active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter") {
      if (!expanded) return;
      event.preventDefault();
      go(active >= 0 ? active : 0, event.ctrlKey || event.metaKey);
    } else if (event.key === "Escape") {
      event.preventDefault();
      if (!popup.hidden) close();
      else { input.value = ""; run(); }
    } else if (event.key === "Home" && expanded && active >= 0) {
      event.preventDefault(); setActive(0);
    } else if (event.key === "End" && expanded && active >= 0) {
      event.preventDefault(); setActive(current.length - 1);
    }
  });
  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }
  document.addEventListener("keydown", function (event) {
    var shortcut = (event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "k";
    var slash = event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !typing(event.target);
    if (!shortcut && !slash) return;
    event.preventDefault();
    input.focus();
    input.select();
  });
})();
