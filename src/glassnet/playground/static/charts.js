// Line charts of the playground: the cost and accuracy curves and the race's costs.
// The epoch axis stays readable over long runs: log epochs (the default), the last WINDOW epochs, or linear.
"use strict";

const WINDOW_EPOCHS = 200;

// opts: ymin, ymax, log (log y), percent (y as %), xmode ("log" | "window" | "linear"), markers [{x, label}]
function drawChart(canvas, series, opts) {
  const ctx = canvas.getContext("2d");
  const W = canvas.width, H = canvas.height, left = 38, right = 6, top = 6, bottom = 16;
  ctx.clearRect(0, 0, W, H);
  ctx.font = "10px system-ui, sans-serif";
  const xmode = opts.xmode || "linear";
  let xmax = 1;
  for (const s of series) for (const x of s.x) xmax = Math.max(xmax, x);
  const xmin = xmode === "window" ? Math.max(0, xmax - WINDOW_EPOCHS) : 0;
  const tx = (x) => (xmode === "log" ? Math.log10(1 + x) : x);
  const tr = (v) => (opts.log ? Math.log10(Math.max(v, 1e-12)) : v);
  let ymin = opts.ymin, ymax = opts.ymax, lo = Infinity, hi = -Infinity;
  for (const s of series) {
    for (let i = 0; i < s.x.length; i++) {
      if (s.y[i] === null || s.x[i] < xmin) continue;
      lo = Math.min(lo, tr(s.y[i])); hi = Math.max(hi, tr(s.y[i]));
    }
  }
  if (ymin === undefined) ymin = Number.isFinite(lo) ? lo : 0;
  if (ymax === undefined) ymax = Number.isFinite(hi) ? hi : 1;
  if (ymax - ymin < 1e-9) { ymax += 0.5; ymin -= 0.5; }
  if (opts.log) { ymin = Math.floor(ymin); ymax = Math.ceil(ymax); }
  const X = (x) => left + (tx(x) - tx(xmin)) / (tx(xmax) - tx(xmin) || 1) * (W - left - right);
  const Y = (y) => top + (1 - (y - ymin) / (ymax - ymin)) * (H - top - bottom);
  ctx.strokeStyle = "#e3e6ea"; ctx.fillStyle = "#6b7280"; ctx.lineWidth = 1;
  const ticks = opts.log ? Math.min(4, ymax - ymin) : 2;
  for (let k = 0; k <= ticks; k++) {
    const v = ymin + (ymax - ymin) * k / ticks;
    ctx.beginPath(); ctx.moveTo(left, Y(v)); ctx.lineTo(W - right, Y(v)); ctx.stroke();
    const label = opts.log ? "1e" + Math.round(v) : opts.percent ? Math.round(100 * v) + "%" : fmt(v, 2);
    ctx.textAlign = "right"; ctx.fillText(label, left - 4, Y(v) + 3);
  }
  drawEpochTicks(ctx, xmode, xmin, xmax, X, H);
  drawMarkers(ctx, opts.markers || [], xmin, X, top, H - bottom);
  for (const s of series) {
    ctx.strokeStyle = s.color; ctx.lineWidth = s.width || 1.6; ctx.setLineDash(s.dash || []);
    ctx.beginPath();
    let started = false;
    for (let i = 0; i < s.x.length; i++) {
      if (s.y[i] === null || s.x[i] < xmin) { started = false; continue; }
      const px = X(s.x[i]), py = Y(Math.min(Math.max(tr(s.y[i]), ymin), ymax));
      if (started) ctx.lineTo(px, py); else { ctx.moveTo(px, py); started = true; }
    }
    ctx.stroke();
  }
  ctx.setLineDash([]);
}

// the epochs under the axis: 0 and the last one; on a log axis also 10, 100, 1000, ... in between
function drawEpochTicks(ctx, xmode, xmin, xmax, X, H) {
  ctx.fillStyle = "#6b7280";
  const labels = [[xmin, "left"], [xmax, "right"]];
  if (xmode === "log") for (let p = 10; p < xmax / 2; p *= 10) labels.push([p, "center"]);
  for (const [x, align] of labels) {
    ctx.textAlign = align;
    ctx.fillText(String(x), X(x), H - 3);
  }
}

// the live changes: a dashed line at the epoch of each, with its number
function drawMarkers(ctx, markers, xmin, X, y0, y1) {
  ctx.save();
  ctx.strokeStyle = "#b45309"; ctx.fillStyle = "#b45309"; ctx.setLineDash([3, 3]); ctx.lineWidth = 1;
  for (const m of markers) {
    if (m.x < xmin) continue;
    const px = X(m.x);
    ctx.beginPath(); ctx.moveTo(px, y0); ctx.lineTo(px, y1); ctx.stroke();
    ctx.textAlign = "left"; ctx.fillText(m.label, px + 2, y0 + 9);
  }
  ctx.restore();
}
