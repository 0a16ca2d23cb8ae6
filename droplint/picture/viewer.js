// droplint graph viewer: pan, zoom, hover, click, search. No libraries, no network.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("dl-data").textContent);
  var stage = document.getElementById("stage");
  var svg = stage.querySelector("svg");
  var tip = document.getElementById("tip");
  var panel = document.getElementById("panel");
  var full = svg.viewBox.baseVal;
  var W = full.width, H = full.height;
  var view = { x: 0, y: 0, s: 1 }; // s: picture units per screen pixel

  svg.removeAttribute("width");
  svg.removeAttribute("height");

  function apply() {
    var r = stage.getBoundingClientRect();
    svg.setAttribute("viewBox", [view.x, view.y, r.width * view.s, r.height * view.s].join(" "));
    if (lazy && !pending) pending = setTimeout(reveal, 80);
  }
  // Large pictures: show the text of the boxes in and around the view, when it is readable.
  var lazy = svg.classList.contains("lazy"), pending = null;
  function reveal() {
    pending = null;
    if (view.s > 3) return;
    var r = stage.getBoundingClientRect();
    var w = r.width * view.s, h = r.height * view.s;
    var x0 = view.x - w / 2, x1 = view.x + 1.5 * w, y0 = view.y - h / 2, y1 = view.y + 1.5 * h;
    Object.keys(data.boxes).forEach(function (d) {
      var a = data.boxes[d].at;
      if (a[0] + a[2] / 2 < x0 || a[0] - a[2] / 2 > x1 || a[1] + a[3] / 2 < y0 || a[1] - a[3] / 2 > y1) return;
      document.getElementById(d).classList.add("shown");
    });
  }
  function fit() {
    var r = stage.getBoundingClientRect();
    view.s = Math.max(W / Math.max(r.width, 1), H / Math.max(r.height, 1)) * 1.02;
    view.x = (W - r.width * view.s) / 2;
    view.y = (H - r.height * view.s) / 2;
    apply();
  }
  function zoom(factor, px, py) {
    var r = stage.getBoundingClientRect();
    if (px === undefined) { px = r.width / 2; py = r.height / 2; }
    var limit = Math.max(W / r.width, H / r.height) * 4;
    var s = Math.min(Math.max(view.s * factor, 0.05), Math.max(limit, 0.05));
    view.x += px * (view.s - s);
    view.y += py * (view.s - s);
    view.s = s;
    apply();
  }
  function focusBox(dom) {
    var b = data.boxes[dom];
    if (!b) return;
    var r = stage.getBoundingClientRect();
    view.s = Math.min(view.s, 1);
    view.x = b.at[0] - (r.width * view.s) / 2;
    view.y = b.at[1] - (r.height * view.s) / 2;
    apply();
    var g = document.getElementById(dom);
    g.classList.add("focus");
    setTimeout(function () { g.classList.remove("focus"); }, 1200);
  }

  // -- pan and zoom --------------------------------------------------------------------
  var drag = null;
  stage.addEventListener("wheel", function (e) {
    e.preventDefault();
    var r = stage.getBoundingClientRect();
    zoom(Math.exp(e.deltaY * 0.0015), e.clientX - r.left, e.clientY - r.top);
  }, { passive: false });
  stage.addEventListener("pointerdown", function (e) {
    drag = { x: e.clientX, y: e.clientY, vx: view.x, vy: view.y, moved: false };
  });
  window.addEventListener("pointermove", function (e) {
    if (!drag) return;
    var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 4) drag.moved = true;
    if (drag.moved) {
      view.x = drag.vx - dx * view.s;
      view.y = drag.vy - dy * view.s;
      apply();
      tip.hidden = true;
    }
  });
  window.addEventListener("pointerup", function (e) {
    var d = drag;
    drag = null;
    if (d && !d.moved) {
      var g = e.target.closest && e.target.closest("g.box");
      if (g) show(g.id); else if (!panel.contains(e.target)) panel.hidden = true;
    }
  });
  window.addEventListener("resize", apply);
  document.getElementById("fit").onclick = fit;
  document.getElementById("zin").onclick = function () { zoom(1 / 1.4); };
  document.getElementById("zout").onclick = function () { zoom(1.4); };
  document.addEventListener("keydown", function (e) {
    if (e.target.tagName === "INPUT") return;
    if (e.key === "+" || e.key === "=") zoom(1 / 1.4);
    else if (e.key === "-") zoom(1.4);
    else if (e.key === "0") fit();
    else if (e.key === "Escape") panel.hidden = true;
    else if (e.key === "/") { e.preventDefault(); search.focus(); }
  });

  // -- hover ---------------------------------------------------------------------------
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function summary(b, into) {
    into.appendChild(el("div", "t", b.title));
    into.appendChild(el("div", "s", b.sub));
    b.lines.forEach(function (l) { into.appendChild(el("div", "l " + l[1], l[0])); });
  }
  stage.addEventListener("mouseover", function (e) {
    var g = e.target.closest && e.target.closest("g.box");
    if (!g || drag) return;
    var b = data.boxes[g.id];
    tip.textContent = "";
    summary(b, tip);
    b.findings.forEach(function (f) {
      tip.appendChild(el("div", "f " + f.severity, f.code + " " + f.name));
    });
    if (b.members.length > 1) tip.appendChild(el("div", "s", b.members.length + " layers: click to list"));
    else if (b.findings.length) tip.appendChild(el("div", "s", "click for the messages and rule pages"));
    tip.hidden = false;
  });
  stage.addEventListener("mousemove", function (e) {
    if (tip.hidden) return;
    var x = e.clientX + 14, y = e.clientY + 14;
    if (x + tip.offsetWidth > window.innerWidth) x = e.clientX - tip.offsetWidth - 10;
    if (y + tip.offsetHeight > window.innerHeight) y = e.clientY - tip.offsetHeight - 10;
    tip.style.left = x + "px";
    tip.style.top = y + "px";
  });
  stage.addEventListener("mouseout", function (e) {
    var g = e.target.closest && e.target.closest("g.box");
    if (g && !(e.relatedTarget && g.contains(e.relatedTarget))) tip.hidden = true;
  });

  // -- click: the panel ----------------------------------------------------------------
  function finding(f) {
    var box = el("div", "finding");
    var head = el("div", "fh");
    head.appendChild(el("span", "sev " + f.severity, f.severity));
    head.appendChild(el("b", "", " " + f.code + " "));
    head.appendChild(document.createTextNode(f.name));
    box.appendChild(head);
    box.appendChild(el("p", "", f.message));
    if (f.related.length) {
      var rel = el("div", "rel", "related: ");
      f.related.forEach(function (r) {
        var a = el(r[1] ? "a" : "span", "", r[0]);
        if (r[1]) { a.href = "#"; a.onclick = function (ev) { ev.preventDefault(); focusBox(r[1]); show(r[1]); }; }
        rel.appendChild(a);
        rel.appendChild(document.createTextNode(" "));
      });
      box.appendChild(rel);
    }
    var page = data.pages[f.code];
    if (page) {
      var more = el("details", "page");
      more.appendChild(el("summary", "", "rule page " + f.code));
      var body = el("div", "md");
      body.innerHTML = page; // droplint's own rule pages, rendered with raw HTML disabled
      more.appendChild(body);
      box.appendChild(more);
    }
    return box;
  }
  function show(dom) {
    var b = data.boxes[dom];
    if (!b) return;
    panel.textContent = "";
    var close = el("button", "close", "\u00d7");
    close.onclick = function () { panel.hidden = true; };
    panel.appendChild(close);
    summary(b, panel);
    b.notes.forEach(function (n) { panel.appendChild(el("div", "note", n)); });
    b.findings.forEach(function (f) { panel.appendChild(finding(f)); });
    if (b.members.length > 1) {
      panel.appendChild(el("h4", "", b.count + " layers"));
      var list = el("ol", "members");
      b.members.forEach(function (m) { list.appendChild(el("li", "", m)); });
      panel.appendChild(list);
    }
    panel.hidden = false;
    panel.scrollTop = 0;
  }
  document.getElementById("model").onclick = function () {
    panel.textContent = "";
    panel.appendChild(el("div", "t", data.path));
    panel.appendChild(el("div", "s", data.header));
    data.model.forEach(function (f) { panel.appendChild(finding(f)); });
    panel.hidden = false;
  };

  // -- search --------------------------------------------------------------------------
  var search = document.getElementById("search");
  var count = document.getElementById("count");
  var hits = [], at = -1;
  search.addEventListener("input", function () {
    var q = search.value.trim().toLowerCase();
    hits.forEach(function (d) { document.getElementById(d).classList.remove("hit"); });
    hits = [];
    at = -1;
    if (q) {
      Object.keys(data.boxes).forEach(function (d) {
        var b = data.boxes[d];
        var text = (b.title + "\n" + b.sub + "\n" + b.members.join("\n")).toLowerCase();
        if (text.indexOf(q) >= 0) hits.push(d);
      });
      hits.forEach(function (d) { document.getElementById(d).classList.add("hit"); });
    }
    count.textContent = q ? hits.length + " found" : "";
  });
  search.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && hits.length) {
      at = (at + 1) % hits.length;
      focusBox(hits[at]);
      count.textContent = at + 1 + " of " + hits.length;
    }
  });

  // A picture too big to read when fitted opens at a readable size on the model's inputs.
  function start() {
    fit();
    if (view.s <= 2.5) return;
    var r = stage.getBoundingClientRect();
    view.s = 1.25;
    if (data.direction === "LR") { view.x = 0; view.y = (H - r.height * view.s) / 2; }
    else { view.y = 0; view.x = (W - r.width * view.s) / 2; }
    apply();
  }

  start();
  if (lazy) { clearTimeout(pending); reveal(); }
  svg.getBoundingClientRect(); // layout now, so the mark below includes it
  document.body.setAttribute("data-script-ms", performance.now().toFixed(1));
  requestAnimationFrame(function () {
    requestAnimationFrame(function () {
      document.body.setAttribute("data-render-ms", performance.now().toFixed(1));
    });
  });
})();
