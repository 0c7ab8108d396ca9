// seoulrec's portal search: the query side of seoulrec/publish/search.py's static index.
// A query word matches a page only when the page has it, or (for a word the index does not
// know) its stem without a particle, or known words of two syllables or more that cover it
// whole. Never a first syllable. Pages whose title holds every word come first, then newest
// first. Filters are index terms too. window.seoulrecSearch(query, filters) is the same search
// for scripts and tests.
(function () {
  "use strict";
  var script = document.currentScript;
  var root = (script && script.dataset.root) || "";
  var PER_PAGE = 10;
  var FACETS = { organ: "@o:", department: "@d:", year: "@y:", field: "@f:", type: "@k:" };
  // Particles and endings a query word may carry (longest first).
  var SUFFIXES = ["에서는", "에서도", "으로는", "에게서", "입니다", "합니다", "에서", "에게", "께서",
    "으로", "부터", "까지", "이다", "하는", "하고", "하여", "에는", "에도", "이나", "이며", "과", "와",
    "을", "를", "이", "가", "은", "는", "의", "에", "로", "도", "만", "님", "들"];
  var meta = null, shards = {}, chunks = {}, decoded = {};

  function get(path) {
    return fetch(root + path).then(function (r) {
      if (!r.ok) { throw new Error(path + ": " + r.status); }
      return r.json();
    });
  }
  function loadMeta() {
    if (!meta) { meta = get("search/meta.json"); }
    return meta;
  }
  function fnv1a(term) {
    var bytes = new TextEncoder().encode(term), h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) { h ^= bytes[i]; h = Math.imul(h, 0x01000193) >>> 0; }
    return h >>> 0;
  }
  function undelta(list) {
    var out = new Array(list.length), n = 0;
    for (var i = 0; i < list.length; i++) { n += list[i]; out[i] = n; }
    return out;
  }
  function union(a, b) {
    var out = [], i = 0, j = 0;
    while (i < a.length || j < b.length) {
      if (j >= b.length || (i < a.length && a[i] < b[j])) { out.push(a[i++]); }
      else if (i >= a.length || b[j] < a[i]) { out.push(b[j++]); }
      else { out.push(a[i++]); j++; }
    }
    return out;
  }
  function intersect(a, b) {
    var out = [], i = 0, j = 0;
    while (i < a.length && j < b.length) {
      if (a[i] < b[j]) { i++; } else if (b[j] < a[i]) { j++; } else { out.push(a[i]); i++; j++; }
    }
    return out;
  }
  // {title: [...], all: [...]} of a term, or null when no page has it.
  function postings(term) {
    return loadMeta().then(function (m) {
      var shard = fnv1a(term) % m.shards;
      if (!shards[shard]) { shards[shard] = get("search/t/" + shard + ".json"); }
      return shards[shard];
    }).then(function (table) {
      if (!Object.prototype.hasOwnProperty.call(table, term)) { return null; }
      if (!decoded[term]) {
        var title = undelta(table[term][0]);
        decoded[term] = { title: title, all: union(title, undelta(table[term][1])) };
      }
      return decoded[term];
    });
  }
  function both(parts) {
    var result = parts[0];
    for (var i = 1; i < parts.length; i++) {
      result = { title: intersect(result.title, parts[i].title), all: intersect(result.all, parts[i].all) };
    }
    return result;
  }
  // Known words of two syllables or more covering `word` whole, fewest parts first.
  function cover(word) {
    var chars = Array.from(word), n = chars.length;
    if (n < 4 || n > 14) { return Promise.resolve(null); }
    var pieces = [];
    for (var i = 0; i < n; i++) {
      for (var j = i + 2; j <= n; j++) {
        if (!(i === 0 && j === n)) { pieces.push([i, j, chars.slice(i, j).join("")]); }
      }
    }
    return Promise.all(pieces.map(function (p) { return postings(p[2]); })).then(function (found) {
      var known = {};
      pieces.forEach(function (p, k) { if (found[k]) { (known[p[0]] = known[p[0]] || []).push([p[1], found[k]]); } });
      var best = new Array(n + 1).fill(null);
      best[0] = [];
      for (var i = 0; i < n; i++) {
        if (!best[i]) { continue; }
        (known[i] || []).forEach(function (e) {
          var path = best[i].concat([e[1]]);
          if (!best[e[0]] || best[e[0]].length > path.length) { best[e[0]] = path; }
        });
      }
      return best[n] ? both(best[n]) : null;
    });
  }
  function resolve(word) {
    return postings(word).then(function (p) {
      if (p) { return p; }
      var stems = SUFFIXES.filter(function (s) {
        return word.length - s.length >= 2 && word.slice(-s.length) === s;
      }).map(function (s) { return word.slice(0, -s.length); });
      return Promise.all(stems.map(postings)).then(function (found) {
        for (var i = 0; i < found.length; i++) { if (found[i]) { return found[i]; } }
        return cover(stems[0] || word);
      });
    });
  }
  function words(query) {
    return query.toLowerCase().split(/[^\p{L}\p{N}_]+/u).filter(function (w) { return Array.from(w).length > 1; });
  }
  // The whole search: {ids (page numbers, in order), count, words, ms}.
  function search(query, filters) {
    var started = performance.now(), ws = words(query);
    var wanted = ws.map(resolve);
    Object.keys(FACETS).forEach(function (k) {
      if (filters && filters[k]) { wanted.push(postings(FACETS[k] + filters[k]).then(function (p) { return p || { title: [], all: [] }; })); }
    });
    if (!ws.length) { return Promise.resolve({ ids: [], count: 0, words: ws, ms: 0 }); }
    return Promise.all(wanted).then(function (found) {
      if (found.some(function (p) { return !p; })) { return { ids: [], count: 0, words: ws, ms: performance.now() - started }; }
      var all = found[0].all, titled = found[0].title;
      for (var i = 1; i < found.length; i++) {
        all = intersect(all, found[i].all);
        // A filter is never in a title: the title rank counts the query words only.
        titled = i < ws.length ? intersect(titled, found[i].title) : titled;
      }
      titled = intersect(titled, all);
      var first = {};
      titled.forEach(function (id) { first[id] = true; });
      var ids = titled.concat(all.filter(function (id) { return !first[id]; }));
      return { ids: ids, count: ids.length, words: ws, ms: performance.now() - started };
    });
  }
  function rows(ids) {
    return loadMeta().then(function (m) {
      return Promise.all(ids.map(function (id) {
        var c = Math.floor(id / m.chunk);
        if (!chunks[c]) { chunks[c] = get("search/d/" + c + ".json"); }
        return chunks[c].then(function (list) { return list[id % m.chunk]; });
      }));
    });
  }
  window.seoulrecSearch = function (query, filters) {
    var started = performance.now();
    return search(query, filters).then(function (r) {
      return rows(r.ids.slice(0, PER_PAGE)).then(function (first) {
        r.results = first.map(function (row) {
          return { url: row[0], title: row[1], department: row[2], date: row[3], class: row[4], organ: row[5], excerpt: row[6] };
        });
        r.total_ms = performance.now() - started;  // first results shown: search and rows
        return r;
      });
    });
  };
  window.seoulrecAll = function (query, filters) {  // every result's address (tests)
    return search(query, filters).then(function (r) {
      return rows(r.ids).then(function (all) { return all.map(function (row) { return row[0]; }); });
    });
  };

  // -- the page ------------------------------------------------------------------------------
  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function marked(text, ws) {
    var html = esc(text);
    ws.forEach(function (w) {
      var e = esc(w).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      if (e) { html = html.replace(new RegExp(e, "gi"), function (m) { return "<mark>" + m + "</mark>"; }); }
    });
    return html;
  }
  var form = document.getElementById("search");
  if (!form) { return; }
  var input = document.getElementById("q"), status = document.getElementById("search-status");
  var list = document.getElementById("search-results"), pager = document.getElementById("search-pages");
  var current = null;

  function filters() {
    var f = {};
    Object.keys(FACETS).forEach(function (k) { var v = document.getElementById("f-" + k).value; if (v) { f[k] = v; } });
    return f;
  }
  function show(page) {
    var r = current, start = page * PER_PAGE;
    return rows(r.ids.slice(start, start + PER_PAGE)).then(function (found) {
      list.innerHTML = found.map(function (row) {
        return '<li><a href="' + esc(row[0]) + '">' + marked(row[1], r.words) + "</a>" +
          '<p class="meta">' + esc([row[5], row[2], row[3] || "일자 미상", row[4]].filter(Boolean).join(" · ")) + "</p>" +
          '<p class="excerpt">' + marked(row[6] || "", r.words) + "</p></li>";
      }).join("");
      list.setAttribute("start", String(start + 1));
      var pages = Math.ceil(r.count / PER_PAGE);
      pager.innerHTML = pages > 1
        ? (page > 0 ? '<button type="button" data-page="' + (page - 1) + '">이전</button>' : "") +
          "<span>" + (page + 1) + " / " + pages + " 쪽</span> " +
          (page + 1 < pages ? '<button type="button" data-page="' + (page + 1) + '">다음</button>' : "")
        : "";
    });
  }
  function run(page, push) {
    var q = input.value.trim(), f = filters();
    var params = new URLSearchParams();
    if (q) { params.set("q", q); }
    Object.keys(f).forEach(function (k) { params.set(k, f[k]); });
    if (page) { params.set("page", String(page + 1)); }
    if (push) { history.replaceState(null, "", (params.toString() ? "?" + params : location.pathname)); }
    if (!q) { status.textContent = ""; list.innerHTML = ""; pager.innerHTML = ""; return Promise.resolve(); }
    if (!words(q).length) { status.textContent = "두 글자 이상의 검색어를 입력하세요."; list.innerHTML = ""; pager.innerHTML = ""; return Promise.resolve(); }
    status.textContent = "검색 중…";
    return search(q, f).then(function (r) {
      current = r;
      status.textContent = r.count ? "‘" + q + "’ 검색 결과 " + r.count.toLocaleString("ko-KR") + "건" : "‘" + q + "’에 맞는 문서가 없습니다.";
      return show(Math.min(page, Math.max(0, Math.ceil(r.count / PER_PAGE) - 1)));
    }).catch(function (e) { status.textContent = "검색 색인을 읽지 못했습니다: " + e.message; });
  }
  form.addEventListener("submit", function (e) { e.preventDefault(); run(0, true); });
  Object.keys(FACETS).forEach(function (k) {
    document.getElementById("f-" + k).addEventListener("change", function () { run(0, true); });
  });
  pager.addEventListener("click", function (e) {
    var page = e.target.getAttribute && e.target.getAttribute("data-page");
    if (page !== null && page !== undefined) { run(Number(page), true).then(function () { status.focus && list.scrollIntoView(); }); }
  });
  loadMeta().then(function (m) {
    var params = new URLSearchParams(location.search);
    Object.keys(FACETS).forEach(function (k) {
      var select = document.getElementById("f-" + k);
      (m.facets[k] || []).forEach(function (vc) {
        var o = document.createElement("option");
        o.value = vc[0]; o.textContent = vc[0] + " (" + vc[1].toLocaleString("ko-KR") + ")";
        select.appendChild(o);
      });
      if (params.get(k)) { select.value = params.get(k); }
    });
    if (params.get("q")) {
      input.value = params.get("q");
      run(Math.max(0, (Number(params.get("page")) || 1) - 1), false);
    }
  });
})();
