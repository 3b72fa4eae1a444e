// The training view of python -m nn's out/explorer.html (nn/explorer.py writes it inline, after
// autograd_mini's _explorer.js): curves, and at the slider's step the decision boundary and the
// network, both from the weights recorded at that step.
"use strict";
AGExplorer.sections.push({ key: "training", build: function (host, t) {
  var h = AGExplorer.h, NS = "http://www.w3.org/2000/svg";
  function s(tag, attrs, parent) {
    var node = document.createElementNS(NS, tag);
    Object.keys(attrs).forEach(function (k) { if (k === "text") node.textContent = attrs[k]; else node.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(node);
    return node;
  }
  var COLOURS = ["#3b6fd1", "#d1453b", "#2e9e5b", "#9c5bd1", "#d19a2e", "#2eb8c4", "#777777"];
  var LIGHT = COLOURS.map(function (c) {  // each colour at 30% on white: cells that do not overlap in tone
    return "rgb(" + [1, 3, 5].map(function (i) { return Math.round(0.3 * parseInt(c.slice(i, i + 2), 16) + 0.7 * 255); }).join(",") + ")";
  });
  var snaps = t.snapshots, last = snaps.length - 1;

  // the model's outputs at (x, y) with a snapshot's weights: the forward pass of nn's MLP
  function outputs(snap, x, y) {
    var a = [x, y];
    snap.w.forEach(function (layer, li) {
      var act = t.activations[li];
      a = layer.map(function (n) {
        var z = n[n.length - 1];
        for (var k = 0; k < a.length; k++) z += n[k] * a[k];
        return act === "relu" ? Math.max(z, 0) : act === "tanh" ? Math.tanh(z) : act === "sigmoid" ? 0.5 * (1 + Math.tanh(0.5 * z)) : z;
      });
    });
    return a;
  }
  function decide(out) {
    if (out.length === 1) return out[0] > t.threshold ? 1 : 0;
    var best = 0;
    out.forEach(function (o, k) { if (o > out[best]) best = k; });
    return best;
  }

  // -- the curves ---------------------------------------------------------------------------------
  var W = 400, H = 230, L = 44, R = 44, T = 14, B = 30;
  var curves = s("svg", { width: W, height: H, class: "ag-curves", "data-testid": "curves" });
  var top = Math.max.apply(null, t.loss.filter(isFinite).concat([1e-9])), n = t.loss.length;
  function px(i) { return L + (W - L - R) * (n > 1 ? i / (n - 1) : 0); }
  function line(values, scale, colour) {
    s("polyline", { fill: "none", stroke: colour, "stroke-width": 1.6,
      points: values.map(function (v, i) { return px(i).toFixed(1) + "," + (T + (H - T - B) * (1 - v / scale)).toFixed(1); }).join(" ") }, curves);
  }
  s("rect", { x: L, y: T, width: W - L - R, height: H - T - B, fill: "#fafafa", stroke: "#ccc" }, curves);
  line(t.loss, top, "#d1453b");
  line(t.accuracy, 1, "#3b6fd1");
  s("text", { x: L - 4, y: T + 10, "text-anchor": "end", fill: "#d1453b", text: top.toPrecision(2) }, curves);
  s("text", { x: L - 4, y: H - B, "text-anchor": "end", fill: "#d1453b", text: "0" }, curves);
  s("text", { x: W - R + 4, y: T + 10, fill: "#3b6fd1", text: "100%" }, curves);
  s("text", { x: W - R + 4, y: H - B, fill: "#3b6fd1", text: "0%" }, curves);
  s("text", { x: L, y: H - 8, fill: "#555", text: "step 1" }, curves);
  s("text", { x: W - R, y: H - 8, "text-anchor": "end", fill: "#555", text: "step " + n }, curves);
  s("text", { x: W / 2, y: H - 8, "text-anchor": "middle", text: "loss (red), train accuracy (blue)" }, curves);
  var marker = s("line", { y1: T, y2: H - B, stroke: "#333", "stroke-dasharray": "3,3" }, curves);

  // -- the decision boundary ----------------------------------------------------------------------
  var SIZE = 240, CELLS = 60;
  var canvas = h("canvas", { width: SIZE, height: SIZE, class: "ag-boundary", "data-testid": "boundary" });
  var xs = t.points.map(function (p) { return p[0]; }), ys = t.points.map(function (p) { return p[1]; });
  var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs), y0 = Math.min.apply(null, ys), y1 = Math.max.apply(null, ys);
  var padX = 0.25 * (x1 - x0) + 0.1, padY = 0.25 * (y1 - y0) + 0.1;
  x0 -= padX; x1 += padX; y0 -= padY; y1 += padY;
  function boundary(snap) {
    var c = canvas.getContext("2d"), cell = SIZE / CELLS;
    c.clearRect(0, 0, SIZE, SIZE);
    for (var i = 0; i < CELLS; i++) {
      for (var j = 0; j < CELLS; j++) {
        var x = x0 + (x1 - x0) * (i + 0.5) / CELLS, y = y1 - (y1 - y0) * (j + 0.5) / CELLS;
        c.fillStyle = LIGHT[decide(outputs(snap, x, y)) % COLOURS.length];
        c.fillRect(i * cell, j * cell, cell + 0.5, cell + 0.5);
      }
    }
    t.points.forEach(function (p, k) {
      c.beginPath();
      c.arc((p[0] - x0) / (x1 - x0) * SIZE, (y1 - p[1]) / (y1 - y0) * SIZE, 3.2, 0, 2 * Math.PI);
      c.fillStyle = COLOURS[t.labels[k] % COLOURS.length];
      c.fill();
      c.strokeStyle = "#222"; c.lineWidth = 0.6; c.stroke();
    });
  }

  // -- the network --------------------------------------------------------------------------------
  var NW = 430, NH = 240;
  var net = s("svg", { width: NW, height: NH, class: "ag-network", "data-testid": "network" });
  var cols = t.sizes.length, pos = t.sizes.map(function (size, li) {
    var out = [];
    for (var k = 0; k < size; k++) out.push([20 + (NW - 40) * li / (cols - 1), NH / 2 + (k - (size - 1) / 2) * Math.min(14, (NH - 20) / size)]);
    return out;
  });
  var edges = [];
  t.sizes.slice(1).forEach(function (size, li) {
    for (var j = 0; j < size; j++) {
      for (var k = 0; k < t.sizes[li]; k++) {
        var e = s("line", { x1: pos[li][k][0], y1: pos[li][k][1], x2: pos[li + 1][j][0], y2: pos[li + 1][j][1] }, net);
        edges.push({ el: e, tip: s("title", {}, e), li: li, j: j, k: k });
      }
    }
  });
  var dots = [];
  pos.forEach(function (col, li) { col.forEach(function (p, k) {
    var c = s("circle", { cx: p[0], cy: p[1], r: 4.5, fill: li === 0 ? "#bbdefb" : "#e1d5f0", stroke: "#555" }, net);
    dots.push({ el: c, tip: s("title", {}, c), li: li, k: k });
  }); });
  function network(snap, grads) {
    var values = grads && snap.g ? snap.g : snap.w, big = 1e-12;
    values.forEach(function (layer) { layer.forEach(function (nrn) { nrn.forEach(function (v) { big = Math.max(big, Math.abs(v)); }); }); });
    edges.forEach(function (e) {
      var v = values[e.li][e.j][e.k];
      e.el.setAttribute("stroke", v >= 0 ? "#3b6fd1" : "#d1453b");
      e.el.setAttribute("stroke-width", (0.2 + 3.2 * Math.abs(v) / big).toFixed(2));
      e.el.setAttribute("stroke-opacity", (0.25 + 0.75 * Math.abs(v) / big).toFixed(2));
      e.tip.textContent = "w = " + snap.w[e.li][e.j][e.k] + (snap.g ? ", grad = " + snap.g[e.li][e.j][e.k] : "");
    });
    dots.forEach(function (d) {
      if (!d.li) { d.tip.textContent = "input x" + (d.k + 1); return; }
      var n = snap.w[d.li - 1][d.k];
      d.tip.textContent = "bias b = " + n[n.length - 1] + (snap.g ? ", grad = " + snap.g[d.li - 1][d.k][n.length - 1] : "");
    });
  }

  // -- the slider ---------------------------------------------------------------------------------
  var slider = h("input", { type: "range", min: 0, max: last, value: last, step: 1, "data-testid": "step-slider" });
  var label = h("span", { class: "ag-step-label", "data-testid": "step-label" });
  var grads = h("input", { type: "checkbox", "data-testid": "show-grads" });
  function update() {
    var snap = snaps[Number(slider.value)], k = snap.step - 1;
    label.textContent = snap.step === 0 ? "before training" : "after step " + snap.step + " of " + t.steps
      + ": loss " + t.loss[k].toFixed(4) + ", train accuracy " + (100 * t.accuracy[k]).toFixed(0) + "%";
    marker.setAttribute("x1", px(Math.max(k, 0))); marker.setAttribute("x2", px(Math.max(k, 0)));
    boundary(snap);
    network(snap, grads.checked);
  }
  slider.addEventListener("input", update);
  grads.addEventListener("change", update);
  host.appendChild(h("section", { class: "ag-training" }, [
    h("h2", { text: "Training: " + t.loss_name + " loss, " + t.steps + " steps" }),
    h("div", { class: "ag-trow" }, [
      h("div", {}, [curves]),
      h("div", {}, [canvas, h("div", { class: "ag-caption", text: "decision boundary, from the weights at this step" })]),
      h("div", {}, [net, h("div", { class: "ag-caption" }, [
        h("label", {}, [grads, document.createTextNode(" show gradients (of that step's loss) instead of weights")]),
        h("div", { text: "blue: positive, red: negative; width: magnitude; hover for numbers" })])])]),
    h("div", { class: "ag-slider" }, [h("span", { text: "step " }), slider, label])]));
  update();
  host.agTraining = { outputs: function (i, x, y) { return outputs(snaps[i], x, y); }, decide: decide };
  var next = h("h2", { text: "One sample through the trained network: the chain rule, node by node" });
  host.appendChild(next);
} });
