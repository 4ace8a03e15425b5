// The playground page: sends the controls to the server over a WebSocket and draws what comes back.
// No training happens here: every number drawn was computed by glassnet on the server.
"use strict";

const LR_CHOICES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const L2_CHOICES = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const BATCH_CHOICES = [1, 8, 16, 32, 64, 128, 256, 0];
const SCALE_CHOICES = [0.01, 0.1, 0.5, 1, 2, 5, 10, 100];
const KEEP_CHOICES = [1, 0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.3];
// The server's lists, from its hello message (server.py, protocol.py): data sets (with "upload"),
// activations, initializers, optimizers, bugs, formulas, speeds (epochs per second; 0: as fast as it
// goes) and the race's optimizers. Empty until the page is connected.
const CHOICES = { data: [], activations: [], init: [], optimizer: [], bugs: [], formulas: [], speeds: [],
                  race_optimizers: [] };
const AXES = ["log", "window", "linear"];
const ORANGE = [245, 147, 34];
const BLUE = [8, 119, 189];
const URL_KEYS = {
  data: "data", points: "points", noise: "noise", split: "split", layers: "layers", activations: "act",
  init: "init", scale: "scale", keep_prob: "keep", l2: "l2", optimizer: "opt", lr: "lr", batch: "batch",
  normalize: "norm", seed: "seed",
};

const S = {
  ws: null, config: null, limits: null, run: 0, running: false, train: null, dev: null, extent: null,
  boundaryGrid: 64, unitGrid: 24, curves: null, frame: null, units: null, bug: "none", bugAnswer: null,
  gradcheck: null, race: null, exportWant: null, upload: null, nParams: 0, divergedShown: 0, retry: 500,
  pendingUrlConfig: null, speed: null, serverSpeed: null, axis: "log", changes: [], quiz: null, quizAnswer: null,
  everConnected: false, newSession: false, refused: false, lastEpoch: 0, asked: null,
};

const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------------------------- colours
function mix(a, b, t) { return [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * t)); }
// v in 0..255 -> orange (0) .. white (127.5) .. blue (255); `light` washes the colours for a background
function paletteLUT(light) {
  const lut = new Uint8ClampedArray(256 * 3);
  const white = [255, 255, 255];
  for (let v = 0; v < 256; v++) {
    const x = v / 127.5 - 1;
    let c = x < 0 ? mix(white, ORANGE, -x) : mix(white, BLUE, x);
    if (light) c = mix(c, white, 0.35);
    lut.set(c, v * 3);
  }
  return lut;
}
const LUT = paletteLUT(false);
const LUT_LIGHT = paletteLUT(true);

function decode64(text) {
  const raw = atob(text);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

function gridImage(bytes, size, lut) {
  const canvas = document.createElement("canvas");
  canvas.width = size; canvas.height = size;
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(size, size);
  for (let i = 0; i < size * size; i++) {
    const v = bytes[i];
    img.data[4 * i] = lut[3 * v]; img.data[4 * i + 1] = lut[3 * v + 1]; img.data[4 * i + 2] = lut[3 * v + 2];
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return canvas;
}

function drawGrid(canvas, bytes, size, lut) {
  const ctx = canvas.getContext("2d");
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(gridImage(bytes, size, lut), 0, 0, canvas.width, canvas.height);
}

// ---------------------------------------------------------------------------------- formatting
function fmt(x, digits = 3) {
  if (x === null || x === undefined || Number.isNaN(x)) return "–";
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e4)) return x.toExponential(1);
  return Number(x.toPrecision(digits)).toString();
}
function pct(x) { return x === null || x === undefined ? "–" : (100 * x).toFixed(1) + " %"; }
function epochText(n) { return String(n).padStart(6, "0").replace(/\B(?=(\d{3})+(?!\d))/g, ","); }

// ---------------------------------------------------------------------------------- the URL
function readUrl() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ""));
  const config = {};
  const num = (v) => (v === null || v === "" || Number.isNaN(Number(v)) ? v : Number(v));
  const list = (v, f) => (v === "" ? [] : v.split(",").map(f));
  for (const [field, key] of Object.entries(URL_KEYS)) {
    if (!params.has(key)) continue;
    const v = params.get(key);
    if (field === "layers" || field === "keep_prob") config[field] = list(v, num);
    else if (field === "activations") config[field] = list(v, (s) => s);
    else if (field === "normalize") config[field] = v === "1" || v === "true";
    else if (field === "data" || field === "init" || field === "optimizer") config[field] = v;
    else config[field] = num(v);
  }
  const speed = params.has("speed") ? Number(params.get("speed")) : null;
  return { config, lang: params.get("lang"), speed: Number.isInteger(speed) && (!CHOICES.speeds.length || CHOICES.speeds.includes(speed)) ? speed : null,
           axis: AXES.includes(params.get("axis")) ? params.get("axis") : null };
}

function writeUrl() {
  if (!S.config) return;
  const params = new URLSearchParams();
  for (const [field, key] of Object.entries(URL_KEYS)) {
    const v = S.config[field];
    if (Array.isArray(v)) params.set(key, v.join(","));
    else if (typeof v === "boolean") params.set(key, v ? "1" : "0");
    else params.set(key, String(v));
  }
  params.set("speed", String(S.speed));
  params.set("axis", S.axis);
  params.set("lang", LANG);
  history.replaceState(null, "", "#" + params.toString().replace(/%2C/g, ","));
}

// ---------------------------------------------------------------------------------- the socket
// true when sent; a message the server cannot receive now is said so (states.js), and the controls show
// the server's setup again
function send(message) {
  if (S.ws && S.ws.readyState === WebSocket.OPEN && S.limits) {
    S.ws.send(JSON.stringify(message));
    return true;
  }
  notSent();
  renderControls();
  return false;
}
function sendConfig(partial) { return send({ type: "config", config: partial }); }
function askConfig(partial) { S.asked = Object.keys(partial); return sendConfig(partial); }
function setSpeed(speed) {
  S.speed = speed;
  $("speed").value = String(speed);
  writeUrl();
  send({ type: "speed", epochs_per_second: speed });
}

function handle(msg) {
  switch (msg.type) {
    case "hello": return onHello(msg);
    case "state": return onState(msg);
    case "live": return onLive(msg);
    case "speed": S.serverSpeed = msg.epochs_per_second; return;
    case "quiz": return onQuiz(msg);
    case "frame": return onFrame(msg);
    case "status":
      S.running = msg.running; renderPlay(); return;
    case "gradcheck":
      S.gradcheck = msg; $("gradcheck").disabled = false; renderGradcheck(); return;
    case "bug":
      S.bug = msg.bug; S.bugAnswer = msg; S.quiz = null; renderBug(); renderQuiz(); renderBugControls(); return;
    case "race":
      S.race = msg; renderRace(); return;
    case "race_stopped":
      $("race-stop").classList.add("hidden"); return;
    case "export": return onExport(msg);
    case "error": return onError(msg);
    default: break;
  }
}

function onState(msg) {
  const newRun = msg.run !== S.run;
  S.config = msg.config; S.run = msg.run; S.running = msg.running; S.changes = msg.changes || [];
  S.train = msg.train; S.dev = msg.dev; S.extent = msg.extent; S.boundaryGrid = msg.boundary_grid;
  S.unitGrid = msg.unit_grid; S.upload = msg.upload; S.bug = msg.bug; S.nParams = msg.n_params;
  S.curves = { epoch: [], train_cost: [], dev_cost: [], train_acc: [], dev_acc: [] };
  S.frame = null; S.units = null; S.weights = null;
  if (S.pendingUrlConfig) {  // the setup in the address, once, after the server's first state
    const partial = S.pendingUrlConfig;
    S.pendingUrlConfig = null;
    sendConfig(partial);
  }
  sayNewSession();
  if (newRun) sayNewRun(S.asked);
  S.asked = null;
  if (msg.quiz !== undefined) { S.quiz = msg.quiz; renderQuiz(); renderBugControls(); }
  renderControls();
  buildNetwork();
  renderChanges();
  renderPlay();
  writeUrl();
}

function onFrame(msg) {
  if (msg.run !== S.run) return;  // a frame of a run that has since been replaced
  const c = msg.curves;
  if (c.from === 0) S.curves = { epoch: [], train_cost: [], dev_cost: [], train_acc: [], dev_acc: [] };
  for (const key of Object.keys(S.curves)) S.curves[key].push(...c[key]);
  S.frame = msg;
  rememberEpoch(msg.epoch);
  if (msg.units) { S.units = msg.units; S.unitsFresh = true; }
  if (msg.weights) S.weights = msg.weights;
  S.running = msg.running;
  if (msg.stopped === "diverged" && S.divergedShown !== S.run) {
    S.divergedShown = S.run;
    toast(t("diverged"));
  }
  renderFrame();
  renderPlay();
}

function onError(msg) {
  if (msg.request === "gradcheck") $("gradcheck").disabled = false;
  if (msg.code === "too_many_sessions") return onRefused(msg);
  let params = Object.assign({}, msg.params || {}, { field: msg.field || "" });
  if (msg.code === "bad_csv") params.line = params.line ? t("row", { line: params.line }) : "";
  const key = "err_" + msg.code;
  let text = key in MESSAGES.en ? t(key, params) : msg.message;
  if (LANG === "en" && msg.message && ["glassnet", "internal", "bad_csv"].includes(msg.code)) text += " " + msg.message;
  toast(text);
}

function onExport(msg) {
  const want = S.exportWant || "model";
  S.exportWant = null;
  let blob, name;
  if (want === "model") {
    blob = new Blob([decode64(msg.model)], { type: "application/octet-stream" });
    name = msg.model_name;
  } else if (want === "onnx") {
    if (!msg.onnx) { toast(t("err_no_onnx") + (LANG === "en" && msg.onnx_error ? " " + msg.onnx_error : "")); return; }
    blob = new Blob([decode64(msg.onnx)], { type: "application/octet-stream" });
    name = msg.onnx_name;
  } else {
    blob = new Blob([msg.script], { type: "text/x-python" });
    name = msg.script_name;
  }
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

// ---------------------------------------------------------------------------------- messages on screen
let toastTimer = null;
function toast(text) {
  const el = $("toast");
  el.textContent = text;
  el.classList.remove("hidden");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.classList.add("hidden"), 7000);
}
function showConnection(text) { const el = $("connection"); el.textContent = text; el.classList.remove("hidden"); }
function hideConnection() { $("connection").classList.add("hidden"); }

// ---------------------------------------------------------------------------------- controls
function fillSelect(select, values, label, current) {
  const list = values.slice();
  if (current !== undefined && !list.some((v) => v === current)) list.push(current);
  select.innerHTML = "";
  for (const v of list) {
    const option = document.createElement("option");
    option.value = String(v);
    option.textContent = label(v);
    select.appendChild(option);
  }
  if (current !== undefined) select.value = String(current);
}

function renderControls() {
  const c = S.config;
  if (!c) return;
  fillSelect($("lr"), LR_CHOICES, (v) => String(v), c.lr);
  fillSelect($("optimizer"), CHOICES.optimizer, (v) => t("opt_" + v), c.optimizer);
  fillSelect($("batch"), BATCH_CHOICES, (v) => (v === 0 ? t("full_batch") : String(v)), c.batch);
  fillSelect($("l2"), L2_CHOICES, (v) => String(v), c.l2);
  fillSelect($("init"), CHOICES.init, (v) => t("init_" + v), c.init);
  fillSelect($("scale"), SCALE_CHOICES, (v) => "×" + v, c.scale);
  fillSelect($("bug"), CHOICES.bugs, (v) => t("bug_" + v), $("bug").value || S.bug);
  fillSelect($("speed"), CHOICES.speeds, (v) => (v === 0 ? t("speed_max") : t("speed_n", { n: v })), S.speed);
  fillSelect($("cost-axis"), AXES, (v) => t("axis_" + v), S.axis);
  fillSelect($("race-optimizer"), CHOICES.race_optimizers, (v) => t("race_opt_" + v, { opt: t("opt_" + c.optimizer) }),
             $("race-optimizer").value || "gd");
  fillSelect($("race-epochs"), [100, 300, 1000], (v) => t("race_epochs_n", { n: v }), Number($("race-epochs").value) || 300);
  $("seed").value = c.seed;
  $("noise").value = c.noise; $("noise-value").textContent = c.noise.toFixed(2);
  $("points").value = c.points; $("points-value").textContent = c.points;
  $("split").value = c.split;
  $("split-value").textContent = Math.round(100 * c.split) + " / " + Math.round(100 - 100 * c.split);
  $("normalize").checked = c.normalize;
  const generated = c.data !== "upload";
  $("noise").disabled = !generated; $("points").disabled = !generated;
  for (const tile of document.querySelectorAll(".dataset")) {
    tile.classList.toggle("selected", tile.dataset.name === c.data);
  }
  const info = $("upload-info");
  if (S.upload) {
    info.textContent = t("uploaded", { name: S.upload.name, points: S.upload.points, a: S.upload.classes[0],
                                       b: S.upload.classes[1] });
    $("dataset-upload").classList.remove("hidden");
  } else {
    info.textContent = "";
  }
  $("layer-count").textContent = c.layers.length;
  $("layers-add").disabled = c.layers.length >= S.limits.max_layers;
  $("layers-remove").disabled = c.layers.length === 0;
  document.querySelector("#layer-count + span").textContent = t(c.layers.length === 1 ? "hidden_layer_one" : "hidden_layers");
  $("param-count").textContent = t("params", { n: S.nParams.toLocaleString() });
  for (const b of document.querySelectorAll(".lang button")) b.classList.toggle("active", b.dataset.lang === LANG);
  $("upload").parentElement.title = t("upload_tip", { points: S.limits.max_upload_points });
  renderBug();
}

function datasetIcon(canvas, name) {
  // a small picture of each data set's shape (an icon, drawn once; the real points come from the server)
  const ctx = canvas.getContext("2d");
  const w = canvas.width;
  ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, w, w);
  const dot = (x, y, cls) => {
    ctx.fillStyle = cls ? "rgb(8,119,189)" : "rgb(245,147,34)";
    ctx.beginPath(); ctx.arc(w / 2 + x * w * 0.42, w / 2 - y * w * 0.42, 1.6, 0, 2 * Math.PI); ctx.fill();
  };
  let seed = 7;
  const rnd = () => { seed = (seed * 16807) % 2147483647; return seed / 2147483647 - 0.5; };
  for (let i = 0; i < 60; i++) {
    const s = i / 60, a = 2 * Math.PI * s, j = 0.06 * rnd();
    if (name === "circles") { dot(Math.cos(a) * (0.95 + j), Math.sin(a) * (0.95 + j), 0); dot(Math.cos(a) * 0.45, Math.sin(a) * 0.45, 1); }
    if (name === "moons") { const u = Math.PI * s; dot(Math.cos(u) * 0.6 - 0.3, Math.sin(u) * 0.6 - 0.15 + j, 0); dot(0.3 - Math.cos(u) * 0.6, 0.15 - Math.sin(u) * 0.6 + j, 1); }
    if (name === "flower") { const r = Math.sin(4 * a) * 0.95; dot(r * Math.sin(a), r * Math.cos(a), a < Math.PI ? 0 : 1); }
    if (name === "spirals") { const r = s * 0.95, u = 4 * s * 1.6; dot(r * Math.sin(u), r * Math.cos(u), 0); dot(-r * Math.sin(u), -r * Math.cos(u), 1); }
    if (name === "xor") { const x = 1.8 * rnd(), y = 1.8 * rnd(); dot(x, y, (x > 0) !== (y > 0) ? 1 : 0); }
    if (name === "blobs") { dot(-0.45 + 0.5 * rnd(), -0.35 + 0.5 * rnd(), 0); dot(0.45 + 0.5 * rnd(), 0.35 + 0.5 * rnd(), 1); }
  }
}

function buildDatasets() {
  const box = $("datasets");
  box.innerHTML = "";
  for (const name of CHOICES.data) {  // "upload" last: shown once a file is uploaded
    const tile = document.createElement("button");
    tile.className = "dataset plain" + (name === "upload" ? " hidden" : "");
    tile.id = "dataset-" + name;
    tile.dataset.name = name;
    const canvas = document.createElement("canvas");
    canvas.width = 48; canvas.height = 48;
    if (name !== "upload") datasetIcon(canvas, name);
    const label = document.createElement("span");
    label.dataset.i18n = "data_" + name;
    label.textContent = t("data_" + name);
    tile.append(canvas, label);
    tile.addEventListener("click", () => askConfig({ data: name }));
    box.appendChild(tile);
  }
}

// ---------------------------------------------------------------------------------- the network view
function unitSize() {
  const most = Math.max(2, ...S.config.layers);
  return most <= 8 ? 44 : most <= 16 ? 30 : 17;
}

function keepSelect(index, tip) {
  const select = document.createElement("select");
  select.className = "keep";
  select.id = "keep-" + index;
  select.title = t(tip);
  select.setAttribute("aria-label", t(index ? "keep_aria" : "keep_input_aria", { layer: index }));
  fillSelect(select, KEEP_CHOICES, (v) => t("keep_n", { v }), S.config.keep_prob[index]);
  select.addEventListener("change", () => {
    const kp = S.config.keep_prob.slice();
    kp[index] = Number(select.value);
    askConfig({ keep_prob: kp });
  });
  return select;
}

// a live change of keep_prob: the selects show the server's values (the network view is not rebuilt)
function renderKeepSelects() {
  S.config.keep_prob.forEach((p, i) => { const el = $("keep-" + i); if (el) el.value = String(p); });
}

function buildNetwork() {
  const c = S.config;
  const box = $("network");
  box.innerHTML = "";
  const size = unitSize();
  box.style.setProperty("--unit", size + "px");
  box.style.setProperty("--gap", (c.layers.length <= 3 ? 44 : c.layers.length <= 5 ? 24 : 12) + "px");
  const links = document.createElement("canvas");
  links.id = "links";
  box.appendChild(links);
  // input column: the two features over the plane
  const input = document.createElement("div");
  input.className = "layer-col input-col";
  const head = document.createElement("div");
  head.className = "col-head";
  head.innerHTML = `<div class="col-title">${t("input")}</div>`;
  input.appendChild(head);
  input.appendChild(keepSelect(0, "keep_prob_input_tip"));
  for (const [k, name] of [[0, "x1"], [1, "x2"]]) {
    const wrap = document.createElement("div");
    wrap.className = "unit feature";
    wrap.id = `unit-0-${k + 1}`;
    const canvas = document.createElement("canvas");
    canvas.width = 24; canvas.height = 24;
    canvas.title = t("feature_tip", { name });
    drawFeature(canvas, k);
    const label = document.createElement("span");
    label.className = "feature-name";
    label.textContent = name;
    wrap.append(canvas, label);
    input.appendChild(wrap);
  }
  box.appendChild(input);
  c.layers.forEach((units, i) => {
    const col = document.createElement("div");
    col.className = "layer-col";
    col.id = "layer-" + (i + 1);
    const headL = document.createElement("div");
    headL.className = "col-head";
    const buttons = document.createElement("div");
    buttons.className = "unit-buttons";
    const plus = document.createElement("button");
    plus.className = "round tiny"; plus.textContent = "+"; plus.title = t("add_unit_tip");
    plus.setAttribute("aria-label", t("add_unit_aria", { layer: i + 1 }));
    plus.id = `units-add-${i + 1}`;
    plus.disabled = units >= S.limits.max_units;
    plus.addEventListener("click", () => { const l = c.layers.slice(); l[i] += 1; askConfig({ layers: l }); });
    const minus = document.createElement("button");
    minus.className = "round tiny"; minus.textContent = "\u2212"; minus.title = t("remove_unit_tip");
    minus.setAttribute("aria-label", t("remove_unit_aria", { layer: i + 1 }));
    minus.id = `units-remove-${i + 1}`;
    minus.disabled = units <= 1;
    minus.addEventListener("click", () => { const l = c.layers.slice(); l[i] -= 1; askConfig({ layers: l }); });
    buttons.append(plus, minus);
    const title = document.createElement("div");
    title.className = "col-title";
    title.textContent = units === 1 ? t("unit_one") : t("units", { n: units });
    headL.append(buttons, title);
    col.appendChild(headL);
    const act = document.createElement("select");
    act.className = "activation";
    act.id = "activation-" + (i + 1);
    act.title = t("activation_tip");
    act.setAttribute("aria-label", t("activation_aria", { layer: i + 1 }));
    fillSelect(act, CHOICES.activations, (v) => t("act_" + v), c.activations[i]);
    act.addEventListener("change", () => { const a = c.activations.slice(); a[i] = act.value; askConfig({ activations: a }); });
    col.appendChild(act);
    col.appendChild(keepSelect(i + 1, "keep_prob_tip"));
    const list = document.createElement("div");
    list.className = "units";
    for (let u = 0; u < units; u++) {
      const wrap = document.createElement("div");
      wrap.className = "unit";
      wrap.id = `unit-${i + 1}-${u + 1}`;
      const canvas = document.createElement("canvas");
      canvas.width = S.unitGrid; canvas.height = S.unitGrid;
      wrap.appendChild(canvas);
      list.appendChild(wrap);
    }
    col.appendChild(list);
    box.appendChild(col);
  });
}

function drawFeature(canvas, k) {
  const [x0, x1, y0, y1] = S.extent;
  const n = 24;
  const bytes = new Uint8Array(n * n);
  const lo = k === 0 ? x0 : y0, hi = k === 0 ? x1 : y1;
  const top = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  for (let r = 0; r < n; r++) {
    for (let col = 0; col < n; col++) {
      const v = k === 0 ? lo + (hi - lo) * col / (n - 1) : hi - (hi - lo) * r / (n - 1);
      bytes[r * n + col] = Math.round((v / top + 1) * 127.5);
    }
  }
  drawGrid(canvas, bytes, n, LUT);
}

function renderLinks() {
  // the weights W[l] as lines between the unit maps: blue positive, orange negative, width by |w|
  const box = $("network"), canvas = $("links");
  if (!canvas || !S.weights) return;
  const W = box.scrollWidth, H = box.scrollHeight;
  if (canvas.width !== W || canvas.height !== H) { canvas.width = W; canvas.height = H; }
  canvas.style.width = W + "px"; canvas.style.height = H + "px";
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, W, H);
  const origin = box.getBoundingClientRect();
  const anchor = (layer, unit, side) => {
    const el = $(`unit-${layer}-${unit}`);
    if (!el) return null;
    const r = el.getBoundingClientRect();
    return [(side ? r.right : r.left) - origin.left + box.scrollLeft, (r.top + r.bottom) / 2 - origin.top + box.scrollTop];
  };
  S.weights.forEach((Wl, l) => {
    let top = 0;
    for (const row of Wl) for (const w of row) top = Math.max(top, Math.abs(w));
    if (!top) return;
    Wl.forEach((row, j) => {
      const to = anchor(l + 1, j + 1, false);
      if (!to) return;
      row.forEach((w, i) => {
        const from = anchor(l, i + 1, true);
        if (!from || !w) return;
        const a = Math.abs(w) / top;
        ctx.strokeStyle = w > 0 ? `rgba(8,119,189,${0.15 + 0.6 * a})` : `rgba(245,147,34,${0.15 + 0.6 * a})`;
        ctx.lineWidth = 0.4 + 2.6 * a;
        ctx.beginPath();
        ctx.moveTo(from[0], from[1]);
        ctx.bezierCurveTo((from[0] + to[0]) / 2, from[1], (from[0] + to[0]) / 2, to[1], to[0], to[1]);
        ctx.stroke();
      });
    });
  });
}

function renderUnits() {
  // unit maps and links change only with frames that carry them (every few frames for large networks)
  if (!S.unitsFresh || !S.units || !S.frame) return;
  S.unitsFresh = false;
  renderLinks();
  const layers = S.frame.layers;
  S.units.forEach((units, i) => {
    const info = layers[i] || { dead_units: [], saturated_units: [] };
    units.forEach((unit, u) => {
      const wrap = $(`unit-${i + 1}-${u + 1}`);
      if (!wrap) return;
      const canvas = wrap.querySelector("canvas");
      drawGrid(canvas, decode64(unit.map), S.unitGrid, LUT);
      const dead = info.dead_units.includes(u), saturated = info.saturated_units.includes(u);
      wrap.classList.toggle("dead", dead);
      wrap.classList.toggle("saturated", saturated);
      let tip = t("unit_tip", { layer: i + 1, unit: u + 1, scale: fmt(unit.scale) });
      if (dead) tip += " — " + t("unit_dead");
      if (saturated) tip += " — " + t("unit_saturated");
      wrap.title = tip;
    });
  });
}

// ---------------------------------------------------------------------------------- output views
function toCanvas(canvas, x, y) {
  const [x0, x1, y0, y1] = S.extent;
  return [(x - x0) / (x1 - x0) * canvas.width, (y1 - y) / (y1 - y0) * canvas.height];
}

function drawPoints(canvas, points, dev, radius) {
  const ctx = canvas.getContext("2d");
  for (let i = 0; i < points.x.length; i++) {
    const [px, py] = toCanvas(canvas, points.x[i], points.y[i]);
    ctx.beginPath();
    ctx.arc(px, py, radius, 0, 2 * Math.PI);
    ctx.fillStyle = points.label[i] ? "rgb(8,119,189)" : "rgb(245,147,34)";
    ctx.fill();
    ctx.lineWidth = dev ? 1.4 : 1;
    ctx.strokeStyle = dev ? "#222" : "#fff";
    ctx.stroke();
  }
}

function renderBoundary() {
  const canvas = $("boundary");
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, canvas.width, canvas.height);
  if (S.frame) drawGrid(canvas, decode64(S.frame.boundary), S.boundaryGrid, LUT_LIGHT);
  if (S.train) drawPoints(canvas, S.train, false, 3.2);
  if (S.dev && $("show-dev").checked) drawPoints(canvas, S.dev, true, 3.2);
}

function renderCharts() {
  const c = S.curves;
  if (!c) return;
  const markers = (S.changes || []).map((entry, i) => ({ x: entry.epoch, label: String(i + 1) }));
  drawChart($("cost-chart"), [
    { x: c.epoch, y: c.train_cost, color: "#374151" },
    { x: c.epoch, y: c.dev_cost, color: "#374151", dash: [4, 3] },
  ], { ymin: 0, xmode: S.axis, markers });
  drawChart($("acc-chart"), [
    { x: c.epoch, y: c.train_acc, color: "#0877bd" },
    { x: c.epoch, y: c.dev_acc, color: "#0877bd", dash: [4, 3] },
  ], { ymin: 0, ymax: 1, percent: true, xmode: S.axis, markers });
  $("cost-chart").dataset.markers = String(markers.length);
}

function logBar(value, lo, hi) {
  if (value === null || value === undefined || value <= 0) return 0;
  const f = (Math.log10(value) - lo) / (hi - lo);
  return Math.max(2, Math.min(100, 100 * f));
}

function barCell(value, lo, hi, kind) {
  // a bar on a log scale from 10^lo to 10^hi, and the number (built with the DOM: the page's CSP allows no inline styles)
  const td = document.createElement("td");
  const bar = document.createElement("div");
  bar.className = "bar " + kind;
  const fill = document.createElement("i");
  fill.style.width = logBar(value, lo, hi) + "%";
  bar.appendChild(fill);
  const text = document.createElement("span");
  text.textContent = fmt(value);
  td.append(bar, text);
  return td;
}

function renderLayers() {
  const f = S.frame;
  const body = $("layer-rows");
  body.innerHTML = "";
  if (!f) return;
  const last = f.layers.length;
  for (const layer of f.layers) {
    const tr = document.createElement("tr");
    const name = layer.layer === last ? `${layer.layer} (${t("output_layer")})` : String(layer.layer);
    const hidden = layer.layer < last;
    const deadText = hidden && layer.activation === "relu" ? `${layer.dead_units.length} / ${layer.units}` : "–";
    const satText = hidden && ["sigmoid", "tanh"].includes(layer.activation)
      ? `${layer.saturated_units.length} / ${layer.units}` : "–";
    const cells = [document.createElement("td"), barCell(layer.mean_abs_dW, -8, 1, ""), barCell(layer.std_a, -4, 2, "spread"),
      document.createElement("td"), document.createElement("td")];
    cells[0].textContent = name + " ";
    const act = document.createElement("span");
    act.className = "act";
    act.textContent = t("act_" + layer.activation);
    cells[0].appendChild(act);
    cells[3].textContent = deadText;
    cells[3].className = layer.dead_units.length ? "alarm" : "";
    cells[4].textContent = satText;
    cells[4].className = layer.saturated_units.length ? "alarm" : "";
    tr.append(...cells);
    body.appendChild(tr);
  }
  const d = f.diagnosis, v = d.verdict;
  const el = $("verdict");
  el.textContent = t(v);
  el.className = "verdict " + v.replace(/ /g, "-");
  // the library's reasons are in English; another language gets what the verdict means
  el.title = LANG === "en" ? (d.reasons || []).concat(d.warnings || []).join("\n") : t("verdict_tip_" + v.replace(/ /g, "_"));
  $("growth").textContent = t(d.learned && (d.steps || 0) >= 2 ? "growth_learned" : "growth",
    { rg: fmt(d.gradient_rate), ra: fmt(d.activation_rate), k: d.steps });
}

function renderFrame() {
  const f = S.frame;
  if (f) {
    $("epoch").textContent = epochText(f.epoch);
    $("epoch").dataset.run = String(f.run);
    $("train-cost").textContent = fmt(f.train_cost);
    $("dev-cost").textContent = fmt(f.dev_cost);
    $("train-acc").textContent = pct(f.train_acc);
    $("dev-acc").textContent = pct(f.dev_acc);
    $("dev-acc").dataset.value = f.dev_acc === null ? "" : String(f.dev_acc);
  }
  renderBoundary();
  renderCharts();
  renderUnits();
  renderLayers();
}

function renderPlay() {
  $("icon-play").classList.toggle("hidden", S.running);
  $("icon-pause").classList.toggle("hidden", !S.running);
  $("play").classList.toggle("playing", S.running);
  $("play").setAttribute("aria-pressed", S.running ? "true" : "false");
}

// ---------------------------------------------------------------------------------- wiring
function wire() {
  $("play").addEventListener("click", () => send({ type: S.running ? "pause" : "play" }));
  $("step").addEventListener("click", () => send({ type: "step" }));
  $("reset").addEventListener("click", () => { if (send({ type: "reset" })) S.asked = "reset"; });
  $("speed").addEventListener("change", (e) => setSpeed(Number(e.target.value)));
  $("cost-axis").addEventListener("change", (e) => { S.axis = e.target.value; writeUrl(); renderCharts(); });
  wireSetup();
  wireFiles();
  wireTeaching();
  wireExplanations();
}

// the setup's controls: each change goes to the server (live, or a new run: states.js says which)
function wireSetup() {
  $("lr").addEventListener("change", (e) => askConfig({ lr: Number(e.target.value) }));
  $("optimizer").addEventListener("change", (e) => askConfig({ optimizer: e.target.value }));
  $("batch").addEventListener("change", (e) => askConfig({ batch: Number(e.target.value) }));
  $("l2").addEventListener("change", (e) => askConfig({ l2: Number(e.target.value) }));
  $("init").addEventListener("change", (e) => askConfig({ init: e.target.value }));
  $("scale").addEventListener("change", (e) => askConfig({ scale: Number(e.target.value) }));
  $("seed").addEventListener("change", (e) => {
    const v = Math.floor(Number(e.target.value));
    if (Number.isFinite(v)) askConfig({ seed: Math.min(Math.max(v, 0), 2147483647) });
  });
  $("noise").addEventListener("input", (e) => { $("noise-value").textContent = Number(e.target.value).toFixed(2); });
  $("noise").addEventListener("change", (e) => askConfig({ noise: Number(e.target.value) }));
  $("points").addEventListener("input", (e) => { $("points-value").textContent = e.target.value; });
  $("points").addEventListener("change", (e) => askConfig({ points: Number(e.target.value) }));
  $("split").addEventListener("change", (e) => askConfig({ split: Number(e.target.value) }));
  $("normalize").addEventListener("change", (e) => askConfig({ normalize: e.target.checked }));
  $("show-dev").addEventListener("change", renderBoundary);
  $("layers-add").addEventListener("click", () => {
    const c = S.config;
    if (c.layers.length >= S.limits.max_layers) return;
    const units = c.layers.length ? c.layers[c.layers.length - 1] : 4;
    askConfig({ layers: [...c.layers, units], activations: [...c.activations, c.activations.at(-1) || "relu"],
                 keep_prob: [...c.keep_prob, 1] });
  });
  $("layers-remove").addEventListener("click", () => {
    const c = S.config;
    if (!c.layers.length) return;
    askConfig({ layers: c.layers.slice(0, -1), activations: c.activations.slice(0, -1), keep_prob: c.keep_prob.slice(0, -1) });
  });
}

function wireFiles() {
  $("upload").addEventListener("change", (e) => {
    const file = e.target.files[0];
    e.target.value = "";
    if (!file) return;
    if (file.size > S.limits.max_upload_chars) { toast(t("err_too_large", { limit: S.limits.max_upload_chars })); return; }
    const reader = new FileReader();
    reader.onload = () => {
      if (send({ type: "upload", name: file.name.slice(0, 200), csv: String(reader.result) })) S.asked = ["data"];
    };
    reader.readAsText(file);
  });
  $("export-model").addEventListener("click", () => { S.exportWant = "model"; send({ type: "export" }); });
  $("export-onnx").addEventListener("click", () => { S.exportWant = "onnx"; send({ type: "export" }); });
  $("export-script").addEventListener("click", () => { S.exportWant = "script"; send({ type: "export" }); });
  $("share").addEventListener("click", async () => {
    writeUrl();
    try { await navigator.clipboard.writeText(location.href); toast(t("copied")); } catch (err) { toast(location.href); }
  });
  for (const b of document.querySelectorAll(".lang button")) {
    b.addEventListener("click", () => switchLanguage(b.dataset.lang));
  }
  window.addEventListener("resize", renderLinks);
  window.addEventListener("hashchange", onHashChange);
}

function switchLanguage(lang) {
  setLanguage(lang);
  writeUrl();
  if (!S.config) return;
  renderControls();
  buildNetwork();
  S.unitsFresh = true;
  renderFrame();
  renderGradcheck();
  renderRace();
  renderQuiz();
  renderChanges();
  renderRunNote();
  if (document.body.classList.contains("explaining")) $("explain-bar").textContent = t("explain_hint");
}

function start() {
  const browserZh = (navigator.language || "").toLowerCase().startsWith("zh");
  const fromUrl = readUrl();
  setLanguage(fromUrl.lang || (browserZh ? "zh" : "en"));
  if (fromUrl.speed !== null) S.speed = fromUrl.speed;
  if (fromUrl.axis) S.axis = fromUrl.axis;
  wire();
  connect();
}

start();
