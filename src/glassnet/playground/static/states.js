// What the page says about itself, once each: the connection (connecting, lost, a tab refused), a run that
// started again (reset, a new setup, a restarted server, a reloaded page), settings changed while it runs, and
// clicks that could not be sent. Also: the address's setup applied when it is edited, and the explanations.
"use strict";

const RELOAD_KEY = "glassnet-playground-epoch";

// ---------------------------------------------------------------------------------- the connection
function connect() {
  const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
  const ws = new WebSocket(url);
  S.ws = ws;
  // the first connection says "connecting"; while reconnecting, the one message stays "connection lost"
  if (!S.refused && !S.everConnected) showConnection(t("connecting"));
  ws.onopen = () => { S.retry = 500; };
  ws.onmessage = (event) => handle(JSON.parse(event.data));
  ws.onclose = () => {
    S.running = false;
    renderPlay();
    document.body.classList.add("offline");
    // a refused tab keeps its one message ("too many tabs") and tries again now and then
    if (!S.refused) showConnection(t(S.everConnected ? "disconnected" : "connecting"));
    const wait = S.refused ? 10000 : S.retry;
    setTimeout(connect, wait);
    S.retry = Math.min(S.retry * 2, 8000);
  };
}

function onHello(msg) {
  Object.assign(CHOICES, msg.choices);  // the menus are built from the server's lists
  buildDatasets();
  S.limits = msg.limits;
  S.serverSpeed = msg.speed;
  S.newSession = true;  // this connection has its own new session on the server: the run starts at epoch 0
  S.refused = false;
  hideConnection();
  document.body.classList.remove("offline");
  const fromUrl = readUrl();
  S.pendingUrlConfig = Object.keys(fromUrl.config).length ? fromUrl.config : null;
  if (S.pendingUrlConfig && S.pendingUrlConfig.data === "upload") delete S.pendingUrlConfig.data;
  if (S.speed !== null && !CHOICES.speeds.includes(S.speed)) S.speed = null;  // not a speed the server has
  if (fromUrl.speed !== null) S.speed = fromUrl.speed;
  else if (S.speed === null) S.speed = msg.speed;  // the server's default until the learner picks one
  if (S.speed !== S.serverSpeed) send({ type: "speed", epochs_per_second: S.speed });
}

// the first state of a new session: say why the run is at epoch 0 when the learner had one going
function sayNewSession() {
  if (!S.newSession) return;
  S.newSession = false;
  if (S.everConnected) {
    toast(t("server_restarted", { epoch: S.lastEpoch.toLocaleString() }));
  } else {
    let before = 0;
    try { before = Number(sessionStorage.getItem(RELOAD_KEY) || 0); } catch (err) { before = 0; }
    if (before > 0) toast(t("page_reloaded", { epoch: before.toLocaleString() }));
  }
  S.everConnected = true;
}

function rememberEpoch(epoch) {
  S.lastEpoch = epoch;
  try { sessionStorage.setItem(RELOAD_KEY, String(epoch)); } catch (err) { /* storage off: nothing to say later */ }
}

function onRefused(msg) {
  S.refused = true;
  showConnection(t("err_too_many_sessions", msg.params || {}));
}

// a click while the server cannot hear it is not dropped silently
function notSent() { toast(t("not_sent")); }

// ---------------------------------------------------------------------------------- runs and live changes
// the line under the epoch counter: what last happened to the run (words made again in a new language)
function runNote(words) {
  S.note = words;
  renderRunNote();
}

function renderRunNote() {
  const el = $("run-note");
  const text = S.note ? S.note() : "";
  el.textContent = text;
  el.classList.toggle("hidden", !text);
}

// a new run: the reset button, a setup that changes the network or the data, or an upload
function sayNewRun(asked) {
  if (asked === "reset") runNote(() => t("note_reset"));
  else if (asked && asked.length) runNote(() => t("note_restart", { what: asked.map(fieldName).join(t("list_sep")) }));
  else runNote(null);
}

function fieldName(field) { return t("field_" + field); }

function changeText(entry) {
  const words = Object.entries(entry.changes).map(([field, [before, after]]) =>
    t("change_pair", { field: fieldName(field), from: valueText(field, before), to: valueText(field, after) }));
  return t("change_at", { epoch: entry.epoch.toLocaleString(), what: words.join(t("list_sep")) });
}

function valueText(field, v) {
  if (field === "optimizer") return t("opt_" + v);
  if (field === "batch") return v === 0 ? t("full_batch") : String(v);
  if (field === "keep_prob") return "[" + v.join(", ") + "]";
  return String(v);
}

function onLive(msg) {
  S.config = msg.config;
  S.changes = msg.changes || [];
  renderControls();
  renderKeepSelects();
  writeUrl();
  if (msg.change) { const change = msg.change; runNote(() => t("note_live", { what: changeText(change) })); }
  renderChanges();
  renderCharts();
}

function renderChanges() {
  const list = $("changes");
  const items = (S.changes || []).map((entry, i) => {
    const li = document.createElement("li");
    li.textContent = `${i + 1}. ${changeText(entry)}`;
    return li;
  });
  list.replaceChildren(...items);
  list.classList.toggle("hidden", !items.length);
}

// ---------------------------------------------------------------------------------- the address, edited by hand
function onHashChange() {
  const { config, lang, speed } = readUrl();
  if (lang && lang !== LANG) switchLanguage(lang);
  if (speed !== null && speed !== S.speed) setSpeed(speed);
  if (!S.config) return;
  const partial = {};
  for (const [field, value] of Object.entries(config)) {
    if (field === "data" && value === "upload") continue;
    if (JSON.stringify(value) !== JSON.stringify(S.config[field])) partial[field] = value;
  }
  if (Object.keys(partial).length) { S.asked = Object.keys(partial); sendConfig(partial); }
}

// ---------------------------------------------------------------------------------- explanations
// Every control's explanation (its tooltip) is also said where touch and keyboards reach it: with
// "Explain" on, the explanation of the control in focus or last touched shows in a bar at the bottom.
function explainFor(target) {
  const el = target && target.closest ? target.closest("[title]") : null;
  return el ? el.title : "";
}

function showExplanation(event) {
  if (!document.body.classList.contains("explaining")) return;
  const text = explainFor(event.target);
  if (text) $("explain-bar").textContent = text;
}

function wireExplanations() {
  $("explain").addEventListener("click", () => {
    const on = document.body.classList.toggle("explaining");
    $("explain").setAttribute("aria-pressed", on ? "true" : "false");
    $("explain-bar").textContent = on ? t("explain_hint") : "";
    $("explain-bar").classList.toggle("hidden", !on);
  });
  document.addEventListener("focusin", showExplanation);
  document.addEventListener("pointerdown", showExplanation);
}
