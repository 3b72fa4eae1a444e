// The backprop explorer's page (autograd_mini/explorer.py writes it inline into each page).
// Every number and equation comes from Python, in the page's JSON: this script only decides
// what is shown when. Text from the data is always put in as text (textContent), never as markup.
"use strict";
var AGExplorer = (function () {
  var sections = [];  // other parts of a page (nn's training view) register here: {key, build}

  function h(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k.slice(0, 2) === "on") node.addEventListener(k.slice(2), attrs[k]);
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }
  function num(x) { return typeof x === "string" ? Number(x === "nan" ? NaN : x === "inf" ? Infinity : -Infinity) : x; }
  function wrap(f) { return f.indexOf(" ") >= 0 ? "(" + f + ")" : f; }
  function svgOf(text) {
    var doc = new DOMParser().parseFromString(text, "image/svg+xml");
    return document.importNode(doc.documentElement, true);
  }

  // -- pan and zoom of one drawing ------------------------------------------------------------------
  function PanZoom(canvas, stage) {
    var s = 1, x = 0, y = 0, drag = null, self = this;
    this.moved = false;
    function apply() { stage.style.transform = "translate(" + x + "px," + y + "px) scale(" + s + ")"; }
    this.zoom = function (factor, cx, cy) {
      var r = canvas.getBoundingClientRect();
      if (cx === undefined) { cx = r.width / 2; cy = r.height / 2; }
      var n = Math.min(8, Math.max(0.05, s * factor));
      x = cx - (cx - x) * (n / s); y = cy - (cy - y) * (n / s); s = n; apply();
    };
    this.fit = function (box) {  // box: {x, y, w, h} in the stage's unscaled pixels (default: all)
      var r = canvas.getBoundingClientRect();
      if (!box) box = { x: 0, y: 0, w: stage.scrollWidth, h: stage.scrollHeight };
      if (!box.w || !box.h || !r.width) return;
      s = Math.min(1.5, Math.max(0.05, Math.min((r.width - 20) / box.w, (r.height - 20) / box.h)));
      x = (r.width - box.w * s) / 2 - box.x * s; y = (r.height - box.h * s) / 2 - box.y * s; apply();
    };
    this.boxOf = function (elements) {  // the stage-pixel box around some elements of the drawing
      var base = stage.getBoundingClientRect(), x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      elements.forEach(function (e) {
        var b = e.getBoundingClientRect();
        x0 = Math.min(x0, b.left); y0 = Math.min(y0, b.top); x1 = Math.max(x1, b.right); y1 = Math.max(y1, b.bottom);
      });
      if (x0 === Infinity) return null;
      return { x: (x0 - base.left) / s - 20, y: (y0 - base.top) / s - 20, w: (x1 - x0) / s + 40, h: (y1 - y0) / s + 40 };
    };
    function active() { return canvas.contains(stage); }  // views share the canvas: the one shown moves
    canvas.addEventListener("wheel", function (e) {
      if (!active()) return;
      e.preventDefault();
      var r = canvas.getBoundingClientRect();
      self.zoom(Math.exp(-e.deltaY * 0.0015), e.clientX - r.left, e.clientY - r.top);
    }, { passive: false });
    canvas.addEventListener("pointerdown", function (e) {
      if (!active()) return;
      drag = { px: e.clientX, py: e.clientY, x: x, y: y }; self.moved = false;
    });
    window.addEventListener("pointermove", function (e) {
      if (!drag) return;
      var dx = e.clientX - drag.px, dy = e.clientY - drag.py;
      if (Math.abs(dx) + Math.abs(dy) > 4) self.moved = true;
      if (self.moved) { x = drag.x + dx; y = drag.y + dy; apply(); }
    });
    window.addEventListener("pointerup", function () { drag = null; });
    apply();
  }

  // -- the graph: stepping, equations, details, quiz -------------------------------------------------
  function buildGraph(host, g) {
    var N = g.nodes.length, nodes = g.nodes;
    var dataKnown = new Uint8Array(N), gradKnown = new Uint8Array(N), revealed = new Uint8Array(N);
    var history = [], current = null, pinned = null, quiz = false, timer = null, focus = [];
    nodes.forEach(function (n, i) { if (!n.in) dataKnown[i] = 1; });
    var views = g.views.map(function (v) { return { spec: v, svg: null, nodes: {}, spans: {}, ops: {}, edges: [], par: {}, kid: {} }; });
    var view = 0;

    var bar = h("div", { class: "ag-toolbar" });
    function button(label, id, title, onclick) {
      var b = h("button", { type: "button", "data-testid": id, title: title, text: label, onclick: onclick });
      bar.appendChild(b);
      return b;
    }
    var bUndo = button("↶ undo", "undo", "undo the last step (←)", function () { stop(); undo(); });
    var bFwd = button("forward ▸", "step-forward", "next node of the forward pass: its data", function () { stop(); forward(); });
    var bBwd = button("◂ backward", "step-backward", "next node of the backward pass: its grad", function () { stop(); backward(); });
    var bPlay = button("▶ play", "play", "play every step (space)", function () { timer ? stop() : play(); });
    button("reset", "reset", "back to the start", function () { stop(); reset(); });
    var bQuiz = button("quiz: off", "quiz-toggle", "hide the grads: you compute each one", function () {
      quiz = !quiz; bQuiz.textContent = "quiz: " + (quiz ? "on" : "off"); bQuiz.classList.toggle("on", quiz); render();
    });
    var boxView = {}, main = [];  // a box's own view, by the box's node; the views with a button
    views.forEach(function (v, i) { if (v.spec.kind === "box") boxView[v.spec.box] = i; else main.push(i); });
    var viewButtons = views.map(function (v, i) {
      if (main.length < 2 && !Object.keys(boxView).length || v.spec.kind === "box") return null;
      return button(v.spec.kind === "neurons" ? "neurons" : "every op", "view-" + v.spec.kind,
        v.spec.kind === "neurons" ? "one box per neuron" : "every op of the graph", function () { show(i); });
    });
    var inside = h("span", { class: "ag-inside", "data-testid": "inside" });
    bar.appendChild(inside);
    button("−", "zoom-out", "zoom out", function () { pz().zoom(1 / 1.25); });
    button("fit", "zoom-fit", "fit the drawing", function () { pz().fit(); });
    button("+", "zoom-in", "zoom in", function () { pz().zoom(1.25); });
    var status = h("span", { class: "ag-status", "data-testid": "status" });
    bar.appendChild(status);

    var canvas = h("div", { class: "ag-canvas", "data-testid": "canvas" });
    var equation = h("div", { class: "ag-equation", "data-testid": "equation" });
    var answer = h("input", { type: "text", "data-testid": "quiz-answer", placeholder: "the grad", autocomplete: "off" });
    var feedback = h("div", { class: "ag-feedback", "data-testid": "quiz-feedback" });
    var quizBox = h("form", { class: "ag-quiz", onsubmit: function (e) { e.preventDefault(); check(); } }, [
      answer, h("button", { type: "submit", "data-testid": "quiz-submit", text: "check" }),
      h("button", { type: "button", "data-testid": "quiz-reveal", text: "show", onclick: function () { reveal(); } }),
      feedback]);
    var details = h("div", { class: "ag-details", "data-testid": "details" });
    var note = g.full ? h("p", { class: "ag-note", text: "Boxes only: " + g.full + "." }) : null;
    var side = h("aside", { class: "ag-side" }, [h("h3", { text: "Step" }), equation, quizBox, h("h3", { text: "Node" }), details, note]);
    host.appendChild(h("section", { class: "ag-graph" }, [bar, h("div", { class: "ag-main" }, [canvas, side]),
      h("p", { class: "ag-help", text: "→ next step (forward pass, then backward pass) · ← undo · space play/pause · "
        + "drag to pan, wheel to zoom · hover or click a node for its details" + (Object.keys(boxView).length ? "; click a box to see its ops, and the box again to go back" : "") })]));

    function pz() { return views[view].pz; }
    function name(i) { return nodes[i].n; }

    function load(i) {  // put a view's drawing into the page, on first use
      var v = views[i];
      if (v.svg) return v;
      var stage = h("div", { class: "ag-stage" });
      v.svg = svgOf(typeof v.spec.svg === "number" ? document.getElementById(host.id + "-svg" + v.spec.svg).textContent : v.spec.svg);
      var vb = v.svg.viewBox.baseVal;
      if (vb && vb.width) { v.svg.setAttribute("width", vb.width); v.svg.setAttribute("height", vb.height); }
      stage.appendChild(v.svg);
      v.stage = stage;
      v.pz = new PanZoom(canvas, stage);
      v.svg.querySelectorAll("g.node").forEach(function (el) {
        var t = el.querySelector("title").textContent, op = /op$/.test(t);
        var gi = v.spec.names[Number(t.replace(/^v|op$/g, ""))];
        el.removeAttribute("id");
        if (op) { el.setAttribute("data-op", "v" + gi); v.ops[gi] = el; return; }
        el.setAttribute("data-node", "v" + gi);
        v.nodes[gi] = el;
        var texts = el.querySelectorAll("text"), box = v.spec.boxes && v.spec.boxes[gi], last = texts.length - (box ? 2 : 1);
        v.spans[gi] = [["data", last - 1], ["grad", last]].map(function (p) {
          var t2 = texts[p[1]], span = document.createElementNS("http://www.w3.org/2000/svg", "tspan");
          if (!t2) return null;
          t2.textContent = p[0] + " ";
          span.setAttribute("data-testid", p[0]);
          return t2.appendChild(span);
        });
        el.addEventListener("mouseenter", function () { if (pinned === null) describe(gi); });
        el.addEventListener("click", function () {
          if (v.pz.moved) return;
          pinned = pinned === gi ? null : gi; describe(gi);
          var target = v.spec.kind === "box" && v.spec.box === gi ? main[0] : boxView[gi];
          if (target !== undefined && target !== view) { pinned = null; show(target); describe(gi); }
        });
      });
      v.svg.querySelectorAll("g.edge").forEach(function (el) {
        var t = el.querySelector("title").textContent.split("->");
        el.removeAttribute("id");
        var end = function (s) { return v.spec.names[Number(s.replace(/^v|op$/g, ""))]; };
        var e = { el: el, from: end(t[0]), to: end(t[1]), fromOp: /op$/.test(t[0]), label: el.querySelector("text") };
        v.edges.push(e);
        if (!e.fromOp) { (v.par[e.to] = v.par[e.to] || []).push(e.from); (v.kid[e.from] = v.kid[e.from] || []).push(e.to); }
      });
      v.svg.querySelectorAll("title").forEach(function (t) { t.remove(); });  // the details panel says more
      return v;
    }

    function show(i) {
      var v = load(i), first = !canvas.contains(v.stage);
      canvas.textContent = "";
      canvas.appendChild(v.stage);
      view = i;
      viewButtons.forEach(function (b, k) { if (b) b.classList.toggle("on", k === i); });
      inside.textContent = v.spec.kind === "box" ? "inside " + name(v.spec.box) + " (click it to go back)" : "";
      if (first && !v.fitted) { v.pz.fit(); v.fitted = true; }
      render();
      return v;
    }

    // -- the steps ------------------------------------------------------------------------------------
    function forwardLeft(v) { return v.spec.fwd.filter(function (i) { return !dataKnown[i]; }); }
    function backwardLeft(v) { return v.spec.bwd.filter(function (i) { return !gradKnown[i]; }); }
    function waiting(v) {  // what the next step of this view waits for, from another view (or null)
      var f = forwardLeft(v);
      if (f.length) return (v.par[f[0]] || []).filter(function (k) { return !dataKnown[k]; })[0];
      var b = backwardLeft(v);
      if (b.length) return (v.kid[b[0]] || []).filter(function (k) { return !gradKnown[k]; })[0];
    }
    function forward() {
      var v = views[view], left = forwardLeft(v);
      if (!left.length || waiting(v) !== undefined) return false;
      var i = left[0], box = v.spec.boxes && v.spec.boxes[i], marked = box ? box.hide.filter(function (k) { return !dataKnown[k]; }) : [i];
      marked.forEach(function (k) { dataKnown[k] = 1; });
      history.push({ kind: "fwd", node: i, view: view, marked: marked });
      current = history[history.length - 1];
      render();
      return true;
    }
    function backward() {
      var v = views[view], i = backwardLeft(v)[0];
      if (forwardLeft(v).length || i === undefined || waiting(v) !== undefined) return false;
      gradKnown[i] = 1;
      if (v.spec.back[i].seed) revealed[i] = 1;  // the output's grad is given: 1
      history.push({ kind: "bwd", node: i, view: view, marked: [i] });
      current = history[history.length - 1];
      feedback.textContent = ""; feedback.className = "ag-feedback"; answer.value = "";
      render();
      if (quiz) answer.focus();
      return true;
    }
    function next() { return forward() || backward(); }
    function undo() {
      var step = history.pop();
      if (!step) return;
      step.marked.forEach(function (k) { if (step.kind === "fwd") dataKnown[k] = 0; else { gradKnown[k] = 0; revealed[k] = 0; } });
      current = history[history.length - 1] || null;
      render();
    }
    function reset() {
      history = []; current = null; focus = [];
      nodes.forEach(function (n, i) { dataKnown[i] = n.in ? 0 : 1; gradKnown[i] = 0; revealed[i] = 0; });
      feedback.textContent = ""; render();
    }
    function play() {
      bPlay.textContent = "⏸ pause";
      timer = setInterval(function () { if (!next()) stop(); }, 600);
    }
    function stop() { if (timer) clearInterval(timer); timer = null; bPlay.textContent = "▶ play"; }
    function hidden(i) { return quiz && !revealed[i]; }

    // -- equations -------------------------------------------------------------------------------------
    function backTerms(step) { return views[step.view].spec.back[step.node]; }
    function termText(b, i, withResult) {
      return b.t.map(function (t) {
        var line = name(i) + ".grad += " + wrap(t[1]) + " × " + name(t[0]) + ".grad = " + t[2] + " × " + t[3];
        return withResult && b.t.length > 1 ? line + " = " + t[4] : line;
      });
    }
    function equationLines(step) {
      var i = step.node;
      if (step.kind === "fwd") {
        var box = views[step.view].spec.boxes && views[step.view].spec.boxes[i];
        return [box ? box.fw : nodes[i].fw];
      }
      var b = backTerms(step);
      if (b.seed) return [name(i) + ".grad = 1   (the output: d" + name(i) + "/d" + name(i) + " = 1)"];
      if (!b.t.length) return [name(i) + ".grad = 0   (nothing drawn uses it)"];
      var lines = termText(b, i, true);
      if (b.t.length === 1 && !b.more) lines[0] += " = " + b.sum;
      else lines.push(name(i) + ".grad = " + b.t.map(function (t) { return t[4]; }).join(" + ")
        + (b.more ? " + … (" + b.more + " more terms)" : "") + " = " + b.sum);
      if (b.note) lines.push("(" + b.note + ")");
      return lines;
    }
    function showEquation() {
      equation.textContent = "";
      quizBox.hidden = true;
      if (!current) {
        equation.appendChild(h("p", { class: "ag-hint", text: "Press → (or forward ▸) to run the forward pass one node at a time, then ◂ backward for the chain rule." }));
        return;
      }
      var i = current.node, asking = current.kind === "bwd" && hidden(i) && !backTerms(current).seed;
      equation.appendChild(h("p", { class: "ag-what", text: (current.kind === "fwd" ? "forward: " : "backward: ") + name(i) }));
      if (asking) {
        equation.appendChild(h("p", { text: "What is " + name(i) + ".grad? Add, over each edge out of " + name(i) + ", its local derivative × the grad it leads to." }));
        quizBox.hidden = false;
        return;
      }
      equationLines(current).forEach(function (line) { equation.appendChild(h("div", { class: "ag-line", text: line })); });
    }

    function check() {
      if (!current || current.kind !== "bwd") return;
      var i = current.node, b = backTerms(current), want = num(nodes[i].x), got = Number(answer.value.replace("−", "-"));
      var approx = b.more ? want : b.t.reduce(function (s, t) { return s + Number(t[2]) * Number(t[3]); }, 0);
      var close = function (a, w) { return Math.abs(a - w) <= 1e-4 * Math.max(Math.abs(w), 1); };
      if (answer.value.trim() !== "" && isFinite(got) && (close(got, want) || close(got, approx))) {
        revealed[i] = 1;
        render();
        feedback.textContent = "Right: " + name(i) + ".grad = " + b.sum;
        feedback.className = "ag-feedback ok";
        return;
      }
      feedback.className = "ag-feedback wrong";
      feedback.textContent = "";
      feedback.appendChild(h("div", { text: "Not quite. Add these terms:" }));
      termText(b, i, false).forEach(function (line) { feedback.appendChild(h("div", { class: "ag-line", text: line.replace(/^.*?\+= /, "") })); });
      if (b.more) feedback.appendChild(h("div", { text: "… and " + b.more + " more" }));
    }
    function reveal() { if (current) { revealed[current.node] = 1; render(); } }

    // -- what each node shows --------------------------------------------------------------------------
    function describe(i) {
      var n = nodes[i], v = views[view], box = v.spec.boxes && v.spec.boxes[i];
      details.textContent = "";
      var rows = [["node", n.n + (n.l && n.l !== n.n ? " (" + n.l + ")" : "") + "  [" + ({ out: "output", param: "parameter", input: "input", value: "result of an op" })[n.k] + "]"],
        ["data", dataKnown[i] ? n.d : "? (not computed yet)"],
        ["grad", gradKnown[i] && !hidden(i) ? n.g : "?"]];
      if (box) rows.push(["box", "hides " + box.s]);
      if (n.op) rows.push(["op", n.op]);
      if (n.rule && !box) rows.push(["rule", n.rule]);
      if (n.doc && !box) rows.push(["table", n.doc]);
      rows.forEach(function (r) { details.appendChild(h("div", { class: "ag-row" }, [h("b", { text: r[0] }), h("span", { text: r[1] })])); });
      var inputs = box ? box.in : n.in;
      if (inputs && inputs.length) {
        details.appendChild(h("div", { class: "ag-sub", text: "local derivative on each input edge" + (box ? " (through the box's ops)" : "") }));
        inputs.slice(0, 40).forEach(function (e) {
          var text = (box ? e[1] : "∂" + n.n + "/∂" + name(e[0]) + " = " + e[1]) + " = " + (dataKnown[i] ? e[2] : "?");
          details.appendChild(h("div", { class: "ag-line", text: text }));
        });
        if (inputs.length > 40) details.appendChild(h("div", { text: "… and " + (inputs.length - 40) + " more" }));
      }
      if (boxView[i] !== undefined && view !== boxView[i]) details.appendChild(h("p", { class: "ag-hint", text: "Click the box to see its ops." }));
    }

    function render() {
      var v = views[view], step = current, lit = {}, hot = {}, opHot = {}, kids = {}, focused = {};
      if (step) {
        hot[step.node] = "cur";
        v.edges.forEach(function (e, k) {
          if (step.kind === "fwd" && e.to === step.node) {
            lit[k] = 1;
            opHot[e.to] = "cur";
            if (!e.fromOp && e.from !== step.node) hot[e.from] = hot[e.from] || "up";
          } else if (step.kind === "bwd" && !e.fromOp && e.from === step.node) {
            lit[k] = 1;
            kids[e.to] = 1;
            opHot[e.to] = "up";
            if (e.to !== step.node) hot[e.to] = hot[e.to] || "up";
          }
        });
        if (step.kind === "bwd") v.edges.forEach(function (e, k) { if (e.fromOp && kids[e.to]) lit[k] = 1; });
      }
      focus.forEach(function (k) { focused[k] = 1; });
      Object.keys(v.nodes).forEach(function (k) {
        var el = v.nodes[k], i = Number(k), da = v.spans[k][0], gr = v.spans[k][1];
        if (da) da.textContent = dataKnown[i] ? nodes[i].d : "?";
        if (gr) gr.textContent = gradKnown[i] && !hidden(i) ? nodes[i].g : "?";
        el.setAttribute("class", "node" + (hot[i] ? " ag-" + hot[i] : "") + (focused[i] ? " ag-focus" : "")
          + (gradKnown[i] ? " ag-done" : dataKnown[i] ? " ag-fwd" : ""));
      });
      Object.keys(v.ops).forEach(function (k) {
        v.ops[k].setAttribute("class", "node ag-op" + (opHot[k] ? " ag-" + opHot[k] : "") + (focused[k] ? " ag-focus" : ""));
      });
      v.edges.forEach(function (e, k) {
        e.el.setAttribute("class", "edge" + (lit[k] ? " ag-lit" : ""));
        if (e.label) e.label.style.visibility = dataKnown[e.to] ? "visible" : "hidden";
      });
      var fl = forwardLeft(v).length, bl = backwardLeft(v).length, wait = waiting(v);
      bFwd.disabled = !fl || wait !== undefined; bBwd.disabled = !!fl || !bl || wait !== undefined; bUndo.disabled = !history.length;
      status.textContent = (fl ? "forward pass: " + (v.spec.fwd.length - fl) + " of " + v.spec.fwd.length
        : bl ? "backward pass: " + (v.spec.bwd.length - bl) + " of " + v.spec.bwd.length : "done: every grad is in")
        + (wait !== undefined ? " (waiting for " + name(wait) + (fl ? "'s data" : "'s grad") + ": step the view that shows it)" : "");
      showEquation();
      if (pinned !== null) describe(pinned);
    }

    document.addEventListener("keydown", keys);
    function keys(e) {
      var t = e.target || {};  // keys typed into a field, or moving a slider, are theirs
      if (/TEXTAREA|SELECT/.test(t.tagName) || (t.tagName === "INPUT" && t.type !== "checkbox")) return;
      if (e.key === " " && /BUTTON|INPUT/.test(t.tagName)) return;
      if (e.key === "ArrowRight") { stop(); next(); }
      else if (e.key === "ArrowLeft") { stop(); undo(); }
      else if (e.key === " ") { timer ? stop() : play(); }
      else return;
      e.preventDefault();
    }
    show(0);
    host.agGraph = { next: next, undo: undo, forward: forward, backward: backward, show: show };
  }

  sections.push({ key: "graph", build: buildGraph });

  function start() {
    document.querySelectorAll(".ag-explorer").forEach(function (host) {
      if (host.dataset.ready) return;
      var data = JSON.parse(document.getElementById(host.id + "-data").textContent);
      var title = h("h1", { text: host.dataset.title });
      host.appendChild(title);
      sections.slice().sort(function (a, b) { return a.key === "graph" ? 1 : b.key === "graph" ? -1 : 0; })
        .forEach(function (s) { if (data[s.key]) s.build(host, data[s.key], data); });
      host.dataset.ready = "1";
    });
  }
  return { sections: sections, start: start, h: h, num: num, PanZoom: PanZoom, svgOf: svgOf };
})();
