// panocolor's page: a thin client of the JSON API documented at /docs.
"use strict";

const $ = (selector) => document.querySelector(selector);
const state = { base: "", images: [], gallery: [], segment: null, hints: [], canUndo: false };

async function api(path, options = {}) {
  const response = await fetch(path, options);
  const isJson = (response.headers.get("content-type") || "").includes("json");
  const body = isJson ? await response.json() : null;
  if (!response.ok) throw new Error(body?.detail || `${response.status} ${response.statusText}`);
  return body;
}

const send = (method, body) => ({
  method,
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify(body),
});
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function showError(error) {
  $("#error").textContent = error ? error.message || String(error) : "";
  $("#error").hidden = !error;
}

function thumb(src, title, onClick, onRemove) {
  const item = document.createElement("li");
  const img = document.createElement("img");
  img.src = src;
  img.alt = img.title = title;
  if (onClick) img.addEventListener("click", onClick);
  item.append(img, title);
  if (onRemove) {
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "remove";
    remove.textContent = "×";
    remove.title = `Remove ${title}`;
    remove.setAttribute("aria-label", remove.title);
    remove.addEventListener("click", onRemove);
    item.append(remove);
  }
  return item;
}

async function removeImage(image) {
  showError(null);
  try {
    await api(`${state.base}/images/${image.id}`, { method: "DELETE" });
  } catch (error) {
    showError(new Error(`${image.name}: ${error.message}`));
    return;
  }
  state.images = state.images.filter((i) => i.id !== image.id);
  render();
  if (state.segment && !$("#segment-panel").hidden) {
    if (state.segment.reference === image.id) {
      Object.assign(state.segment, { reference: null, reference_name: null, reason: null });
    }
    showSegment(state.segment);
  }
}

function render() {
  const target = state.images.find((i) => i.role === "target");
  const references = state.images.filter((i) => i.role === "reference");
  $("#target-thumb").hidden = !target;
  if (target) $("#target-thumb").src = target.preview_url;
  $("#references").replaceChildren(
    ...references.map((r) => thumb(r.preview_url, r.name, null, () => removeImage(r))),
  );
  $("#notes").textContent = state.images.flatMap((i) => i.warnings).join(" ");
  $("#colorize").disabled = !target || (!references.length && !state.hints.length);
}

async function upload(files, role) {
  showError(null);
  for (const file of files) {
    const form = new FormData();
    form.append("file", file);
    form.append("role", role);
    $("#status").textContent = `Uploading ${file.name}…`;
    try {
      addImage(await api(`${state.base}/images`, { method: "POST", body: form }));
    } catch (error) {
      showError(new Error(`${file.name}: ${error.message}`));
    }
  }
  $("#status").textContent = "";
  render();
}

function addImage(image) {
  if (image.role === "target") {
    state.images = state.images.filter((i) => i.role !== "target");
    clearResult();  // the server dropped the old photo's result and segments
  }
  state.images.push(image);
}

function clearResult() {
  for (const id of ["#compare", "#download", "#overlay", "#segment-panel", "#hint-tools"]) $(id).hidden = true;
  showHints({ hints: [], can_undo: false });  // the server dropped the old photo's hints
  $("#segments-note").textContent = "Segments appear here after colorizing; click one to change it.";
  state.segment = null;
}

async function addFromGallery(id) {
  const image = await api(`${state.base}/images/gallery`, send("POST", { gallery_id: id }));
  addImage(image);
  render();
  return image.id;
}

function dropZone(zone, input, role) {
  zone.addEventListener("click", () => input.click());
  input.addEventListener("change", () => upload([...input.files], role).then(() => (input.value = "")));
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    upload([...event.dataTransfer.files], role);
  });
}

async function colorize() {
  showError(null);
  $("#colorize").disabled = true;
  try {
    let job = await api(`${state.base}/colorize`, send("POST", {}));
    while (job.state !== "done" && job.state !== "error") {
      $("#status").textContent = `Job ${job.state}…`;
      await sleep(250);
      job = await api(job.url);
    }
    if (job.state === "error") throw new Error(job.error);
    $("#status").textContent = `Done in ${job.timings.total.toFixed(1)} s.`;
    await showResult();
  } catch (error) {
    $("#status").textContent = "";
    showError(error);
  } finally {
    render();
  }
}

async function showResult() {
  const version = Date.now();
  const target = state.images.find((i) => i.role === "target");
  $("#before").src = target.preview_url;
  $("#after").src = `${state.base}/result.png?v=${version}`;
  await $("#after").decode();
  $("#compare").hidden = false;
  $("#hint-tools").hidden = false;
  $("#download").href = `${state.base}/result.png?download=true`;
  $("#download").hidden = false;
  try {
    const info = await api(`${state.base}/segments`);
    $("#overlay").src = `${info.overlay_url}?v=${version}`;
    $("#overlay").hidden = false;
    $("#segments-note").textContent = info.note || `${info.segments.length} segments: click one.`;
    const again = info.segments.find((s) => s.id === state.segment?.id);
    if (again) showSegment(again);
  } catch (error) {
    $("#segments-note").textContent = error.message;
  }
}

function option(value, text) {
  const item = document.createElement("option");
  item.value = value;
  item.textContent = text;
  return item;
}

function showSegment(segment) {
  state.segment = segment;
  $("#segment-panel").hidden = false;
  $("#segment-title").textContent = `Segment #${segment.id}: ${segment.label}`;
  const from = segment.reference_name ? `${segment.reference_name} (${segment.reason})` : "—";
  $("#segment-source").textContent = `Colour from: ${from}; detected as ${segment.detected_label}.`;
  $("#segment-label").value = segment.label;
  const suggested = new Set(segment.suggestions.map((g) => g.id));
  $("#segment-reference").replaceChildren(
    option("", "automatic choice"),
    ...state.images.filter((i) => i.role === "reference").map((i) => option(i.id, i.name)),
    ...segment.suggestions.map((g) => option(`g:${g.id}`, `★ gallery: ${g.name}`)),
    ...state.gallery.filter((g) => !suggested.has(g.id)).map((g) => option(`g:${g.id}`, `gallery: ${g.name}`)),
  );
  $("#segment-reference").value = segment.reason === "segment" ? segment.reference : "";
}

async function pickSegment(event) {
  const box = event.target.getBoundingClientRect();
  const x = Math.min(Math.max((event.clientX - box.left) / box.width, 0), 1);
  const y = Math.min(Math.max((event.clientY - box.top) / box.height, 0), 1);
  try {
    showSegment(await api(`${state.base}/segments/at?x=${x}&y=${y}`));
  } catch (error) {
    showError(error);
  }
}

async function applySegment(event) {
  event.preventDefault();
  showError(null);
  try {
    let reference = $("#segment-reference").value || null;
    if (reference?.startsWith("g:")) reference = await addFromGallery(reference.slice(2));
    const body = { reference, label: $("#segment-label").value.trim() };
    showSegment(await api(`${state.base}/segments/${state.segment.id}`, send("PUT", body)));
    await colorize();
  } catch (error) {
    showError(error);
  }
}

// Colour hints: a dot on the photo per hint, a list to remove them, undo; every change
// colorizes again. Positions are pixels of the full-size gray photo.
function targetSize() {
  const target = state.images.find((i) => i.role === "target");
  return target ? [target.width, target.height] : [1, 1];
}

function pixelAt(event) {
  const box = $("#frame").getBoundingClientRect();
  const [width, height] = targetSize();
  const fx = Math.min(Math.max((event.clientX - box.left) / box.width, 0), 1 - 1e-9);
  const fy = Math.min(Math.max((event.clientY - box.top) / box.height, 0), 1 - 1e-9);
  return { x: Math.floor(fx * width), y: Math.floor(fy * height) };
}

function showHints(info) {
  state.hints = info.hints;
  state.canUndo = info.can_undo;
  $("#hint-undo").disabled = !state.canUndo;
  const [width, height] = targetSize();
  $("#hint-marks").replaceChildren(
    ...state.hints.map((hint, index) => {
      const mark = document.createElement("span");
      mark.className = "mark";
      mark.title = `Hint ${index + 1}`;
      mark.style.background = hint.colour;
      mark.style.left = `${((hint.x + 0.5) / width) * 100}%`;
      mark.style.top = `${((hint.y + 0.5) / height) * 100}%`;
      mark.addEventListener("pointerdown", (event) => dragHint(event, hint, mark));
      return mark;
    }),
  );
  $("#hints").replaceChildren(
    ...state.hints.map((hint, index) => {
      const item = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = hint.colour;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = "Remove";
      remove.setAttribute("aria-label", `Remove hint ${index + 1}`);
      remove.addEventListener("click", () => changeHints(`/hints/${hint.id}`, { method: "DELETE" }));
      item.append(swatch, `${index + 1}: x ${hint.x}, y ${hint.y} ${hint.colour}`, remove);
      return item;
    }),
  );
  render();
}

async function changeHints(path, options) {
  showError(null);
  try {
    await api(`${state.base}${path}`, options);
    showHints(await api(`${state.base}/hints`));
    await colorize();
  } catch (error) {
    showError(error);
  }
}

function addHint(event) {
  if (!$("#hint-mode").checked || event.target.classList.contains("mark")) return;
  const body = { ...pixelAt(event), colour: $("#hint-colour").value };
  changeHints("/hints", send("POST", body));
}

function dragHint(event, hint, mark) {
  event.preventDefault();
  mark.setPointerCapture(event.pointerId);
  const box = $("#frame").getBoundingClientRect();
  const move = (e) => {
    mark.style.left = `${Math.min(Math.max((e.clientX - box.left) / box.width, 0), 1) * 100}%`;
    mark.style.top = `${Math.min(Math.max((e.clientY - box.top) / box.height, 0), 1) * 100}%`;
  };
  const drop = (e) => {
    mark.removeEventListener("pointermove", move);
    const to = pixelAt(e);
    if (to.x !== hint.x || to.y !== hint.y) changeHints(`/hints/${hint.id}`, send("PUT", to));
  };
  mark.addEventListener("pointermove", move);
  mark.addEventListener("pointerup", drop, { once: true });
}

async function start() {
  try {
    const session = await api("/api/sessions", { method: "POST" });
    state.base = `/api/sessions/${session.session_id}`;
    state.gallery = (await api("/api/gallery")).items;
  } catch (error) {
    showError(error);
    return;
  }
  $("#gallery-box").hidden = !state.gallery.length;
  $("#gallery").replaceChildren(
    ...state.gallery.map((g) => thumb(g.preview_url, g.name, () => addFromGallery(g.id).catch(showError))),
  );
  dropZone($("#target-drop"), $("#target-input"), "target");
  dropZone($("#reference-drop"), $("#reference-input"), "reference");
  $("#colorize").addEventListener("click", colorize);
  $("#overlay").addEventListener("click", pickSegment);
  $("#frame").addEventListener("click", addHint);
  $("#hint-mode").addEventListener("change", (event) => {
    $("#frame").classList.toggle("hinting", event.target.checked);
  });
  $("#hint-undo").addEventListener("click", () => changeHints("/hints/undo", { method: "POST" }));
  $("#segment-panel").addEventListener("submit", applySegment);
  $("#slider").addEventListener("input", (event) => {
    $("#after").style.clipPath = `inset(0 0 0 ${event.target.value}%)`;
  });
  document.body.dataset.ready = "true";
}

start();
