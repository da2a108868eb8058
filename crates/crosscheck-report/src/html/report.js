"use strict";
(function () {
  // One [events, failures] entry per scenario row, in row order.
  var data = JSON.parse(document.getElementById("cc-data").textContent);
  var rows = Array.prototype.slice.call(document.querySelectorAll("#scenario-table tr.row"));
  var byId = {};
  rows.forEach(function (row, i) {
    var d = data[i];
    row._kind = row.cells[2].textContent;
    row._reqs = " " + row.cells[3].textContent.split(", ").join(" ") + " ";
    byId[row.getAttribute("data-id")] = { ev: d[0], fail: d[1] };
  });
  var state = { status: "all", kind: "", req: "", text: "" };
  var shown = document.getElementById("shown");

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  var SVG = "http://www.w3.org/2000/svg";
  function svg(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }

  // A timeline: one lane per actor (the service's requests, each dependency), then
  // every event in time order as a list.
  function timeline(d) {
    var box = el("div", { "class": "tl-box" });
    var lanes = [];
    d.ev.forEach(function (e) { if (e[1] !== "log" && e[1] !== "output" && lanes.indexOf(e[1]) < 0) lanes.push(e[1]); });
    var end = 1;
    d.ev.forEach(function (e) { end = Math.max(end, e[0] + e[3]); });
    var W = 640, left = 90, H = lanes.length * 18 + 18;
    var s = svg("svg", { "class": "lanes", width: W, height: H, viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": "timeline" });
    var x = function (t) { return left + (W - left - 10) * t / end; };
    lanes.forEach(function (lane, i) {
      var t = svg("text", { x: 0, y: i * 18 + 12 });
      t.textContent = lane;
      s.appendChild(t);
    });
    d.ev.forEach(function (e) {
      var i = lanes.indexOf(e[1]);
      if (i < 0) return;
      var r = svg("rect", { "class": e[1] === "sut" ? "req" : "call", x: x(e[0]), y: i * 18 + 3, width: Math.max(3, x(e[0] + e[3]) - x(e[0])), height: 12 });
      var title = svg("title", {});
      title.textContent = "+" + e[0] + " ms " + e[2];
      r.appendChild(title);
      s.appendChild(r);
    });
    var axis = svg("text", { x: left, y: H - 2 });
    axis.textContent = "0 ms";
    s.appendChild(axis);
    var axisEnd = svg("text", { x: W - 60, y: H - 2 });
    axisEnd.textContent = Math.round(end) + " ms";
    s.appendChild(axisEnd);
    box.appendChild(s);
    var table = el("table", { "class": "tl" });
    d.ev.slice().sort(function (a, b) { return a[0] - b[0]; }).forEach(function (e) {
      var tr = el("tr");
      tr.appendChild(el("td", { "class": "t" }, "+" + e[0] + " ms"));
      tr.appendChild(el("td", { "class": "lane" }, e[1]));
      tr.appendChild(el("td", null, e[2] + (e[3] ? " (" + e[3] + " ms)" : "")));
      table.appendChild(tr);
    });
    box.appendChild(table);
    return box;
  }

  function detail(row) {
    var d = byId[row.getAttribute("data-id")];
    var tr = el("tr", { "class": "detail" });
    var td = el("td", { colspan: "6" });
    if (d && d.fail.length) {
      var ul = el("ul", { "class": "fails" });
      d.fail.forEach(function (f) { ul.appendChild(el("li", null, f)); });
      td.appendChild(ul);
    }
    if (d) td.appendChild(timeline(d));
    if (document.getElementById("f-" + row.id.slice(2))) {
      var a = el("a", { href: "#f-" + row.id.slice(2) }, "evidence in Failures");
      td.appendChild(a);
    }
    tr.appendChild(td);
    return tr;
  }

  function toggle(row, open) {
    var next = row.nextElementSibling;
    var isOpen = next && next.classList.contains("detail");
    if (open === undefined) open = !isOpen;
    if (open && !isOpen) row.parentNode.insertBefore(detail(row), row.nextSibling);
    if (!open && isOpen) next.remove();
    row.querySelector("button.open").setAttribute("aria-expanded", open ? "true" : "false");
  }

  // The id and title of a row, lower case, for the search box.
  function text(row) {
    if (row._text === undefined) row._text = row.cells[1].textContent.toLowerCase();
    return row._text;
  }

  function apply() {
    var n = 0;
    rows.forEach(function (row) {
      var ok = (state.status === "all" || row.getAttribute("data-status") === state.status) &&
        (!state.kind || row._kind === state.kind) &&
        (!state.req || row._reqs.indexOf(" " + state.req + " ") >= 0) &&
        (!state.text || text(row).indexOf(state.text) >= 0);
      row.hidden = !ok;
      var next = row.nextElementSibling;
      if (next && next.classList.contains("detail")) next.hidden = !ok;
      if (ok) n++;
    });
    shown.textContent = n + " of " + rows.length + " shown";
  }

  function setStatus(value) {
    state.status = value;
    document.querySelectorAll("button.status-filter").forEach(function (b) {
      b.setAttribute("aria-pressed", b.getAttribute("data-status") === value ? "true" : "false");
    });
    apply();
  }

  function reveal(id) {
    var row = document.getElementById("s-" + id.replace(/[^A-Za-z0-9._-]/g, "_"));
    if (!row) return;
    if (row.hidden) {
      state.kind = state.req = state.text = "";
      document.getElementById("kind-filter").value = "";
      document.getElementById("req-filter").value = "";
      document.getElementById("text-filter").value = "";
      setStatus("all");
    }
    toggle(row, true);
    rows.forEach(function (r) { r.classList.remove("target"); });
    row.classList.add("target");
    row.scrollIntoView({ block: "center" });
  }

  document.querySelectorAll("button.status-filter").forEach(function (b) {
    b.addEventListener("click", function () { setStatus(b.getAttribute("data-status")); });
  });
  document.getElementById("kind-filter").addEventListener("change", function (e) { state.kind = e.target.value; apply(); });
  document.getElementById("req-filter").addEventListener("change", function (e) { state.req = e.target.value; apply(); });
  document.getElementById("text-filter").addEventListener("input", function (e) { state.text = e.target.value.toLowerCase(); apply(); });
  document.getElementById("scenario-table").addEventListener("click", function (e) {
    var b = e.target.closest("button.open");
    if (b) toggle(b.closest("tr.row"));
  });
  document.querySelectorAll("a.req-filter").forEach(function (a) {
    a.addEventListener("click", function () {
      state.req = a.getAttribute("data-req");
      document.getElementById("req-filter").value = state.req;
      apply();
    });
  });
  document.addEventListener("click", function (e) {
    var a = e.target.closest("a.sc");
    if (!a) return;
    e.preventDefault();
    history.replaceState(null, "", a.getAttribute("href"));
    reveal(a.getAttribute("data-open"));
  });
  document.querySelectorAll(".timeline[data-for]").forEach(function (box) {
    var d = byId[box.getAttribute("data-for")];
    if (d) box.appendChild(timeline(d));
  });
  apply();
  if (location.hash.indexOf("#s-") === 0) {
    var row = document.getElementById(location.hash.slice(1));
    if (row) reveal(row.getAttribute("data-id"));
  }
})();
