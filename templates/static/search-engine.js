// Site search engine: the tokenizer and ranking over a sharded index whose files are <script>s loaded on demand,
// so it works from file:// as well as over HTTP. Mirrors src/llmnotes/search.py; the UI is search.js.
(function () {
  "use strict";

  var MAX_RESULTS = 10;
  var MAX_PREFIX_CHUNKS = 8; // a prefix spanning more token shards than this matches exactly instead
  // BM25 per field, summed: title and aliases, tags/authors/venue, headings, summary (bit order), then the body,
  // whose term frequency saturates (K1) and is normalised by its length against the average (B).
  var FIELD_WEIGHTS = [8, 4, 2.5, 2];
  var K1 = 1.2, B = 0.75;
  var PREFIX_FACTOR = 0.8; // a word the typed prefix only starts counts for less than the word itself
  var WHOLE_FACTOR = 2; // a CJK run held whole, against one held only as its bigrams
  var LISTING_FACTOR = 0.3; // section pages and pages of links rank below the notes they list
  var ONCE_IN_BODY = 1;
  var GRAM_BUCKETS = 65536;
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
  // [[doc, value], ...]: value is the fields besides the body (bits) << 4 | how often the body holds the token.
  function postings(text) {
    var values = varints(text), list = [], doc = -1;
    for (var i = 0; i < values.length; i++) {
      var code = values[i];
      doc += Math.floor(code / 2) + 1;
      list.push([doc, code & 1 ? values[++i] : ONCE_IN_BODY]);
    }
    return list;
  }
  function documents(text) {
    var doc = -1;
    return varints(text).map(function (gap) { doc += gap + 1; return doc; });
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

  // ---- The phrase index: every three CJK characters in a row of a document, hashed (crc32) into buckets. ----
  var CRC = [];
  for (var c = 0; c < 256; c++) {
    var r = c;
    for (var k = 0; k < 8; k++) r = r & 1 ? 0xedb88320 ^ (r >>> 1) : r >>> 1;
    CRC.push(r >>> 0);
  }
  var utf8 = new TextEncoder();
  function gramBucket(gram) {
    var bytes = utf8.encode(gram), crc = 0xffffffff;
    for (var i = 0; i < bytes.length; i++) crc = CRC[(crc ^ bytes[i]) & 255] ^ (crc >>> 8);
    return ((crc ^ 0xffffffff) >>> 0) % GRAM_BUCKETS;
  }
  function trigrams(segment) { // the buckets of the trigrams of a CJK run, one per pair of adjacent bigrams
    if (!segment.cjk) return [];
    var list = chars(segment.text), out = [];
    for (var i = 0; i + 2 < list.length; i++) out.push(gramBucket(list[i] + list[i + 1] + list[i + 2]));
    return out;
  }
  function gramFile(manifest, bucket) { return "g/" + Math.floor(bucket / (GRAM_BUCKETS / manifest.grams)); }
  var gramsHeld = null; // the numbers of the trigram files written: a file no document's trigram falls in is not
  function gramFileHeld(manifest, bucket) {
    if (!gramsHeld) gramsHeld = new Set(documents(manifest.gramsHeld));
    return gramsHeld.has(Math.floor(bucket / (GRAM_BUCKETS / manifest.grams)));
  }
  var gramCache = new Map();
  function gramDocs(manifest, bucket) { // the file holds its non-empty buckets' offsets, then their postings
    if (!gramFileHeld(manifest, bucket)) return new Set();
    if (!gramCache.has(bucket)) {
      var data = loaded[gramFile(manifest, bucket)], offsets = documents(data[0]);
      var at = offsets.indexOf(bucket % (GRAM_BUCKETS / manifest.grams));
      gramCache.set(bucket, new Set(at < 0 ? [] : documents(data[1].split(" ")[at])));
    }
    return gramCache.get(bucket);
  }

  // ---- Ranking: BM25 per field, summed over fields and terms. ----
  var statsCache = null;
  function stats(manifest) {
    if (!statsCache) {
      // Documents are numbered by slot (from a hash of their path; most slots are free); "order" holds the
      // documents' slots in the site's order (newest first), "lengths" their length levels in slot order.
      var lengths = [], total = 0, order = varints(manifest.order), places = [];
      order.slice().sort(function (a, b) { return a - b; }).forEach(function (slot, i) {
        lengths[slot] = Math.pow(2, (DIGIT[manifest.lengths.charAt(i)] + 0.5) / 4) - 1;
      });
      order.forEach(function (slot, place) { places[slot] = place; total += lengths[slot]; });
      statsCache = { lengths: lengths, average: Math.max(1, total / Math.max(1, order.length)),
        listings: new Set(manifest.listings), places: places };
    }
    return statsCache;
  }
  function idf(manifest, df) { return Math.log(1 + (manifest.docs - df + 0.5) / (df + 0.5)); }
  // A document's weight for one token: its fields' weights, plus its body's saturated, length-normalised tf.
  function weight(value, length, average) {
    var sum = 0, fields = value >> 4, tf = value & 15;
    for (var f = 0; f < FIELD_WEIGHTS.length; f++) if (fields & (1 << f)) sum += FIELD_WEIGHTS[f];
    if (tf) sum += tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / average));
    return sum;
  }
  // One term → Map(doc → score) over its token, or the best of the tokens it starts when it is a prefix, whose
  // rarity is that of the prefix: how many documents hold any of them.
  function termScores(manifest, term) {
    var docs = new Map(), s = stats(manifest);
    shardsFor(manifest, term).forEach(function (number) {
      var shard = chunk(number);
      var matching = term.prefix
        ? shard.tokens.filter(function (t) { return t.lastIndexOf(term.token, 0) === 0; })
        : (shard.map.has(term.token) ? [term.token] : []);
      matching.forEach(function (token) {
        var exact = token === term.token ? 1 : PREFIX_FACTOR;
        postings(shard.map.get(token)).forEach(function (entry) {
          var score = exact * weight(entry[1], s.lengths[entry[0]], s.average);
          if (score > (docs.get(entry[0]) || 0)) docs.set(entry[0], score);
        });
      });
    });
    var rarity = idf(manifest, docs.size);
    docs.forEach(function (score, doc) { docs.set(doc, score * rarity); });
    return docs;
  }
  // A word segment: every part must match; its score, the parts' summed.
  function wordScores(manifest, segment) {
    var scores = null;
    segment.terms.forEach(function (term) {
      var docs = termScores(manifest, term), next = new Map();
      docs.forEach(function (score, doc) {
        var before = scores ? scores.get(doc) : 0;
        if (before !== undefined) next.set(doc, before + score);
      });
      scores = next;
    });
    return scores;
  }
  // A CJK run: a document matches when its bigrams cover every character of the run; each pair of adjacent
  // bigrams that it holds adjacent (the trigram) raises the score, and the whole run, held whole, doubles it.
  function runScores(manifest, segment) {
    if (segment.terms.length === 1) return wordScores(manifest, segment);
    var byToken = new Map(), scores = new Map(), candidates = new Set();
    segment.terms.forEach(function (term) { byToken.set(term.token, termScores(manifest, term)); });
    var grams = bigrams(segment.text).map(function (gram) { return byToken.get(gram); }); // by position
    var buckets = trigrams(segment);
    byToken.forEach(function (docs) { docs.forEach(function (_, doc) { candidates.add(doc); }); });
    candidates.forEach(function (doc) {
      var sum = 0, held = grams.map(function (docs) { return docs.has(doc); });
      for (var i = 0; i <= grams.length; i++) if (!held[i - 1] && !held[i]) return; // a character uncovered
      byToken.forEach(function (docs) { sum += docs.get(doc) || 0; });
      var adjacent = 0;
      buckets.forEach(function (bucket, i) {
        if (held[i] && held[i + 1] && gramDocs(manifest, bucket).has(doc)) adjacent += 1;
      });
      var whole = adjacent === buckets.length;
      scores.set(doc, sum * (whole ? WHOLE_FACTOR : (1 + adjacent) / (1 + buckets.length)));
    });
    return scores;
  }
  // Documents matching every segment, best first: by summed score, listing pages scaled down, then site order
  // (newest first), the last tie-break.
  function rank(manifest, segments) {
    var scores = null, listings = stats(manifest).listings, places = stats(manifest).places;
    segments.forEach(function (segment) {
      var found = segment.cjk ? runScores(manifest, segment) : wordScores(manifest, segment), next = new Map();
      found.forEach(function (score, doc) {
        var before = scores ? scores.get(doc) : 0;
        if (before !== undefined) next.set(doc, before + score);
      });
      scores = next;
    });
    var results = [];
    (scores || new Map()).forEach(function (score, doc) {
      results.push([doc, listings.has(doc) ? score * LISTING_FACTOR : score]);
    });
    results.sort(function (a, b) { return b[1] - a[1] || places[a[0]] - places[b[0]]; });
    return results.map(function (r) { return r[0]; });
  }
  function search(query) {
    var segments = parseQuery(query);
    if (!segments.length) return Promise.resolve({ segments: segments, total: 0, docs: [] });
    return load("manifest").then(function (manifest) {
      if (!manifest.chunks.length) return { segments: segments, total: 0, docs: [] };
      var needed = new Set();
      segments.forEach(function (s) {
        s.terms.forEach(function (t) {
          shardsFor(manifest, Object.assign({}, t)).forEach(function (n) { needed.add("t/" + n); });
        });
        if (s.terms.length > 1) trigrams(s).forEach(function (b) {
          if (gramFileHeld(manifest, b)) needed.add(gramFile(manifest, b));
        });
      });
      return Promise.all(Array.from(needed, load)).then(function () {
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
