// The teaching moments: the gradient check (its verdict, the per-block differences and the hints in the page's
// language), a bug planted by hand, "find the bug" (a hidden bug to name by layer and formula), and the
// initialization race. Every number comes from the server; formulas are written as in the notes.
"use strict";

const FORMULA_TEXT = {
  dZ_output: "dZ[L] = A[L] − Y",
  dW: "dW[l] = 1/m · dZ[l] · A[l−1]ᵀ",
  db: "db[l] = 1/m · Σ dZ[l]",
  l2: "dW[l] += (λ/m) · W[l]",
  dropout: "dA[l] = dA[l] · D[l] / keep_prob",
  g_prime: "dZ[l] = dA[l] · g′(Z[l])",
  dA_prev: "dA[l−1] = W[l]ᵀ · dZ[l]",
};
const RACE_COLORS = ["#b45309", "#7c3aed", "#047857"];

function sci(x, digits) { return x === null || x === undefined ? "∞" : x.toExponential(digits); }

// text with `formulas` in backticks -> text nodes and <code> elements (no HTML parsing of anything)
function richText(el, text) {
  el.replaceChildren(...text.split("`").map((part, i) => {
    if (i % 2 === 0) return document.createTextNode(part);
    const code = document.createElement("code");
    code.textContent = part;
    return code;
  }));
  return el;
}

// a hint of the gradient check in the page's language; null when it has no words here (English only, no code)
function hintText(h) {
  const p = Object.assign({}, h.params || {});
  if (typeof p.k === "number") p.k = Number(p.k.toPrecision(4)).toString();
  if (typeof p.c === "number") p.c = Number(p.c.toPrecision(4)).toString();
  if (typeof p.difference === "number") p.difference = sci(p.difference, 2);
  if (typeof p.norm === "number") p.norm = sci(p.norm, 1);
  p.who = p.name ? "d" + p.name : t("every_block");
  if (h.code === "layer_enters") {
    p.below = p.layer > 1 ? t("hint_below", { layer: p.layer }) : "";
    p.dropout = p.dropped ? t("hint_or_dropout", { layer: p.layer }) : "";
    p.activation = t("act_" + p.activation);
  }
  const key = h.code === "factor_m" ? "hint_factor_m_" + (p.kind || "all") : "hint_" + h.code;
  if (h.code && key in MESSAGES.en) return t(key, p);
  return LANG === "en" ? h.text : null;
}

function renderHints(list, hints) {
  const items = hints.map(hintText).filter((text) => text !== null);
  list.replaceChildren(...items.map((text) => richText(document.createElement("li"), text)));
  return items.length;
}

// ---------------------------------------------------------------------------------- a bug planted by hand
function renderBug() {
  const el = $("bug-status");
  const a = S.bugAnswer;
  if (!a || a.bug === "none") {
    el.textContent = a ? t("unplanted") : "";
    el.className = "hint";
    return;
  }
  el.textContent = t("planted", { bug: t("bug_" + a.bug) }) + (a.dormant ? " " + t(a.dormant) : "");
  el.className = "hint planted";
}

// ---------------------------------------------------------------------------------- the gradient check
function renderGradcheck() {
  const g = S.gradcheck;
  if (!g) return;
  $("gradcheck-result").classList.remove("hidden");
  $("gradcheck-difference").textContent = sci(g.difference, 2);
  const v = $("gradcheck-verdict");
  // "failed" only when the check calls the gradient wrong; look closer / at the noise floor are neither
  v.textContent = t(g.verdict) + (g.passed ? " · " + t("passed") : g.failed ? " · " + t("failed") : "");
  v.className = "verdict " + g.verdict.replace(/ /g, "-");
  const steps = [["correct", "≤ 1e-7"], ["look closer", "≤ 1e-5"], ["suspicious", "≤ 1e-3"], ["likely a bug", "> 1e-3"]];
  $("gradcheck-scale").replaceChildren(...steps.map(([name, limit]) => {
    const span = document.createElement("span");
    span.className = `step ${name.replace(/ /g, "-")}${name === g.verdict ? " here" : ""}`;
    span.textContent = `${limit} ${t(name)}`;
    return span;
  }));
  $("gradcheck-worst").textContent = g.worst_block
    ? t("worst_block", { name: g.worst_block, d: sci(g.worst_difference, 2) }) : "";
  $("gradcheck-blocks").replaceChildren(...g.blocks.map((b) => {
    const span = document.createElement("span");
    span.className = "block " + b.verdict.replace(/ /g, "-");
    span.textContent = `${b.name} ${sci(b.difference, 1)}`;
    return span;
  }));
  const shown = renderHints($("gradcheck-hints"), g.hints || []);
  $("gradcheck-hints-title").textContent = g.quiz ? t("hints_held") : shown ? t("hints_title") : "";
  $("gradcheck-notes").textContent = gradcheckNotes(g);
  renderReport(g);
}

function gradcheckNotes(g) {
  let notes = t("gc_notes", { m: g.examples, dropout: t("dropout_" + g.dropout), n: g.n_params.toLocaleString(),
                              s: g.seconds, epoch: g.epoch });
  if (g.skipped_at_kinks) notes += t("sep") + t("gc_skipped", { k: g.skipped_at_kinks });
  if (g.set_aside) notes += t("sep") + t("gc_set_aside", { k: g.set_aside });
  if (g.verdict === "at the noise floor") notes += t("sep") + t("gc_floor", { f: sci(g.noise_floor, 1) });
  if (g.bug && g.bug !== "none") notes += t("sep") + t("bug_" + g.bug);
  if (g.dormant) notes += t("sep") + t(g.dormant);
  return notes;
}

// the full report: every block and the worst entries as a table (both languages), the library's text in English
function renderReport(g) {
  const rows = g.blocks.map((b) => [b.name, "(" + (b.shape || []).join(", ") + ")", String(b.checked ?? ""),
                                    sci(b.difference, 3), t(b.verdict)]);
  fillTable($("gradcheck-table"), [t("block"), t("shape"), t("checked"), t("difference_short"), t("verdict")], rows);
  const worst = (g.worst || []).map((e) => [e.label, sci(e.analytic, 6), sci(e.numeric, 6)]);
  fillTable($("gradcheck-entries"), [t("entry"), t("analytic"), t("numeric")], worst);
  const text = $("gradcheck-text");
  text.textContent = g.text || "";
  text.classList.toggle("hidden", LANG !== "en" || !g.text);
}

function fillTable(table, head, rows) {
  const cells = (tag, values) => {
    const tr = document.createElement("tr");
    tr.append(...values.map((value) => { const c = document.createElement(tag); c.textContent = value; return c; }));
    return tr;
  };
  const thead = document.createElement("thead");
  thead.appendChild(cells("th", head));
  const tbody = document.createElement("tbody");
  tbody.append(...rows.map((row) => cells("td", row)));
  table.replaceChildren(thead, tbody);
}

// ---------------------------------------------------------------------------------- find the bug
function onQuiz(msg) {
  if (msg.stopped) { S.quiz = null; S.quizAnswer = null; renderQuiz(); renderBugControls(); return; }
  S.quiz = msg;
  S.quizAnswer = msg.answer || null;
  if (msg.ended) toast(t("quiz_ended_" + msg.ended));
  if (!msg.active && S.gradcheck && S.gradcheck.quiz) {  // the last check's hints, held back until now
    S.gradcheck = Object.assign({}, S.gradcheck, { quiz: false, hints: msg.hints || [], text: msg.text || "" });
    renderGradcheck();
  }
  renderQuiz();
  renderBugControls();
}

function renderQuiz() {
  const q = S.quiz;
  $("quiz-panel").classList.toggle("hidden", !q);
  if (!q) return;
  const layer = $("quiz-layer"), formula = $("quiz-formula");
  const layers = Array.from({ length: q.layers }, (_, i) => i + 1);
  fillSelect(layer, layers, (l) => (l === q.layers ? t("quiz_layer_output", { l }) : t("quiz_layer_n", { l })),
             Number(layer.value) || undefined);
  fillSelect(formula, CHOICES.formulas, (f) => t("formula_" + f) + t("colon") + FORMULA_TEXT[f], formula.value || undefined);
  const open = q.active;
  for (const id of ["quiz-layer", "quiz-formula", "quiz-answer", "quiz-reveal"]) $(id).disabled = !open;
  $("quiz-intro").textContent = open ? t("quiz_intro", { L: q.layers }) : "";
  renderQuizResult(q);
}

function renderQuizResult(q) {
  const box = $("quiz-result");
  const a = S.quizAnswer;
  const parts = [];
  if (a && !a.right && q.active) {
    const which = a.layer_right ? "quiz_wrong_formula" : a.formula_right ? "quiz_wrong_layer" : "quiz_wrong_both";
    parts.push(richText(document.createElement("p"), t(which) + " " + t("quiz_tries", { n: q.tries })));
  }
  if (!q.active) {
    const head = q.solved ? t("quiz_right", { n: q.tries }) : t("quiz_revealed");
    parts.push(richText(document.createElement("p"), head));
    const where = t("bug_explain_" + q.bug, { l: q.layer, lm1: q.layer - 1, L: q.layers });
    parts.push(richText(document.createElement("p"), where));
    parts.push(richText(document.createElement("p"), t("quiz_formula_is") + " `" + FORMULA_TEXT[q.formula] + "`"));
    const list = document.createElement("ul");
    if (renderHints(list, q.hints || [])) parts.push(richText(document.createElement("p"), t("quiz_check_said")), list);
    else if (!q.checked) parts.push(richText(document.createElement("p"), t("quiz_no_check")));
  }
  box.replaceChildren(...parts);
  box.className = q.active ? (a && !a.right ? "quiz-wrong" : "") : q.solved ? "quiz-right" : "quiz-revealed";
}

// the hand-planted bug's controls step aside while a bug is hidden
function renderBugControls() {
  const hiding = !!(S.quiz && S.quiz.active);
  for (const id of ["bug", "plant"]) $(id).disabled = hiding;
  $("quiz").disabled = hiding;
  if (hiding) $("bug-status").textContent = "";
}

// ---------------------------------------------------------------------------------- the initialization race
function renderRace() {
  const r = S.race;
  if (!r) return;
  const box = $("race-lanes");
  box.classList.remove("hidden");
  $("race-chart").classList.remove("hidden");
  $("race-stop").classList.toggle("hidden", r.done);
  const how = t(r.optimizer === "gd" ? "race_with_gd" : "race_with_setup", { lr: r.learning_rate });
  $("race-epoch").textContent = (r.done ? t("race_done", { epochs: r.epochs })
    : t("race_epoch", { epoch: Math.max(...r.lanes.map((l) => l.epoch)), epochs: r.epochs })) + t("sep") + how;
  if (box.children.length !== r.lanes.length) {
    box.replaceChildren(...r.lanes.map(() => {
      const lane = document.createElement("div");
      lane.className = "lane";
      const canvas = document.createElement("canvas");
      canvas.width = 110; canvas.height = 110;
      const name = document.createElement("div"), stats = document.createElement("div");
      name.className = "lane-name"; stats.className = "lane-stats";
      lane.append(canvas, name, stats);
      return lane;
    }));
  }
  r.lanes.forEach((lane, i) => {
    const el = box.children[i];
    const canvas = el.querySelector("canvas");
    drawGrid(canvas, decode64(lane.boundary), r.grid, LUT_LIGHT);
    if (S.train) drawPoints(canvas, S.train, false, 1.6);
    const key = document.createElement("i");
    key.style.background = RACE_COLORS[i];
    el.querySelector(".lane-name").replaceChildren(key, document.createTextNode(t("lane_" + lane.label)));
    el.dataset.cost = lane.train_cost === null ? "" : String(lane.train_cost);
    const stats = t("lane_stats", { cost: fmt(lane.train_cost), acc: pct(lane.dev_acc) });
    // a lane that diverged keeps its last good weights: their numbers, and the epoch it stopped at
    el.querySelector(".lane-stats").textContent = lane.stopped
      ? t("diverged_at", { epoch: lane.epoch }) + t("sep") + stats : stats;
  });
  drawChart($("race-chart"), r.lanes.map((lane, i) => ({ x: lane.curve.epoch, y: lane.curve.train_cost,
                                                          color: RACE_COLORS[i] })), { log: true, xmode: "log" });
}

function wireTeaching() {
  $("gradcheck").addEventListener("click", () => { if (send({ type: "gradcheck" })) $("gradcheck").disabled = true; });
  $("plant").addEventListener("click", () => send({ type: "plant_bug", bug: $("bug").value }));
  $("quiz").addEventListener("click", () => { S.quizAnswer = null; send({ type: "quiz" }); });
  $("quiz-answer").addEventListener("click", () => send({ type: "quiz_answer", layer: Number($("quiz-layer").value),
                                                          formula: $("quiz-formula").value }));
  $("quiz-reveal").addEventListener("click", () => send({ type: "quiz_reveal" }));
  $("quiz-stop").addEventListener("click", () => send({ type: "quiz_stop" }));
  $("race").addEventListener("click", () => {
    const race = { type: "race", epochs: Number($("race-epochs").value), optimizer: $("race-optimizer").value };
    if (send(race)) $("race-lanes").replaceChildren();
  });
  $("race-stop").addEventListener("click", () => send({ type: "race_stop" }));
}
