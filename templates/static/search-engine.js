// Site search engine: the tokenizer and ranking over a sharded index whose files are <script>s loaded on demand,
// so it works from file:// as well as over HTTP. Mirrors src/llmnotes/search.py; the UI is search.js.
(function () {
  "use strict";

  var MAX_RESULTS = 10;
  var MAX_PREFIX_CHUNKS = 8; // a prefix spanning more token shards than this matches exactly instead
  var WEIGHTS = [1 << 18, 1 << 12, 1 << 6, 1]; // title ≫ tags/authors ≫ summary ≫ body, per query segment
  var BODY = 8;
  var CJK = "\\u3040-\\u30ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\u{20000}-\\u{3134f}";
  var LETTER = "(?:(?![" + CJK + "])[\\p{L}\\p{N}])";
  var PIECE = new RegExp("([" + CJK + "]+)|(" + LETTER + "+(?:[-_\\u2010]" + LETTER + "+)*)", "gu");
  var CONNECTOR = /[-_\u2010]/;
  var IS_CJK = new RegExp("[" + CJK + "]", "u");
  var DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  var DIGIT = {};
  for (var d = 0; d < DIGITS.length; d++) DIGIT[DIGITS.charAt(d)] = d;

  // ---- Tokenizer: the same as search.py (NFKC + case folding, words, CJK bigrams). ----
  function fold(text) {
    return text.normalize("NFKC").toLowerCase().replace(/ß/g, "ss").replace(/ς/g, "σ")
      .replace(/[\uab70-\uabbf]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xab70 + 0x13a0); })
      .replace(/[\u13f8-\u13fd]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 8); });
  }
  function chars(text) { return Array.from(text); }
  function bigrams(run) {
    var list = chars(run), out = [];
    for (var i = 0; i + 1 < list.length; i++) out.push(list[i] + list[i + 1]);
    return out;
  }
  function unique(list) {
    var seen = new Set();
    return list.filter(function (item) { if (seen.has(item)) return false; seen.add(item); return true; });
  }
  function tokenize(text, everyChar) {
    var tokens = [];
    (fold(text).match(PIECE) || []).forEach(function (piece) {
      if (IS_CJK.test(chars(piece)[0])) {
        var list = chars(piece);
        tokens.push.apply(tokens, everyChar === false ? list.slice(-1) : list);
        tokens.push.apply(tokens, bigrams(piece));
      } else {
        var parts = piece.split(CONNECTOR);
        tokens.push.apply(tokens, parts);
        if (parts.length > 1) tokens.push(parts.join(""));
      }
    });
    return unique(tokens);
  }
  // Segments of a query, each {text, cjk, terms: [{token, prefix}]}; every segment must match a note.
  function parseQuery(text) {
    var folded = fold(text), segments = [], match, found = [];
    PIECE.lastIndex = 0;
    while ((match = PIECE.exec(folded))) found.push(match);
    found.forEach(function (m, number) {
      if (m[1]) {
        var grams = unique(bigrams(m[1]));
        segments.push({ text: m[1], cjk: true, terms: grams.length
          ? grams.map(function (g) { return { token: g, prefix: false }; })
          : [{ token: m[1], prefix: true }] });
        return;
      }
      var parts = unique(m[2].split(CONNECTOR));
      var typing = number === found.length - 1 && m.index + m[2].length === folded.length;
      segments.push({ text: m[2], cjk: false, terms: parts.map(function (part) {
        return { token: part, prefix: typing && part === parts[parts.length - 1] && chars(part).length > 1 };
      }) });
    });
    return segments;
  }

  // ---- Loading: every index file is a script that calls add(id, data). ----
  var registry = window.__llmnotesSearch = window.__llmnotesSearch || {};
  var loaded = {}, pending = {};
  var base = (document.documentElement.getAttribute("data-root") || "") + "static/search/";
  registry.add = function (id, data) { loaded[id] = data; };
  function load(id) {
    if (!pending[id]) {
      pending[id] = new Promise(function (resolve, reject) {
        if (id in loaded) { resolve(loaded[id]); return; }
        var script = document.createElement("script");
        script.src = base + id + ".js";
        script.async = true;
        script.onload = function () { if (id in loaded) resolve(loaded[id]); else reject(new Error(id)); };
        script.onerror = function () { delete pending[id]; reject(new Error("cannot load " + script.src)); };
        document.head.appendChild(script);
      });
    }
    return pending[id];
  }

  // ---- Index shards: front-coded tokens and varint postings. ----
  var chunkCache = {};
  function chunk(number) {
    if (!chunkCache[number]) {
      var data = loaded["t/" + number], keys = data[0].split(" "), lists = data[1].split(" ");
      var tokens = [], map = new Map(), previous = [];
      keys.forEach(function (key, i) {
        var token = previous.slice(0, +key.charAt(0)).join("") + key.slice(1);
        tokens.push(token);
        map.set(token, lists[i]);
        previous = chars(token);
      });
      chunkCache[number] = { tokens: tokens, map: map };
    }
    return chunkCache[number];
  }
  function varints(text) {
    var values = [], value = 0;
    for (var i = 0; i < text.length; i++) {
      var digit = DIGIT[text.charAt(i)];
      value = value * 32 + (digit & 31);
      if (digit >= 32) { values.push(value); value = 0; }
    }
    return values;
  }
  function postings(text) { // [[doc, field bits], ...]
    var bang = text.indexOf("!"), doc = -1, index = -1;
    var list = varints(bang < 0 ? text : text.slice(0, bang)).map(function (gap) { doc += gap + 1; return [doc, BODY]; });
    var fields = bang < 0 ? [] : varints(text.slice(bang + 1));
    for (var i = 0; i + 1 < fields.length; i += 2) { index += fields[i] + 1; list[index][1] = fields[i + 1]; }
    return list;
  }
  function shardOf(chunks, token) { // the last shard whose first token is <= token
    var low = 0, high = chunks.length - 1, found = 0;
    while (low <= high) {
      var mid = (low + high) >> 1;
      if (chunks[mid] <= token) { found = mid; low = mid + 1; } else high = mid - 1;
    }
    return found;
  }
  function shardsFor(manifest, term) {
    var first = shardOf(manifest.chunks, term.token);
    var last = term.prefix ? shardOf(manifest.chunks, term.token + "\uffff") : first;
    if (last - first >= MAX_PREFIX_CHUNKS) { term.prefix = false; last = first; }
    var list = [];
    for (var n = first; n <= last; n++) list.push(n);
    return list;
  }
  function lowestField(mask) { for (var f = 0; f < 4; f++) if (mask & (1 << f)) return f; return 3; }

  // One term → Map(doc → {mask, tokens}) over its token, or every token it starts when it is a prefix.
  function termDocs(manifest, term) {
    var docs = new Map();
    shardsFor(manifest, term).forEach(function (number) {
      var shard = chunk(number);
      var matching = term.prefix
        ? shard.tokens.filter(function (t) { return t.lastIndexOf(term.token, 0) === 0; })
        : (shard.map.has(term.token) ? [term.token] : []);
      matching.forEach(function (token) {
        postings(shard.map.get(token)).forEach(function (entry) {
          var hit = docs.get(entry[0]) || { mask: 0, tokens: 0 };
          hit.mask |= entry[1];
          hit.tokens += 1;
          docs.set(entry[0], hit);
        });
      });
    });
    return docs;
  }
  // Documents matching every segment, best first: by field weight, then matching tokens, then site order.
  function rank(manifest, segments) {
    var scores = null;
    segments.forEach(function (segment) {
      var both = null; // doc → {and: fields shared by all terms, worst: worst best-field, tokens}
      segment.terms.forEach(function (term) {
        var docs = termDocs(manifest, term), next = new Map();
        docs.forEach(function (hit, doc) {
          var before = both ? both.get(doc) : { and: 15, worst: 0, tokens: 0 };
          if (!before) return;
          next.set(doc, { and: before.and & hit.mask, worst: Math.max(before.worst, lowestField(hit.mask)),
            tokens: before.tokens + hit.tokens });
        });
        both = next;
      });
      var merged = new Map();
      both.forEach(function (hit, doc) {
        var before = scores ? scores.get(doc) : { score: 0, tokens: 0 };
        if (!before) return;
        var field = hit.and ? lowestField(hit.and) : hit.worst;
        merged.set(doc, { score: before.score + WEIGHTS[field], tokens: before.tokens + hit.tokens });
      });
      scores = merged;
    });
    var results = [];
    (scores || new Map()).forEach(function (value, doc) { results.push([doc, value.score, value.tokens]); });
    results.sort(function (a, b) { return b[1] - a[1] || b[2] - a[2] || a[0] - b[0]; });
    return results.map(function (r) { return r[0]; });
  }
  function search(query) {
    var segments = parseQuery(query);
    if (!segments.length) return Promise.resolve({ segments: segments, total: 0, docs: [] });
    return load("manifest").then(function (manifest) {
      if (!manifest.chunks.length) return { segments: segments, total: 0, docs: [] };
      var needed = new Set();
      segments.forEach(function (s) {
        s.terms.forEach(function (t) { shardsFor(manifest, Object.assign({}, t)).forEach(function (n) { needed.add(n); }); });
      });
      return Promise.all(Array.from(needed, function (n) { return load("t/" + n); })).then(function () {
        var ranked = rank(manifest, segments), top = ranked.slice(0, MAX_RESULTS), per = manifest.docsPerShard;
        var shards = unique(top.map(function (doc) { return Math.floor(doc / per); }));
        return Promise.all(shards.map(function (s) { return load("d/" + s); })).then(function () {
          var docs = top.map(function (doc) { return loaded["d/" + Math.floor(doc / per)][doc % per]; });
          return { segments: segments, total: ranked.length, docs: docs };
        });
      });
    });
  }
  registry.tokenize = tokenize;
  registry.parseQuery = parseQuery;
  registry.fold = fold;
  registry.isCJK = function (c) { return IS_CJK.test(c); };
  registry.load = load;
  registry.search = search;
})();
