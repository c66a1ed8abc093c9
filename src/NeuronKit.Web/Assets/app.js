// NeuronKit's web view: every number on the page comes from /api/, which answers what the neuron CLI prints with --json.
"use strict";

const state = { files: [], inputs: [], file: null, layers: null, layer: null, neuron: null, stats: null, sort: { key: "neuron", asc: true } };
const $ = (selector, root = document) => root.querySelector(selector);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function query(params) {
  return Object.entries(params).filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
}

async function api(path, params) {
  const response = await fetch(`/api/${path}?${query(params)}`);
  const body = await response.json();
  if (!response.ok) throw Object.assign(new Error(body.error), { hints: body.hints || [], status: response.status });
  return body;
}

function showError(error) {
  const box = $("#error");
  box.textContent = [`error: ${error.message}`, ...(error.hints || []).map(h => `hint: ${h}`)].join("\n");
  box.hidden = false;
  clearTimeout(showError.timer);
  showError.timer = setTimeout(() => { box.hidden = true; }, 8000);
}

// The address bar holds where we are (#file=0&layer=fc&neuron=3), so reloading, the back button and links work.
function go(place) {
  const params = { file: place.file ?? state.file, layer: place.layer, neuron: place.neuron };
  location.hash = query(params);
}

function place() {
  const params = new URLSearchParams(location.hash.slice(1));
  const neuron = params.get("neuron");
  return { file: params.get("file") ?? "0", layer: params.get("layer"), neuron: neuron === null ? null : Number(neuron) };
}

async function route() {
  const where = place();
  try {
    if (where.file !== state.file || !state.layers) await openFile(where.file);
    if (where.layer === null) { showFile(); return; }
    if (where.neuron === null) await showLayer(where.layer);
    else await showNeuron(where.layer, where.neuron);
  } catch (error) {
    showError(error);
  }
}

async function openFile(file) {
  state.file = file;
  state.layers = await api("layers", { file });
  state.stats = null;
  $("#file-title").textContent = `${state.layers.file} (${state.layers.format})`;
  for (const link of document.querySelectorAll("#files a")) link.classList.toggle("current", link.dataset.file === file);
  const body = $("#layers tbody");
  body.replaceChildren(...state.layers.layers.map(layer =>
    el("tr", { "data-layer": layer.name, onclick: () => go({ layer: layer.name }) },
      el("td", {}, layer.name), el("td", {}, layer.kind + (layer.assumed ? "*" : "")), el("td", { class: "num" }, String(layer.neurons)))));
}

function markLayer(name) {
  for (const row of document.querySelectorAll("#layers tbody tr")) row.classList.toggle("current", row.dataset.layer === name);
}

function showFile() {
  markLayer(null);
  state.layer = null;
  const count = state.layers.layers.length;
  $("#view").replaceChildren(el("h2", { class: "title" }, state.layers.file),
    el("p", { class: "sub" }, `${state.layers.format} · ${count} layer${count === 1 ? "" : "s"}`),
    el("p", { class: "hint" }, "Pick a layer on the left; in a layer, click a neuron or press →."));
}

// A layer as the CLI finds it: its name, a recurrent module's bare name when it has one sub-layer, or a tensor's name.
function layerInfo(name) {
  const layers = state.layers.layers;
  const found = layers.find(l => l.name === name) ?? layers.find(l => (l.tensors || []).some(t => t.name === name));
  if (found) return found;
  const subLayers = layers.filter(l => l.name.startsWith(`${name}.`));
  return subLayers.length === 1 ? subLayers[0] : undefined;
}

function picture(params, alt) {
  const image = el("img", { src: `/api/render?${query({ file: state.file, ...params })}`, alt });
  image.addEventListener("error", () => image.remove());
  return image;
}

// A layer's stats; one of more neurons than an answer carries (a 413: a vocabulary's 50,000 rows) comes as its summary
// alone (top=0), its rows marked as left out.
async function layerStats(name) {
  if (state.stats?.name !== name) {
    let stats, rowsLeftOut = false;
    try {
      stats = await api("stats", { file: state.file, layer: name });
    } catch (error) {
      if (error.status !== 413) throw error;
      stats = await api("stats", { file: state.file, layer: name, top: 0 });
      rowsLeftOut = true;
    }
    state.stats = { name, rowsLeftOut, layer: stats.layers.find(l => l.name === name) ?? null };
  }
  return state.stats.layer;
}

const flagNames = row => [row.dead && "dead", row.duplicate_of !== null && row.duplicate_of !== undefined && "duplicate",
  row.outlier && "outlier", row.unused && "unused"].filter(Boolean);

const statsColumns = ["neuron", "weights", "l2", "l1", "mean", "std", "min", "max", "zero_fraction", "bias", "outgoing_l2"];

async function showLayer(asked) {
  const info = layerInfo(asked);
  if (!info) throw new Error(`no layer '${asked}' in ${state.layers.file}`);
  const name = info.name;
  state.layer = name;
  state.neuron = null;
  markLayer(name);
  const view = $("#view");
  view.replaceChildren(el("h2", { class: "title" }, `${name}`),
    el("p", { class: "sub" }, `${info.kind} · ${info.neurons} neurons · ${info.layout ?? ""}`),
    el("ul", { class: "evidence" }, (info.evidence || []).map(e => el("li", {}, e))));
  if (info.neurons === 0) return;
  view.append(el("div", { class: "pictures" }, picture({ layer: name }, `${name}: every neuron`), picture({ layer: name, hist: 1 }, `${name}: histograms`)));
  const stats = await layerStats(name);
  if (state.layer !== name || !stats) return;
  view.append(statsSummary(stats.summary), state.stats.rowsLeftOut
    ? el("p", { class: "hint", id: "stats-rows-left-out" }, `${info.neurons} neurons are more rows than one answer carries: step through them with ← and →, ` +
      `or list some with neuron stats FILE ${name} --top N --sort KEY`)
    : statsTable(stats));
}

function statsSummary(summary) {
  const items = ["weights", "min", "max", "l2_median", "dead", "duplicates", "outliers", "unused"].filter(k => k in summary);
  return el("dl", { class: "summary" }, items.flatMap(k => [el("dt", {}, k), el("dd", {}, number(summary[k]))]));
}

function statsTable(stats) {
  const { key, asc } = state.sort;
  const rows = [...stats.stats].sort((a, b) => compare(a[key], b[key]) * (asc ? 1 : -1));
  const head = el("tr", {}, statsColumns.map(column => el("th", {
    class: [column === key && "sorted", column === key && asc && "asc", column !== "neuron" && "num"].filter(Boolean).join(" "),
    "data-key": column,
    onclick: () => { state.sort = { key: column, asc: column === key ? !asc : column === "neuron" }; $("table.stats").replaceWith(statsTable(stats)); },
  }, column)), el("th", {}, "flags"));
  const body = rows.map(row => el("tr", {
    class: flagNames(row).length ? "flagged" : null, "data-neuron": row.neuron, onclick: () => go({ layer: state.layer, neuron: row.neuron }),
  }, statsColumns.map(column => el("td", { class: column === "neuron" ? null : "num" }, number(row[column]))),
  el("td", {}, flagNames(row).map(flag => el("span", { class: `flag ${flag}` }, flag === "duplicate" ? `duplicate of ${row.duplicate_of}` : flag)))));
  return el("table", { class: "stats" }, el("thead", {}, head), el("tbody", {}, body));
}

function compare(a, b) {
  const value = v => (v === null || v === undefined ? -Infinity : typeof v === "string" ? Number(v) : v);
  return value(a) - value(b) || 0;
}

// Six significant digits, less the fraction's trailing zeros (250000.3 stays 250000; 1.5e+10 keeps its exponent's 0).
function number(value) {
  if (value === null || value === undefined) return "–";
  if (typeof value !== "number" || Number.isInteger(value)) return String(value);
  const [mantissa, exponent] = value.toPrecision(6).split("e");
  const trimmed = mantissa.includes(".") ? mantissa.replace(/\.?0+$/, "") : mantissa;
  return exponent === undefined ? trimmed : `${trimmed}e${exponent}`;
}

async function showNeuron(asked, index) {
  const info = layerInfo(asked);
  if (!info) throw new Error(`no layer '${asked}' in ${state.layers.file}`);
  const name = info.name;
  // Incoming only where no consumer is known (400), or where the outgoing weights make more values than an answer
  // carries (413: a conv channel read through a flatten by a wide Linear), which the page then says.
  let neuron, tooMany = null;
  try {
    neuron = await api("show", { file: state.file, layer: name, neuron: index, outgoing: true });
  } catch (error) {
    if (error.status !== 400 && error.status !== 413) throw error;
    if (error.status === 413) tooMany = error;
    neuron = await api("show", { file: state.file, layer: name, neuron: index });
  }
  state.layer = name;
  state.neuron = neuron.neuron;
  markLayer(name);
  const json = `/api/show?${query({ file: state.file, layer: name, neuron: neuron.neuron, outgoing: true })}`;
  const outgoing = neuron.parts.some(p => p.direction !== "in") ? 1 : null;
  const npz = `/api/npz?${query({ file: state.file, layer: name, neuron: neuron.neuron, outgoing })}`;
  const last = info.neurons - 1;
  const view = $("#view");
  view.replaceChildren(
    el("h2", { class: "title", id: "neuron-title" }, `${name} · neuron ${neuron.neuron} of ${info.neurons}`),
    el("p", { class: "sub" }, `${info.kind} · `, el("a", { onclick: () => go({ layer: name }) }, "layer stats"), " · ", el("a", { href: json, id: "json-link" }, "JSON"),
      " · ", el("a", { href: npz, id: "npz-link", download: "" }, "NumPy .npz")),
    el("div", { class: "stepper" },
      el("button", { disabled: neuron.neuron <= 0, onclick: () => step(-1) }, "← previous"),
      el("button", { disabled: neuron.neuron >= last, onclick: () => step(1) }, "next →")),
    el("div", { class: "pictures" }, picture({ layer: name, neuron: neuron.neuron, outgoing },
      `${name} neuron ${neuron.neuron}`)));
  const stats = state.stats?.name === name ? state.stats.layer?.stats.find(s => s.neuron === neuron.neuron) : null;
  if (stats) view.append(el("p", { class: "sub" }, "flags: ", flagNames(stats).length ? flagNames(stats).join(", ") : "none"));
  if (tooMany) view.append(el("p", { class: "hint", id: "outgoing-left-out" },
    `Its outgoing weights are left out: with them, ${tooMany.message}; ${tooMany.hints.join("; ")}`));
  for (const part of neuron.parts) view.append(partView(part));
  if (neuron.effective_bias !== undefined) view.append(el("p", {}, "effective bias: ", JSON.stringify(neuron.effective_bias)));
  if (state.inputs.length > 0) view.append(await topInputs(name, neuron.neuron));
}

// With serve --inputs DIR: the inputs that activate this neuron most (ONNX models; nothing for other files).
async function topInputs(name, index) {
  const section = el("section", { id: "top-inputs" });
  try {
    const top = await api("top", { file: state.file, layer: name, neuron: index, k: 8 });
    section.append(el("h3", {}, `The ${top.top.length} of ${top.inputs} inputs that activate it most (by ${top.by})`),
      el("div", { class: "gallery" }, top.top.map(t => el("figure", { "data-input": t.input },
        /\.(png|jpe?g)$/i.test(t.input) ? el("img", { src: `/api/input?${query({ name: t.input })}`, alt: t.input }) : null,
        el("figcaption", {}, `${t.input}: ${number(t.value)}`)))));
  } catch (error) {
    if (error.status !== 400) showError(error);
  }
  return section;
}

function partView(part) {
  const flat = [];
  (function walk(v) { if (Array.isArray(v) && !(v.length === 2 && part.dtype.startsWith("complex") && !Array.isArray(v[0]))) v.forEach(walk); else flat.push(v); })(part.values);
  const numbers = flat.filter(v => typeof v === "number");
  const sum = numbers.reduce((s, v) => s + v, 0), l2 = Math.sqrt(numbers.reduce((s, v) => s + v * v, 0));
  const summary = numbers.length ? [["values", flat.length], ["min", Math.min(...numbers)], ["max", Math.max(...numbers)], ["mean", sum / numbers.length], ["l2", l2]] : [["values", flat.length]];
  const consumer = part.consumer ? [" · ", el("a", { class: "consumer", onclick: () => go({ layer: part.consumer }) }, `consumer ${part.consumer}`)] : [];
  return el("div", { class: `part ${part.direction}`, "data-tensor": part.tensor, "data-index": part.index, "data-direction": part.direction },
    el("h3", {}, `${part.tensor}${part.index}`),
    el("div", { class: "meta" }, `${part.role}${part.gate ? ` (gate ${part.gate})` : ""} · ${part.direction} · [${part.shape.join(", ")}] ${part.dtype}`, ...consumer),
    el("dl", { class: "summary" }, summary.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, number(v))])),
    el("div", { class: "values" }, nested(part.values)),
    part.quantized ? storedView(part.quantized) : null);
}

// A quantized part's stored side (show --raw): its integers, and the scale and zero point (and min) that turn each into
// its value; or its codes, their scales and the codebook the codes index.
function storedView(q) {
  return el("details", { class: "stored" },
    el("summary", {}, `stored ${q.codebook === undefined ? "integers" : "codes"} (${q.scheme}${q.axis === null ? "" : `, axis ${q.axis}`})`),
    el("div", { class: "integers" }, nested(q.values)),
    el("div", { class: "label" }, "scale"), el("div", { class: "scale" }, nested(q.scale)),
    ...(q.zero_point === undefined ? [] : [el("div", { class: "label" }, "zero point"), el("div", { class: "zero-point" }, nested(q.zero_point))]),
    ...(q.min === undefined ? [] : [el("div", { class: "label" }, "min"), el("div", { class: "min" }, nested(q.min))]),
    ...(q.codebook === undefined ? [] : [el("div", { class: "label" }, "codebook"), el("div", { class: "codebook" }, nested(q.codebook))]));
}

function nested(values, depth = 0) {
  if (!Array.isArray(values)) return String(values);
  if (values.every(v => !Array.isArray(v))) return `[${values.map(String).join(", ")}]`;
  const pad = " ".repeat(depth + 1);
  return `[${values.map(v => nested(v, depth + 1)).join(`,\n${pad}`)}]`;
}

function step(delta) {
  if (state.layer === null) return;
  const info = layerInfo(state.layer);
  const next = state.neuron === null ? (delta > 0 ? 0 : info.neurons - 1) : state.neuron + delta;
  if (next >= 0 && next < info.neurons) go({ layer: state.layer, neuron: next });
}

function stepLayer(delta) {
  const names = state.layers.layers.map(l => l.name);
  const next = names[names.indexOf(state.layer) + delta] ?? names[delta > 0 ? 0 : names.length - 1];
  if (next !== undefined) go({ layer: next });
}

document.addEventListener("keydown", event => {
  if (event.target.closest("input, textarea, select") || event.altKey || event.ctrlKey || event.metaKey) return;
  const action = { ArrowRight: () => step(1), ArrowLeft: () => step(-1), ArrowDown: () => stepLayer(1), ArrowUp: () => stepLayer(-1) }[event.key];
  if (action) { event.preventDefault(); action(); }
});

window.addEventListener("hashchange", route);

(async () => {
  try {
    state.files = await api("files", {});
    state.inputs = await api("inputs", {});
    $("#files").replaceChildren(...state.files.map(f => el("a", { "data-file": String(f.index), onclick: () => go({ file: String(f.index) }) }, f.name)));
  } catch (error) {
    showError(error);
  }
  await route();
})();
