/*
 * Causal Canvas DAG editor (plain ES module, no build step).
 *
 * Draws the workspace graph with the vendored vis-network and turns every user action into ONE
 * edit event {seq, type, ...}. Events wait in an outbox until Python acknowledges their sequence
 * number, so each is applied exactly once even when Streamlit coalesces reruns. Python (the
 * CausalGraph) is the only authority: the canvas shows Python's graph plus the still-unanswered
 * events applied optimistically, and redraws from Python's answer.
 *
 * Node names are user data: they only ever reach the page through textContent, canvas text,
 * DOM tooltips and XMLSerializer, never through innerHTML.
 */

const PNG_MIN_WIDTH = 1920;   // slide-sized PNG export (pixels)
const ROLE_PRIORITY = ["exposure", "outcome", "latent", "adjusted", "selected"];
const ROLE_NAMES = {
  exposure: "Exposure", outcome: "Outcome", adjusted: "Adjusted for",
  latent: "Latent (unmeasured)", selected: "Selected (conditioned)",
};
const HINTS = {
  select: [["Double-click", "empty space: new variable"], ["Shift-drag", "from a variable: arrow"],
           ["Double-click", "a variable: rename"], ["Shift-drag", "on empty space: select"],
           ["Del", "delete"], ["Ctrl+Z", "undo"]],
  edge: [["Drag", "from one variable to another (or click both) to draw an arrow"], ["Esc", "back to moving"]],
  bidirected: [["Drag", "between two variables to mark a latent common cause ↔"], ["Esc", "back to moving"]],
  kselect: [["Click", "a variable: set its tier"], ["Click", "an edge: change or delete it"],
            ["Shift-drag", "from a variable: required edge"], ["Del", "delete"], ["Ctrl+Z", "undo"]],
  required: [["Drag", "from a cause to its effect: that edge is required (always in the result)"], ["Esc", "back to selecting"]],
  forbidden: [["Drag", "from one variable to another: that edge is forbidden (never in the result)"], ["Esc", "back to selecting"]],
};

import { fitDrawing, openCircles } from "./view.js";

let visPromise = null;
// What a remounted editor takes over from its predecessor (Streamlit remounts an element when
// the page above it changes shape): its numbering, unanswered events, view and mode.
const MEMORY = new Map();
const LIVE = new Map();          // component key -> the editor currently mounted for it
const MEMORY_TTL_MS = 10000;

function loadVis(url) {
  if (globalThis.vis && globalThis.vis.Network) return Promise.resolve(globalThis.vis);
  if (!visPromise) {
    visPromise = new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = url;
      s.async = true;
      s.onload = () => resolve(globalThis.vis);
      s.onerror = () => { visPromise = null; reject(new Error("The drawing library could not be loaded.")); };
      document.head.appendChild(s);
    });
  }
  return visPromise;
}

function loadCss(root, url) {
  return new Promise((resolve) => {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = url;
    link.onload = () => resolve();
    link.onerror = () => resolve();
    root.appendChild(link);
  });
}

/* Tiny DOM builder: strings become text nodes, never markup. */
function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "style") node.setAttribute("style", v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return node;
}

const edgeId = (kind, a, b) => JSON.stringify([kind, a, b]);
const pair = (a, b) => (a <= b ? [a, b] : [b, a]);
/* Edge kinds from app.drawing: "d" a → b, "b" a ↔ b, and a PDAG's or PAG's marks: "u" a — b
   (direction undecided), "c" an edge with a circle mark (o: either mark). The delete event
   lists each kind under its own key. */
const KIND_KEY = { d: "edges", b: "bidirected", u: "undirected", c: "circle", kr: "required", kf: "forbidden" };
/* The knowledge canvas (options.knowledge) draws background knowledge instead of a graph:
   "kr" a required edge (bold arrow), "kf" a forbidden edge (red, dashed, crossed by ×). */
const KNOWLEDGE_KINDS = { kr: "required", kf: "forbidden" };
const symmetric = (kind) => kind === "b" || kind === "u";
/* Which ends of a drawn edge carry a mark, and which: "arrow", "circle" or null.
   vis-network takes `arrows` as a string ("to,from") or per end ({to: {enabled, type}}). */
function edgeEnds(e) {
  const a = e.arrows;
  if (a && typeof a === "object") {
    const end = (x) => (x && x.enabled !== false ? (x.type || "arrow") : null);
    return { from: end(a.from), to: end(a.to) };
  }
  const text = String(a || "");
  return { from: text.includes("from") ? "arrow" : null, to: text.includes("to") ? "arrow" : null };
}
const now = () => performance.now();
const nextFrame = () => new Promise((r) => requestAnimationFrame(() => r()));

function download(blob, name) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.style.display = "none";
  document.body.appendChild(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

class DagEditor {
  constructor(host) {
    this.host = host;
    this.nonce = Math.random().toString(36).slice(2, 10) + Date.now().toString(36);
    this.seq = 0;
    this.outbox = [];
    this.acked = 0;
    this.mode = "select";
    this.truth = { hash: null, nodes: new Map(), edges: new Map() };
    this.view = { nodes: new Map(), edges: new Map() };
    this.dragging = new Set();
    this.link = null;           // an arrow being drawn: {from, kind, to: DOM point, moved}
    this.pendingFrom = null;    // first click of a click-click arrow
    this.metrics = [];          // per event: type, seq, t0, drawn, confirmed (ms)
    this.trace = [];            // the last 200 things that happened, for diagnosing tests
    this.lastNotice = null;
    this.lastSend = 0;
    this.ready = false;
    this.data = null;
    this.fitOnSeq = null;
    this.buildDom();
    globalThis.__ccDagEditor = this;
  }

  note(...what) {
    this.trace.push([Math.round(now()), ...what]);
    if (this.trace.length > 200) this.trace.shift();
  }

  /* ---------- DOM ---------- */
  buildDom() {
    const btn = (label, title, onclick, extra = {}) =>
      el("button", { class: "cc-btn", type: "button", title, "aria-label": title, onclick, ...extra }, label);
    this.modeButtons = {
      select: btn("✥ Move", "Select and move variables (Esc)", () => this.setMode("select"), { "data-mode": "select" }),
      edge: btn("→ Arrow", "Draw arrows: drag from a cause to its effect (or hold Shift)", () => this.setMode("edge"), { "data-mode": "edge" }),
      bidirected: btn("↔ Latent", "Draw a bidirected edge: an unmeasured common cause", () => this.setMode("bidirected"), { "data-mode": "bidirected" }),
    };
    this.addBtn = btn("+ Variable", "Add a variable in the middle of the view", () => this.startAddAtCentre());
    this.deleteBtn = btn("Delete", "Delete the selection (Del)", () => this.deleteSelection(), { class: "cc-btn cc-danger" });
    this.undoBtn = btn("↶ Undo", "Undo (Ctrl+Z)", () => this.emit({ type: "undo" }));
    this.redoBtn = btn("↷ Redo", "Redo (Ctrl+Shift+Z)", () => this.emit({ type: "redo" }));
    this.button = btn;
    const toolbar = this.toolbar = el("div", { class: "cc-toolbar", role: "toolbar", "aria-label": "Graph editing tools" },
      el("div", { class: "cc-group" }, Object.values(this.modeButtons)),
      el("div", { class: "cc-group" }, this.addBtn, this.deleteBtn),
      el("div", { class: "cc-group" }, this.undoBtn, this.redoBtn),
      el("div", { class: "cc-group" },
        btn("Top-down", "Lay out top-down by causal order", () => this.layout("hierarchical")),
        btn("Force", "Force-directed layout", () => this.layout("force")),
        btn("Fit", "Fit the whole graph in view", () => this.fit(true))),
      el("div", { class: "cc-group" },
        btn("PNG", "Download the drawing as a PNG image", () => this.exportPng()),
        btn("SVG", "Download the drawing as an SVG image", () => this.exportSvg())));
    this.netEl = el("div", { class: "cc-net" });
    this.emptyEl = el("div", { class: "cc-empty", hidden: true },
      el("div", {}, el("b", { text: "Double-click anywhere" }), " to add your first variable,",
        el("br"), "then Shift-drag from one variable to another to draw an arrow."));
    this.bannerText = el("div", { class: "cc-banner-text" });
    this.banner = el("div", { class: "cc-banner", role: "alert", hidden: true }, this.bannerText,
      el("button", { class: "cc-banner-close", type: "button", "aria-label": "Dismiss", onclick: () => this.hideBanner() }, "×"));
    // The card is docked beside the canvas (below it when the editor is narrow) and always
    // takes its place, so it never covers a variable and the canvas never changes size.
    this.card = el("div", { class: "cc-card", "aria-live": "polite", "aria-label": "Selection" });
    this.stage = el("div", { class: "cc-stage" }, this.netEl, this.emptyEl, this.banner);
    this.body = el("div", { class: "cc-body" }, this.stage, this.card);
    this.statusHint = el("div", { class: "cc-hint" });
    this.statusCount = el("div", { class: "cc-count" });
    this.legendEl = el("div", { class: "cc-legend", "aria-label": "Legend" });
    this.root = el("div", {
      class: "cc-root", tabindex: "0", role: "application",
      "aria-label": "Causal graph editor. Double-click to add a variable, Shift-drag to draw an arrow.",
    }, toolbar, this.body, el("div", { class: "cc-status" }, this.statusHint, el("div", { class: "cc-sep" }), this.statusCount), this.legendEl);
    this.host.appendChild(this.root);
    this.root.addEventListener("keydown", (e) => this.onKey(e));
    for (const type of ["pointerdown", "pointermove", "pointerup", "pointercancel"]) {
      this.stage.addEventListener(type, (e) => this.onPointer(e), true);
    }
    this.setMode("select");
  }

  async init(assets) {
    if (this.initPromise) return this.initPromise;
    this.initPromise = (async () => {
      await Promise.all([loadCss(this.host, assets.css_url), loadVis(assets.vis_url)]);
      const vis = globalThis.vis;
      this.nodes = new vis.DataSet();
      this.edges = new vis.DataSet();
      const options = JSON.parse(JSON.stringify(this.data.options.vis || {}));
      options.physics = { enabled: false };
      options.interaction = {
        hover: true, tooltipDelay: 250, dragNodes: true, dragView: true, zoomView: true,
        multiselect: true, selectConnectedEdges: false, hoverConnectedEdges: false,
        navigationButtons: false, keyboard: false,
      };
      options.manipulation = { enabled: false };
      options.edges = { ...(options.edges || {}), selectionWidth: 2, hoverWidth: 0.6 };
      this.network = new vis.Network(this.netEl, { nodes: this.nodes, edges: this.edges }, options);
      this.bindNetwork();
      // the canvas changes width when the card moves beside or below it (presenter mode, a
      // resized window): fit the drawing again, so no variable is left outside the view
      this.canvasWidth = 0;
      this.resizeObserver = new ResizeObserver(() => {
        const w = this.netEl.clientWidth;
        if (w > 0 && this.needsFit) this.fit(false);
        else if (this.canvasWidth && w > 0 && Math.abs(w - this.canvasWidth) > 40) this.fit(false);
        if (w > 0) this.canvasWidth = w;
      });
      this.resizeObserver.observe(this.netEl);
      this.ready = true;
    })();
    return this.initPromise;
  }

  destroy() {
    clearTimeout(this.resendTimer);
    if (this.memoryKey) {
      const memory = {
        nonce: this.nonce, seq: this.seq, outbox: this.outbox, acked: this.acked, mode: this.mode,
        metrics: this.metrics, lastNotice: this.lastNotice, view: this.lastView || null, at: Date.now(),
        trace: this.trace,
        fitOnSeq: this.fitOnSeq,
      };
      const successor = LIVE.get(this.memoryKey);
      if (successor && successor !== this) {
        // mounted before this one was unmounted: hand over now if it has not started its own work
        if (successor.seq === 0 && !successor.outbox.length) successor.takeOver(memory);
      } else {
        LIVE.delete(this.memoryKey);
        MEMORY.set(this.memoryKey, memory);
      }
    }
    if (this.resizeObserver) this.resizeObserver.disconnect();
    if (this.network) this.network.destroy();
    this.root.remove();
    if (globalThis.__ccDagEditor === this) delete globalThis.__ccDagEditor;
  }

  /* ---------- data from Python ---------- */
  adopt(key) {
    this.memoryKey = key;
    if (!key) return;
    LIVE.set(key, this);
    const m = MEMORY.get(key);
    MEMORY.delete(key);
    if (m && Date.now() - m.at < MEMORY_TTL_MS) this.takeOver(m);
  }

  takeOver(m) {
    this.note("take over", m.nonce, m.seq, m.outbox.length);
    Object.assign(this, { nonce: m.nonce, seq: m.seq, outbox: m.outbox, acked: m.acked,
                          metrics: m.metrics, lastNotice: m.lastNotice, fitOnSeq: m.fitOnSeq,
                          trace: [...m.trace, ...this.trace] });
    if (m.view) {
      if (this.ready && this.truth.hash !== null) {
        if (this.viewStillFits(m.view)) this.network.moveTo({ position: m.view.position, scale: m.view.scale, animation: false });
        else this.fit(false);
      }
      else this.restoredView = m.view;
    }
    this.setMode(m.mode);
    if (this.ready && this.outbox.length) { this.render(); this.flush(); }
  }

  async receive(data, send) {
    this.send = send;
    this.data = data;
    this.stage.style.height = `${data.options.height}px`;
    this.body.style.setProperty("--cc-stage-height", `${data.options.height}px`);
    try {
      await this.init(data.assets);
    } catch (err) {
      this.showBanner("error", `${err.message} Reload the page to try again.`);
      return;
    }
    if (this.data !== data) return; // a newer render arrived while loading
    if (data.options.knowledge) this.enterKnowledgeMode(data.options.knowledge);
    const acked = (data.ack && data.ack[this.nonce]) || 0;
    this.note("receive", data.graph.hash, data.graph.nodes.length, acked, this.outbox.map((e) => e.seq).join(","),
              data.notice ? data.notice.text.slice(0, 80) : "");
    const confirmed = this.outbox.filter((e) => e.seq <= acked);
    this.acked = Math.max(this.acked, acked);
    this.outbox = this.outbox.filter((e) => e.seq > this.acked);
    const first = this.truth.hash === null;
    const before = new Set(this.truth.nodes.keys());
    if (data.graph.hash !== this.truth.hash || data.graph.style !== this.truth.style) this.setTruth(data.graph);
    this.legendEl.innerHTML = data.legend_html; // escaped by app.drawing.legend_html; labels are ours
    this.render();
    if (confirmed.length) this.markDrawn(confirmed.map((e) => e.seq), "confirmed");
    if (first && this.restoredView) {
      const v = this.restoredView;
      if (this.viewStillFits(v)) this.network.moveTo({ position: v.position, scale: v.scale, animation: false });
      else this.fit(false);
      this.restoredView = null;
    } else if (first || this.mostlyNew(before) || this.layoutChanged()) this.fit(false);
    if (this.fitOnSeq !== null && this.acked >= this.fitOnSeq) { this.fitOnSeq = null; this.fit(true); }
    const notice = data.notice;
    if (notice && notice.id !== this.lastNotice) {
      this.lastNotice = notice.id;
      this.showBanner(notice.kind, notice.text);
    }
    this.updateHistory();
    this.root.dataset.ready = "1";
    this.root.dataset.hash = data.graph.hash;
    if (this.outbox.length && !this.lastSend) this.flush(); // adopted from a remounted editor
    else if (this.outbox.length) this.armResend();
  }

  /* A view saved by the previous editor fits this one only on a canvas of the same width
     (presenter mode docks the card beside the canvas instead of below it). */
  sameWidth(view) {
    return !view.width || Math.abs(view.width - this.netEl.clientWidth) <= 40;
  }

  /* ... and it fits only the graph it was looking at: a graph typed over another in the text box
     (the editor remounts) is fitted anew, not shown through the old view with its nodes off-screen. */
  viewStillFits(view) {
    return this.sameWidth(view) && !(view.nodes && this.mostlyNew(view.nodes));
  }

  mostlyNew(before) {
    if (!before.size || !this.truth.nodes.size) return false;
    let kept = 0;
    for (const n of this.truth.nodes.keys()) if (before.has(n)) kept += 1;
    return kept < Math.min(before.size, this.truth.nodes.size) / 2;
  }

  setTruth(graph) {
    const nodes = new Map();
    for (const n of graph.nodes) nodes.set(n.id, n);
    const edges = new Map();
    for (const e of graph.edges) {
      const id = edgeId(e.kind, e.from, e.to);
      edges.set(id, { ...e, id });
    }
    this.truth = { hash: graph.hash, style: graph.style, nodes, edges };
  }

  /* ---------- optimistic view = Python's graph + unanswered events ---------- */
  project() {
    const m = { nodes: new Map(this.truth.nodes), edges: new Map(this.truth.edges) };
    for (const ev of this.outbox) {
      try { this.applyLocal(m, ev); } catch (err) { /* Python will answer */ }
    }
    return m;
  }

  styledNode(name, x, y, roles) {
    const cat = ROLE_PRIORITY.find((r) => roles.includes(r)) || "other";
    const t = this.data.templates.nodes[cat] || this.data.templates.nodes.other;
    return { ...JSON.parse(JSON.stringify(t)), id: name, label: name.length <= 40 ? name : name.slice(0, 38) + "…", x, y, roles: [...roles], category: cat };
  }

  styledEdge(kind, a, b) {
    const t = this.data.templates.edges[kind === "b" ? "bidirected" : KNOWLEDGE_KINDS[kind] || "directed"];
    // until Python answers with the routed drawing: arrows straight, ↔ an arc (the templates)
    return { ...JSON.parse(JSON.stringify(t)), id: edgeId(kind, a, b), kind, from: a, to: b };
  }

  reaches(m, from, to) {
    const out = new Map();
    for (const e of m.edges.values()) {
      if (e.kind !== "d") continue;
      if (!out.has(e.from)) out.set(e.from, []);
      out.get(e.from).push(e.to);
    }
    const seen = new Set([from]);
    const stack = [from];
    while (stack.length) {
      const n = stack.pop();
      if (n === to) return true;
      for (const next of out.get(n) || []) if (!seen.has(next)) { seen.add(next); stack.push(next); }
    }
    return false;
  }

  applyLocal(m, ev) {
    const dropIncident = (name) => {
      for (const [id, e] of m.edges) if (e.from === name || e.to === name) m.edges.delete(id);
    };
    switch (ev.type) {
      case "add_node":
        if (!m.nodes.has(ev.name)) m.nodes.set(ev.name, this.styledNode(ev.name, ev.x, ev.y, ev.roles || []));
        break;
      case "remove_node":
        m.nodes.delete(ev.name); dropIncident(ev.name);
        break;
      case "rename_node": {
        const old = m.nodes.get(ev.name);
        const name = ev.new_name.trim();
        if (!old || m.nodes.has(name)) break;
        m.nodes.delete(ev.name);
        m.nodes.set(name, { ...old, id: name, label: name.length <= 40 ? name : name.slice(0, 38) + "…" });
        for (const [id, e] of [...m.edges]) {
          if (e.from !== ev.name && e.to !== ev.name) continue;
          m.edges.delete(id);
          const a = e.from === ev.name ? name : e.from;
          const b = e.to === ev.name ? name : e.to;
          const [p, q] = symmetric(e.kind) ? pair(a, b) : [a, b];
          m.edges.set(edgeId(e.kind, p, q), { ...e, id: edgeId(e.kind, p, q), from: p, to: q });
        }
        break;
      }
      case "add_edge":
        if (m.nodes.has(ev.source) && m.nodes.has(ev.target) && ev.source !== ev.target
            && !m.edges.has(edgeId("d", ev.source, ev.target)) && !this.reaches(m, ev.target, ev.source)) {
          m.edges.set(edgeId("d", ev.source, ev.target), this.styledEdge("d", ev.source, ev.target));
        }
        break;
      case "remove_edge":
        m.edges.delete(edgeId("d", ev.source, ev.target));
        break;
      case "reverse_edge": {
        const e = m.edges.get(edgeId("d", ev.source, ev.target));
        if (!e) break;
        m.edges.delete(e.id);
        if (!this.reaches(m, ev.source, ev.target)) {
          m.edges.set(edgeId("d", ev.target, ev.source), { ...e, id: edgeId("d", ev.target, ev.source), from: ev.target, to: ev.source });
        } else {
          m.edges.set(e.id, e);
        }
        break;
      }
      case "add_bidirected": {
        const [a, b] = pair(ev.source, ev.target);
        if (m.nodes.has(a) && m.nodes.has(b) && a !== b) m.edges.set(edgeId("b", a, b), this.styledEdge("b", a, b));
        break;
      }
      case "remove_bidirected": {
        const [a, b] = pair(ev.source, ev.target);
        m.edges.delete(edgeId("b", a, b));
        break;
      }
      case "convert_edge": {
        const [a, b] = pair(ev.source, ev.target);
        if (ev.to === "bidirected") {
          m.edges.delete(edgeId("d", ev.source, ev.target));
          m.edges.set(edgeId("b", a, b), this.styledEdge("b", a, b));
        } else if (!this.reaches(m, ev.target, ev.source)) {
          m.edges.delete(edgeId("b", a, b));
          m.edges.set(edgeId("d", ev.source, ev.target), this.styledEdge("d", ev.source, ev.target));
        }
        break;
      }
      case "add_knowledge": {
        const kind = ev.kind === "forbidden" ? "kf" : "kr";
        if (m.nodes.has(ev.source) && m.nodes.has(ev.target) && ev.source !== ev.target) {
          m.edges.delete(edgeId(kind === "kf" ? "kr" : "kf", ev.source, ev.target));
          m.edges.set(edgeId(kind, ev.source, ev.target), this.styledEdge(kind, ev.source, ev.target));
        }
        break;
      }
      case "move":
        for (const [name, p] of Object.entries(ev.positions)) {
          const n = m.nodes.get(name);
          if (n) m.nodes.set(name, { ...n, x: p[0], y: p[1] });
        }
        break;
      case "set_roles": {
        const n = m.nodes.get(ev.name);
        if (n) m.nodes.set(ev.name, this.styledNode(ev.name, n.x, n.y, ev.roles));
        break;
      }
      case "delete":
        for (const [a, b] of ev.edges || []) m.edges.delete(edgeId("d", a, b));
        for (const [a, b] of ev.bidirected || []) m.edges.delete(edgeId("b", ...pair(a, b)));
        for (const [a, b] of ev.undirected || []) m.edges.delete(edgeId("u", ...pair(a, b)));
        for (const [a, b] of ev.circle || []) {
          m.edges.delete(edgeId("c", a, b));
          m.edges.delete(edgeId("c", b, a));
        }
        for (const [a, b] of ev.required || []) m.edges.delete(edgeId("kr", a, b));
        for (const [a, b] of ev.forbidden || []) m.edges.delete(edgeId("kf", a, b));
        for (const name of ev.nodes || []) { m.nodes.delete(name); dropIncident(name); }
        break;
      default:
        break; // layout, undo, redo: wait for Python
    }
  }

  tooltip(node, parents, children) {
    const roles = (node.roles || []).map((r) => ROLE_NAMES[r] || r);
    const tip = el("div", {}, el("div", { class: "cc-tip-name", text: node.id }));
    if (roles.length) tip.appendChild(el("div", { class: "cc-tip-sub", text: roles.join(", ") }));
    const short = (xs) => (xs.length > 6 ? xs.slice(0, 6).join(", ") + ", …" : xs.join(", "));
    if (parents.length) tip.appendChild(el("div", { class: "cc-tip-sub", text: `causes: ${short(parents)}` }));
    if (children.length) tip.appendChild(el("div", { class: "cc-tip-sub", text: `affects: ${short(children)}` }));
    return tip;
  }

  edgeTip(e) {
    const text = e.kind === "kr" ? `${e.from} → ${e.to}: required (always in the result)`
      : e.kind === "kf" ? `${e.from} → ${e.to}: forbidden (never in the result)`
      : e.kind === "b" ? `${e.from} ↔ ${e.to}: an unmeasured common cause`
      : e.kind === "u" ? `${e.from} — ${e.to}: adjacent, direction undecided`
        : e.kind === "c" ? `${this.markText(e)}: o is either mark (undecided)`
          : `${e.from} → ${e.to}: ${e.from} causes ${e.to}`;
    return el("div", { class: "cc-tip-sub", text });
  }

  render() {
    if (!this.ready) return;
    const view = this.project();
    this.view = view;
    const parents = new Map();
    const children = new Map();
    for (const e of view.edges.values()) {
      if (e.kind !== "d") continue;
      if (!parents.has(e.to)) parents.set(e.to, []);
      if (!children.has(e.from)) children.set(e.from, []);
      parents.get(e.to).push(e.from);
      children.get(e.from).push(e.to);
    }
    const near = (id) => [parents.get(id) || [], children.get(id) || []];
    const sig = (o) => JSON.stringify(o);
    const nodeSig = (n) => sig(n) + sig(near(n.id));
    const nodeAdds = [];
    const nodeUpdates = [];
    const current = new Set(this.nodes.getIds());
    for (const [id, n] of view.nodes) {
      const s = nodeSig(n);
      const old = this.nodeSigs && this.nodeSigs.get(id);
      if (!current.has(id)) nodeAdds.push({ ...n, title: this.tooltip(n, ...near(id)) });
      else if (old !== s) {
        const upd = { ...n, title: this.tooltip(n, ...near(id)) };
        if (this.dragging.has(id)) { delete upd.x; delete upd.y; }
        nodeUpdates.push(upd);
      }
    }
    const nodeRemoves = [...current].filter((id) => !view.nodes.has(id));
    const edgeCurrent = new Set(this.edges.getIds());
    const edgeAdds = [];
    const edgeUpdates = [];
    for (const [id, e] of view.edges) {
      const s = sig(e);
      if (!edgeCurrent.has(id)) edgeAdds.push({ ...e, title: this.edgeTip(e) });
      else if (this.edgeSigs.get(id) !== s) edgeUpdates.push({ ...e, title: this.edgeTip(e) });
    }
    const edgeRemoves = [...edgeCurrent].filter((id) => !view.edges.has(id));
    if (edgeRemoves.length) this.edges.remove(edgeRemoves);
    if (nodeRemoves.length) this.nodes.remove(nodeRemoves);
    if (nodeAdds.length) this.nodes.add(nodeAdds);
    if (nodeUpdates.length) this.nodes.update(nodeUpdates);
    if (edgeAdds.length) this.edges.add(edgeAdds);
    if (edgeUpdates.length) this.edges.update(edgeUpdates);
    this.nodeSigs = new Map([...view.nodes].map(([id, n]) => [id, nodeSig(n)]));
    this.edgeSigs = new Map([...view.edges].map(([id, e]) => [id, sig(e)]));
    this.emptyEl.hidden = view.nodes.size > 0;
    if (this.reselect && view.nodes.has(this.reselect)) {
      this.network.selectNodes([this.reselect], false);
      this.reselect = null;
    }
    this.updateCard();
    this.updateStatus();
    this.root.dataset.pending = String(this.outbox.length);
  }

  /* ---------- events to Python ---------- */
  emit(ev) {
    ev.seq = ++this.seq;
    this.note("emit", JSON.stringify(ev).slice(0, 120));
    this.metrics.push({ type: ev.type, seq: ev.seq, t0: now(), drawn: null, confirmed: null });
    if (this.metrics.length > 500) this.metrics.shift();
    this.outbox.push(ev);
    if (ev.type !== "undo" && ev.type !== "redo") this.hideBanner("error");
    this.render();
    this.markDrawn([ev.seq], "drawn");
    this.flush();
    return ev.seq;
  }

  flush() {
    if (!this.outbox.length || !this.send) return;
    this.note("send", this.nonce, this.outbox.map((e) => e.seq).join(","));
    this.lastSend = now();
    this.send("edit", { nonce: this.nonce, events: this.outbox.map((e) => ({ ...e })) });
    this.armResend();
  }

  armResend() {
    clearTimeout(this.resendTimer);
    this.resendTimer = setTimeout(() => {
      if (this.outbox.length && now() - this.lastSend > 1500) this.flush();
      else if (this.outbox.length) this.armResend();
    }, 2000);
  }

  markDrawn(seqs, field) {
    const wanted = new Set(seqs);
    this.network.once("afterDrawing", () => {
      const t = now();
      for (const m of this.metrics) if (wanted.has(m.seq) && m[field] === null) m[field] = t - m.t0;
    });
    this.network.redraw();
  }

  /* ---------- user actions ---------- */
  setMode(mode) {
    this.mode = mode;
    this.cancelLink();
    for (const [m, b] of Object.entries(this.modeButtons)) b.setAttribute("aria-pressed", String(m === mode));
    this.stage.classList.toggle("cc-mode-edge", mode === "edge" || mode === "required" || mode === "forbidden");
    this.stage.classList.toggle("cc-mode-bidirected", mode === "bidirected");
    this.updateStatus();
  }

  cancelLink() {
    this.link = null;
    this.pendingFrom = null;
    if (this.network) this.network.redraw();
  }

  layout(kind) {
    const seq = this.emit({ type: "layout", kind });
    this.fitOnSeq = seq;
  }

  fit(animate) {
    if (!this.network || !this.nodes.length) return;
    // a hidden canvas (a closed expander) has no size: fit once it is shown
    if (!this.netEl.clientWidth || !this.netEl.clientHeight) { this.needsFit = true; return; }
    this.needsFit = false;
    if (this.knowledgeMode && this.kopts.bands.length) { this.fitBands(animate); return; }
    fitDrawing(this.network, this.netEl, { maxZoom: 1.3, animation: animate ? { duration: 250, easingFunction: "easeInOutQuad" } : false });
  }

  selectionEvent() {
    const sel = this.network.getSelection();
    // the knowledge canvas's variables are the data's: only its edges can be deleted
    const nodes = this.knowledgeMode ? [] : sel.nodes.filter((n) => this.view.nodes.has(n));
    const ev = { type: "delete", nodes, edges: [], bidirected: [] };
    for (const id of sel.edges) {
      const [kind, a, b] = JSON.parse(id);
      const key = KIND_KEY[kind] || "edges";
      (ev[key] = ev[key] || []).push([a, b]);
    }
    return ev;
  }

  /* An edge with a circle mark written as DAGitty reads it aloud: "a o→ b", "a o–o b", "a o– b". */
  markText(e) {
    const ends = edgeEnds(e);
    const sym = (end, left) => (end === "circle" ? "o" : end === "arrow" ? (left ? "←" : "→") : "");
    return `${e.from} ${sym(ends.from, true)}–${sym(ends.to, false)} ${e.to}`;
  }

  deleteSelection() {
    if (!this.network) return;
    const ev = this.selectionEvent();
    if (!ev.nodes.length && !Object.values(KIND_KEY).some((k) => (ev[k] || []).length)) {
      this.showBanner("info", "Click a variable or an arrow first, then press Delete.");
      return;
    }
    this.network.unselectAll();
    this.emit(ev);
  }

  addEdge(kind, a, b) {
    if (a === b) return;
    if (KNOWLEDGE_KINDS[kind]) this.emit({ type: "add_knowledge", kind: KNOWLEDGE_KINDS[kind], source: a, target: b });
    else if (kind === "b") this.emit({ type: "add_bidirected", source: a, target: b });
    else this.emit({ type: "add_edge", source: a, target: b });
  }

  nameProblem(name, except) {
    if (!name) return "Type a name.";
    if (name.length > 200) return "At most 200 characters.";
    if (name !== except && this.view.nodes.has(name)) return `“${name}” already exists.`;
    return null;
  }

  startAddAt(dom, canvas) {
    this.openInline(dom, "", (value) => {
      const name = value.trim();
      const problem = this.nameProblem(name);
      if (problem) return problem;
      this.emit({ type: "add_node", name, x: Math.round(canvas.x * 10) / 10, y: Math.round(canvas.y * 10) / 10 });
      this.reselect = name;
      this.render();
      return null;
    }, "New variable name");
  }

  startAddAtCentre() {
    if (!this.network) return;
    const r = this.netEl.getBoundingClientRect();
    const dom = { x: r.width / 2, y: r.height / 2 };
    this.startAddAt(dom, this.network.DOMtoCanvas(dom));
  }

  startRename(name) {
    const pos = this.network.getPosition(name);
    const dom = this.network.canvasToDOM(pos);
    this.openInline(dom, name, (value) => {
      const next = value.trim();
      if (next === name) return null;
      const problem = this.nameProblem(next, name);
      if (problem) return problem;
      this.emit({ type: "rename_node", name, new_name: next });
      this.reselect = next;
      this.render();
      return null;
    }, `Rename ${name}`);
  }

  openInline(dom, value, commit, label) {
    this.closeInline();
    const input = el("input", { class: "cc-inline", type: "text", "aria-label": label, maxlength: "200", spellcheck: "false", autocomplete: "off" });
    input.value = value;
    const w = this.stage.clientWidth;
    const h = this.stage.clientHeight;
    const x = Math.min(Math.max(dom.x, 95), Math.max(w - 95, 95));
    const y = Math.min(Math.max(dom.y, 22), Math.max(h - 50, 22));
    input.style.left = `${x}px`;
    input.style.top = `${y}px`;
    const msg = el("div", { class: "cc-inline-msg", hidden: true, role: "status" });
    msg.style.left = `${x}px`;
    msg.style.top = `${y + 22}px`;
    let done = false;
    const finish = (save) => {
      if (done) return;
      if (save) {
        const problem = input.value.trim() || value ? commit(input.value) : null;
        if (problem) {
          input.classList.add("cc-invalid");
          msg.textContent = problem;
          msg.hidden = false;
          return;
        }
      }
      done = true;
      this.inline = null;
      input.remove();
      msg.remove();
      this.root.focus({ preventScroll: true });
    };
    input.addEventListener("keydown", (e) => {
      e.stopPropagation();
      if (e.key === "Enter") { e.preventDefault(); finish(true); }
      if (e.key === "Escape") { e.preventDefault(); finish(false); }
    });
    input.addEventListener("input", () => { input.classList.remove("cc-invalid"); msg.hidden = true; });
    input.addEventListener("blur", () => setTimeout(() => {
      if (done) return;
      if (!input.value.trim() || input.value.trim() === value) finish(false);
      else finish(true);
      if (!done) finish(false);
    }, 0));
    this.stage.append(input, msg);
    this.inline = { input, finish };
    input.focus();
    input.select();
  }

  closeInline() {
    if (this.inline) this.inline.finish(false);
  }

  /* ---------- vis-network wiring ---------- */
  bindNetwork() {
    const net = this.network;
    net.on("doubleClick", (p) => {
      if (this.knowledgeMode) return;     // the variables are the data's: nothing to add or rename
      if (p.nodes.length) this.startRename(p.nodes[0]);
      else if (!p.edges.length) this.startAddAt(p.pointer.DOM, p.pointer.canvas);
    });
    net.on("dragStart", (p) => { for (const n of p.nodes) this.dragging.add(n); });
    net.on("dragEnd", (p) => {
      const moved = p.nodes.filter((n) => this.view.nodes.has(n));
      this.dragging.clear();
      if (!moved.length) return;
      const pos = net.getPositions(moved);
      const positions = Object.create(null); // a node may be called "__proto__"
      let changed = false;
      for (const n of moved) {
        const x = Math.round(pos[n].x * 10) / 10;
        const y = Math.round(pos[n].y * 10) / 10;
        positions[n] = [x, y];
        const v = this.view.nodes.get(n);
        if (Math.abs(v.x - x) > 0.5 || Math.abs(v.y - y) > 0.5) changed = true;
      }
      if (changed) this.emit({ type: "move", positions });
    });
    net.on("select", () => this.updateCard());
    net.on("deselectNode", () => this.updateCard());
    net.on("deselectEdge", () => this.updateCard());
    net.on("click", (p) => {
      if (!p.nodes.length && !p.edges.length) this.pendingFrom = null;
    });
    net.on("beforeDrawing", (ctx) => { if (this.knowledgeMode) this.drawBands(ctx); });
    net.on("afterDrawing", (ctx) => {
      openCircles(net, ctx);
      if (this.knowledgeMode) this.drawCrosses(ctx);
      this.drawLink(ctx);
      // remember the view while the canvas is on screen (a detached one reports nonsense)
      if (this.netEl.isConnected && this.netEl.clientWidth > 0) {
        this.lastView = { position: net.getViewPosition(), scale: net.getScale(), width: this.netEl.clientWidth,
                          nodes: this.truth.nodes };
      }
    });
  }

  domPoint(e) {
    const r = this.netEl.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  }

  onPointer(e) {
    if (!this.ready || e.target.closest(".cc-banner-close, .cc-inline, .cc-inline-msg")) return;
    const p = this.domPoint(e);
    if (e.type === "pointerdown") {
      this.root.focus({ preventScroll: true });
      if (e.button !== 0) return;
      const node = this.network.getNodeAt(p);
      if (node === undefined && e.shiftKey && this.mode === "select" && this.network.getEdgeAt(p) === undefined) {
        // Shift-drag on empty space: draw a box to select the variables inside it
        e.stopPropagation();
        e.preventDefault();
        this.box = { start: p, to: p };
        try { this.stage.setPointerCapture(e.pointerId); } catch (err) { /* older browsers */ }
        return;
      }
      const linking = this.mode !== "select" || e.shiftKey;
      if (node === undefined || !linking) return;
      e.stopPropagation();
      e.preventDefault();
      const kind = this.knowledgeMode ? (this.mode === "forbidden" ? "kf" : "kr")
        : this.mode === "bidirected" || (this.mode === "select" && e.altKey) ? "b" : "d";
      this.link = { from: node, kind, to: p, start: p, moved: false };
      try { this.stage.setPointerCapture(e.pointerId); } catch (err) { /* older browsers */ }
      return;
    }
    if (this.box) {
      e.stopPropagation();
      e.preventDefault();
      this.box.to = p;
      if (e.type !== "pointermove") {
        const a = this.network.DOMtoCanvas(this.box.start);
        const b = this.network.DOMtoCanvas(p);
        const [x0, x1] = [Math.min(a.x, b.x), Math.max(a.x, b.x)];
        const [y0, y1] = [Math.min(a.y, b.y), Math.max(a.y, b.y)];
        const pos = this.network.getPositions();
        const inside = Object.keys(pos).filter((id) => pos[id].x >= x0 && pos[id].x <= x1 && pos[id].y >= y0 && pos[id].y <= y1);
        this.box = null;
        if (e.type === "pointerup") this.network.selectNodes(inside, false);
        this.updateCard();
      }
      this.network.redraw();
      return;
    }
    if (!this.link) return;
    e.stopPropagation();
    e.preventDefault();
    if (e.type === "pointermove") {
      this.link.to = p;
      if (Math.hypot(p.x - this.link.start.x, p.y - this.link.start.y) > 4) this.link.moved = true;
      this.hoverTarget = this.network.getNodeAt(p);
      this.network.redraw();
      return;
    }
    const link = this.link;
    this.link = null;
    this.hoverTarget = undefined;
    if (e.type === "pointercancel") { this.network.redraw(); return; }
    const target = this.network.getNodeAt(p);
    if (link.moved) {
      if (target !== undefined && target !== link.from) this.addEdge(link.kind, link.from, target);
      else this.showBanner("info", `Release the ${link.kind === "b" ? "↔" : KNOWLEDGE_KINDS[link.kind] ? `${KNOWLEDGE_KINDS[link.kind]} edge` : "arrow"} on another variable to connect it to ${link.from}.`);
      this.pendingFrom = null;
    } else if (this.pendingFrom !== null && this.pendingFrom.node !== link.from) {
      this.addEdge(this.pendingFrom.kind, this.pendingFrom.node, link.from);
      this.pendingFrom = null;
    } else {
      this.pendingFrom = { node: link.from, kind: link.kind };
      this.network.selectNodes([link.from], false);
      this.updateCard();
    }
    this.network.redraw();
  }

  drawLink(ctx) {
    const link = this.link;
    const pending = this.pendingFrom;
    if (this.box) {
      const a = this.network.DOMtoCanvas(this.box.start);
      const b = this.network.DOMtoCanvas(this.box.to);
      ctx.save();
      ctx.fillStyle = "rgba(37, 99, 235, 0.08)";
      ctx.strokeStyle = "#2563eb";
      ctx.lineWidth = 1 / this.network.getScale();
      ctx.setLineDash([4 / this.network.getScale(), 3 / this.network.getScale()]);
      ctx.fillRect(a.x, a.y, b.x - a.x, b.y - a.y);
      ctx.strokeRect(a.x, a.y, b.x - a.x, b.y - a.y);
      ctx.restore();
    }
    if (!(link && link.moved) && !pending) return;
    ctx.save();
    const linkKind = link ? link.kind : pending.kind;
    const color = { b: "#7c3aed", kr: "#111827", kf: "#dc2626" }[linkKind] || "#2563eb";
    if (pending && this.view.nodes.has(pending.node)) {
      const box = this.network.getBoundingBox(pending.node);
      ctx.strokeStyle = color;
      ctx.lineWidth = 2;
      ctx.setLineDash([4, 4]);
      ctx.strokeRect(box.left - 6, box.top - 6, box.right - box.left + 12, box.bottom - box.top + 12);
    }
    if (link && link.moved && this.view.nodes.has(link.from)) {
      const a = this.network.getPosition(link.from);
      const b = this.network.DOMtoCanvas(link.to);
      ctx.strokeStyle = color;
      ctx.fillStyle = color;
      ctx.lineWidth = 2.5;
      ctx.setLineDash(link.kind === "b" || link.kind === "kf" ? [6, 6] : []);
      ctx.beginPath();
      ctx.moveTo(a.x, a.y);
      ctx.lineTo(b.x, b.y);
      ctx.stroke();
      const ang = Math.atan2(b.y - a.y, b.x - a.x);
      ctx.setLineDash([]);
      ctx.beginPath();
      ctx.moveTo(b.x, b.y);
      ctx.lineTo(b.x - 12 * Math.cos(ang - 0.4), b.y - 12 * Math.sin(ang - 0.4));
      ctx.lineTo(b.x - 12 * Math.cos(ang + 0.4), b.y - 12 * Math.sin(ang + 0.4));
      ctx.closePath();
      ctx.fill();
      if (this.hoverTarget !== undefined && this.hoverTarget !== link.from) {
        const box = this.network.getBoundingBox(this.hoverTarget);
        ctx.lineWidth = 3;
        ctx.strokeRect(box.left - 5, box.top - 5, box.right - box.left + 10, box.bottom - box.top + 10);
      }
    }
    ctx.restore();
  }

  onKey(e) {
    if (e.target !== this.root && e.target.closest && e.target.closest("input, textarea, button")) {
      if (e.target.tagName !== "BUTTON") return;
    }
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key.toLowerCase();
    if (mod && key === "z") { e.preventDefault(); this.emit({ type: e.shiftKey ? "redo" : "undo" }); return; }
    if (mod && key === "y") { e.preventDefault(); this.emit({ type: "redo" }); return; }
    if (mod && key === "a") { e.preventDefault(); this.network.selectNodes([...this.view.nodes.keys()], false); this.updateCard(); return; }
    if (e.key === "Delete" || e.key === "Backspace") { e.preventDefault(); this.deleteSelection(); return; }
    if (e.key === "Escape") {
      e.preventDefault();
      this.cancelLink();
      this.hideBanner();
      if (this.mode !== "select") this.setMode("select");
      else { this.network.unselectAll(); this.updateCard(); }
    }
  }

  /* ---------- context card ---------- */
  updateCard() {
    if (!this.network) return;
    const active = this.root.getRootNode().activeElement;
    if (active && this.card.contains(active)) return;
    const sel = this.network.getSelection();
    const nodes = sel.nodes.filter((n) => this.view.nodes.has(n));
    const edges = sel.edges.filter((id) => this.view.edges.has(id));
    this.deleteBtn.disabled = !nodes.length && !edges.length;
    const card = this.card;
    card.replaceChildren();
    if (!nodes.length && !edges.length) {
      card.append(el("h4", { text: "Selection" }),
        el("div", { class: "cc-note", text: this.knowledgeMode
          ? "Click a variable to set its tier, or an edge to change it."
          : "Click a variable or an arrow to edit it here." }));
      return;
    }
    const button = (label, title, onclick, cls = "cc-btn") => el("button", { class: cls, type: "button", title, onclick }, label);
    if (this.knowledgeMode && this.knowledgeCard(card, nodes, edges, button)) return;
    if (nodes.length === 1 && !edges.length) {
      const name = nodes[0];
      const node = this.view.nodes.get(name);
      const roles = new Set(node.roles || []);
      const input = el("input", { type: "text", "aria-label": "Variable name", maxlength: "200", spellcheck: "false" });
      input.value = name;
      const rename = () => {
        const next = input.value.trim();
        if (next === name) return;
        const problem = this.nameProblem(next, name);
        if (problem) { this.showBanner("error", problem); input.value = name; return; }
        this.emit({ type: "rename_node", name, new_name: next });
        this.reselect = next;
        input.blur();
      };
      input.addEventListener("keydown", (e) => {
        e.stopPropagation();
        if (e.key === "Enter") rename();
        if (e.key === "Escape") { input.value = name; input.blur(); }
      });
      input.addEventListener("change", rename);
      input.addEventListener("blur", () => setTimeout(() => this.updateCard(), 0));
      card.append(el("h4", { text: "Variable" }), input, el("h4", { text: "Role", style: "margin-top:10px" }));
      for (const role of this.data.options.roles) {
        const t = this.data.templates.nodes[role];
        const box = el("input", { type: "checkbox", "data-role": role });
        box.checked = roles.has(role);
        box.addEventListener("change", () => {
          const next = this.data.options.roles.filter((r) => (r === role ? box.checked : roles.has(r)));
          this.emit({ type: "set_roles", name, roles: next });
          this.reselect = name;
        });
        const sw = el("span", { class: "cc-swatch" });
        sw.style.background = t.color.background;
        sw.style.borderColor = t.color.border;
        if (role === "latent") sw.style.borderStyle = "dashed";
        card.append(el("label", { class: "cc-role" }, box, sw, ROLE_NAMES[role] || role));
      }
      const parents = [];
      const children = [];
      for (const e of this.view.edges.values()) {
        if (e.kind === "d" && e.to === name) parents.push(e.from);
        if (e.kind === "d" && e.from === name) children.push(e.to);
      }
      card.append(el("div", { class: "cc-note", text: `${parents.length} cause${parents.length === 1 ? "" : "s"}, ${children.length} effect${children.length === 1 ? "" : "s"}` }));
      card.append(el("div", { class: "cc-row" },
        button("→ Arrow from here", "Then click the effect", () => { this.setMode("edge"); this.pendingFrom = { node: name, kind: "d" }; this.network.redraw(); }),
        button("Delete", "Delete this variable and its arrows", () => this.deleteSelection(), "cc-btn cc-danger")));
      return;
    }
    if (edges.length === 1 && !nodes.length) {
      const [kind, a, b] = JSON.parse(edges[0]);
      if (kind === "d") {
        card.append(el("h4", { text: "Arrow" }), el("div", { class: "cc-title", text: `${a} → ${b}` }),
          el("div", { class: "cc-note", text: `${a} is a direct cause of ${b}.` }),
          el("div", { class: "cc-row" },
            button("⇄ Reverse", "Reverse the arrow", () => this.emit({ type: "reverse_edge", source: a, target: b })),
            button("Make ↔", "Replace by a latent common cause", () => this.emit({ type: "convert_edge", source: a, target: b, to: "bidirected" })),
            button("Delete", "Delete this arrow", () => this.deleteSelection(), "cc-btn cc-danger")));
      } else if (kind === "u" || kind === "c") {
        const e = this.view.edges.get(edges[0]);
        const title = kind === "u" ? `${a} — ${b}` : (e ? this.markText(e) : `${a} – ${b}`);
        card.append(el("h4", { text: kind === "u" ? "Undirected edge" : "Edge with a circle mark" }),
          el("div", { class: "cc-title", text: title }),
          el("div", { class: "cc-note", text: kind === "u"
            ? "Adjacent; the data leave the direction undecided (same equivalence class)."
            : "o means either mark: the data do not decide between a tail and an arrowhead." }),
          el("div", { class: "cc-row" }, button("Delete", "Delete this edge", () => this.deleteSelection(), "cc-btn cc-danger")));
      } else {
        card.append(el("h4", { text: "Latent common cause" }), el("div", { class: "cc-title", text: `${a} ↔ ${b}` }),
          el("div", { class: "cc-note", text: "An unmeasured variable causes both." }),
          el("div", { class: "cc-row" },
            button(`Make ${a} → ${b}`, "Replace by a direct arrow", () => this.emit({ type: "convert_edge", source: a, target: b, to: "directed" })),
            button("Delete", "Delete this edge", () => this.deleteSelection(), "cc-btn cc-danger")));
      }
      return;
    }
    const parts = [];
    if (nodes.length) parts.push(`${nodes.length} variable${nodes.length === 1 ? "" : "s"}`);
    if (edges.length) parts.push(`${edges.length} edge${edges.length === 1 ? "" : "s"}`);
    card.append(el("h4", { text: "Selection" }), el("div", { class: "cc-title", text: parts.join(", ") }),
      el("div", { class: "cc-note", text: "Drag one of them to move them together." }),
      el("div", { class: "cc-row" }, button("Delete all", "Delete the selection", () => this.deleteSelection(), "cc-btn cc-danger")));
  }

  updateStatus() {
    const hints = HINTS[this.knowledgeMode && this.mode === "select" ? "kselect" : this.mode] || HINTS.select;
    this.statusHint.replaceChildren(...hints.flatMap(([k, t], i) => [i ? " · " : "", el("kbd", { text: k }), ` ${t}`]));
    const count = { d: 0, b: 0, u: 0, c: 0 };
    for (const e of this.view.edges.values()) count[e.kind] = (count[e.kind] || 0) + 1;
    const { d, b, u, c } = count;
    const saving = this.outbox.length ? " · saving…" : "";
    const n = this.view.nodes.size;
    if (this.knowledgeMode) {
      const { kr = 0, kf = 0 } = count;
      this.statusCount.textContent = `${n} variable${n === 1 ? "" : "s"} · ${kr} required · ${kf} forbidden${saving}`;
      return;
    }
    this.statusCount.textContent = `${n} variable${n === 1 ? "" : "s"} · ${d} arrow${d === 1 ? "" : "s"}${b ? ` · ${b} ↔` : ""}${u ? ` · ${u} —` : ""}${c ? ` · ${c} o` : ""}${saving}`;
  }

  /* ---------- the knowledge canvas ---------- */
  enterKnowledgeMode(k) {
    this.kopts = { ...k, tierOf: new Map(k.tier_of) };
    if (this.knowledgeMode) return;
    this.knowledgeMode = true;
    const btn = this.button;
    this.modeButtons = {
      select: btn("✥ Select", "Select a variable (to set its tier) or an edge (Esc)", () => this.setMode("select"), { "data-mode": "select" }),
      required: btn("Draw: required", "Drag from a cause to its effect: this edge must be in the result", () => this.setMode("required"), { "data-mode": "required" }),
      forbidden: btn("Draw: forbidden", "Drag from one variable to another: this edge must never be in the result", () => this.setMode("forbidden"), { "data-mode": "forbidden" }),
    };
    this.toolbar.setAttribute("aria-label", "Background knowledge tools");
    this.toolbar.replaceChildren(
      el("div", { class: "cc-group" }, Object.values(this.modeButtons)),
      el("div", { class: "cc-group" }, this.deleteBtn),
      el("div", { class: "cc-group" }, this.undoBtn, this.redoBtn),
      el("div", { class: "cc-group" }, btn("Fit", "Fit the whole drawing in view", () => this.fit(true))));
    this.root.setAttribute("aria-label", "Background knowledge canvas. Choose Draw: required or Draw: forbidden, then drag from one variable to another.");
    this.emptyEl.replaceChildren(el("div", { text: "Choose the variables above; they appear here." }));
    this.network.setOptions({ interaction: { dragNodes: false } });
    this.setMode(this.modeButtons[this.mode] ? this.mode : "select");
  }

  /* The knowledge canvas places the variables by tier: a new set of bands is a new layout. */
  layoutChanged() {
    if (!this.knowledgeMode) return false;
    const sig = JSON.stringify(this.kopts.bands);
    const changed = this.bandSig !== undefined && this.bandSig !== sig;
    this.bandSig = sig;
    return changed;
  }

  /* Fit the variables and their bands (labels included) in view. */
  fitBands(animate) {
    let x0 = Infinity; let x1 = -Infinity;
    for (const id of this.network.body.nodeIndices) {
      const b = this.network.getBoundingBox(id);
      x0 = Math.min(x0, b.left); x1 = Math.max(x1, b.right);
    }
    const bands = this.kopts.bands;
    const y0 = Math.min(...bands.map((b) => b.y0));
    const y1 = Math.max(...bands.map((b) => b.y1));
    x0 -= 90; x1 += 40;                 // room for the band labels at the left
    const pad = 8;
    const scale = Math.min(1.3, (this.netEl.clientWidth - 2 * pad) / Math.max(x1 - x0, 1),
      (this.netEl.clientHeight - 2 * pad) / Math.max(y1 - y0, 1));
    if (!(scale > 0)) return;
    this.network.moveTo({ position: { x: (x0 + x1) / 2, y: (y0 + y1) / 2 }, scale,
      animation: animate ? { duration: 250, easingFunction: "easeInOutQuad" } : false });
  }

  /* Tiers as horizontal bands behind the variables, labelled at the left of the view. */
  drawBands(ctx) {
    const bands = (this.kopts && this.kopts.bands) || [];
    if (!bands.length) return;
    const scale = this.network.getScale();
    const a = this.network.DOMtoCanvas({ x: 0, y: 0 });
    const b = this.network.DOMtoCanvas({ x: this.netEl.clientWidth || 600, y: this.netEl.clientHeight || 400 });
    ctx.save();
    bands.forEach((band, i) => {
      ctx.fillStyle = band.tier === null ? "rgba(243, 244, 246, 0.9)" : i % 2 ? "rgba(224, 231, 255, 0.75)" : "rgba(219, 234, 254, 0.75)";
      ctx.fillRect(a.x, band.y0, b.x - a.x, band.y1 - band.y0);
      ctx.strokeStyle = "#93c5fd";
      ctx.lineWidth = 1 / scale;
      ctx.beginPath();
      ctx.moveTo(a.x, band.y0); ctx.lineTo(b.x, band.y0);
      ctx.moveTo(a.x, band.y1); ctx.lineTo(b.x, band.y1);
      ctx.stroke();
      ctx.fillStyle = "#1e3a8a";
      ctx.font = `600 ${12 / scale}px system-ui, -apple-system, "Segoe UI", sans-serif`;
      ctx.textBaseline = "top";
      ctx.fillText(band.label, a.x + 8 / scale, band.y0 + 5 / scale);
    });
    ctx.restore();
  }

  /* A forbidden edge carries a × at its middle (on the curve when it bends). */
  drawCrosses(ctx) {
    const r = 7;
    ctx.save();
    ctx.lineCap = "round";
    for (const [id, e] of this.view.edges) {
      if (e.kind !== "kf") continue;
      const be = this.network.body.edges[id];
      if (!be || !be.from || !be.to) continue;
      let x = (be.from.x + be.to.x) / 2;
      let y = (be.from.y + be.to.y) / 2;
      const smooth = be.options.smooth;
      if (smooth && smooth.enabled && be.edgeType.getViaNode) {
        const v = be.edgeType.getViaNode();
        if (v && Number.isFinite(v.x)) { x = 0.25 * be.from.x + 0.5 * v.x + 0.25 * be.to.x; y = 0.25 * be.from.y + 0.5 * v.y + 0.25 * be.to.y; }
      }
      for (const [style, width] of [["#ffffff", 6], ["#dc2626", 3]]) {
        ctx.strokeStyle = style;
        ctx.lineWidth = width;
        ctx.beginPath();
        ctx.moveTo(x - r, y - r); ctx.lineTo(x + r, y + r);
        ctx.moveTo(x + r, y - r); ctx.lineTo(x - r, y + r);
        ctx.stroke();
      }
    }
    ctx.restore();
  }

  /* The card in knowledge mode: a variable's tier, or a required/forbidden edge. */
  knowledgeCard(card, nodes, edges, button) {
    if (nodes.length === 1 && !edges.length) {
      const name = nodes[0];
      const n = (this.kopts && this.kopts.tiers) || 0;
      const current = this.kopts && this.kopts.tierOf.has(name) ? this.kopts.tierOf.get(name) : null;
      const select = el("select", { "aria-label": `Tier of ${name}`, class: "cc-tier" });
      select.append(el("option", { value: "", text: "No tier" }));
      for (let i = 0; i <= n; i += 1) {
        const label = i < n ? `Tier ${i + 1}${i === 0 ? " (earliest)" : ""}` : `New tier ${i + 1} (latest)`;
        select.append(el("option", { value: String(i), text: label }));
      }
      select.value = current === null ? "" : String(current);
      select.addEventListener("change", () => {
        this.emit({ type: "set_tier", name, tier: select.value === "" ? null : Number(select.value) });
        this.reselect = name;
      });
      card.append(el("h4", { text: "Variable" }), el("div", { class: "cc-title", text: name }),
        el("h4", { text: "Tier", style: "margin-top:10px" }), select,
        el("div", { class: "cc-note", text: "Tier 1 is the earliest: nothing in a later tier causes anything in an earlier one." }),
        el("div", { class: "cc-row" },
          button("Required from here", "Then click the effect", () => { this.setMode("required"); this.pendingFrom = { node: name, kind: "kr" }; this.network.redraw(); }),
          button("Forbidden from here", "Then click the other variable", () => { this.setMode("forbidden"); this.pendingFrom = { node: name, kind: "kf" }; this.network.redraw(); })));
      return true;
    }
    if (edges.length === 1 && !nodes.length) {
      const [kind, a, b] = JSON.parse(edges[0]);
      if (!KNOWLEDGE_KINDS[kind]) return false;
      const required = kind === "kr";
      card.append(el("h4", { text: required ? "Required edge" : "Forbidden edge" }),
        el("div", { class: "cc-title", text: `${a} → ${b}` }),
        el("div", { class: "cc-note", text: required ? `Every method's result has ${a} → ${b}.` : `No method's result has ${a} → ${b}.` }),
        el("div", { class: "cc-row" },
          button(required ? "Make forbidden" : "Make required", "Change what you know about this edge",
            () => this.emit({ type: "add_knowledge", kind: required ? "forbidden" : "required", source: a, target: b })),
          button("Delete", "Forget this statement", () => this.deleteSelection(), "cc-btn cc-danger")));
      return true;
    }
    return false;
  }

  updateHistory() {
    const h = this.data.history || {};
    this.undoBtn.disabled = !h.can_undo;
    this.redoBtn.disabled = !h.can_redo;
    this.undoBtn.title = h.undo_label ? `Undo: ${h.undo_label} (Ctrl+Z)` : "Nothing to undo";
    this.redoBtn.title = h.redo_label ? `Redo: ${h.redo_label} (Ctrl+Shift+Z)` : "Nothing to redo";
  }

  showBanner(kind, text) {
    this.banner.hidden = false;
    this.banner.className = `cc-banner cc-${kind}`;
    this.banner.dataset.kind = kind;
    this.bannerText.textContent = text;
    clearTimeout(this.bannerTimer);
    if (kind !== "error") this.bannerTimer = setTimeout(() => this.hideBanner(), 4000);
  }

  hideBanner(onlyKind) {
    if (onlyKind && this.banner.dataset.kind !== onlyKind) return;
    this.banner.hidden = true;
  }

  /* ---------- export ---------- */
  async exportPng() {
    // Drawn from the SVG export at slide size (at least 1920 px wide, twice the drawing's own
    // size for small graphs), with the legend, rather than copied from the on-screen canvas.
    if (!this.network || !this.nodes.length) { this.showBanner("info", "Nothing to export yet."); return; }
    const url = URL.createObjectURL(new Blob([this.svgText()], { type: "image/svg+xml" }));
    try {
      const img = new Image();
      await new Promise((resolve, reject) => { img.onload = resolve; img.onerror = reject; img.src = url; });
      const scale = Math.max(2, PNG_MIN_WIDTH / img.naturalWidth);
      const out = document.createElement("canvas");
      out.width = Math.round(img.naturalWidth * scale);
      out.height = Math.round(img.naturalHeight * scale);
      const ctx = out.getContext("2d");
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, out.width, out.height);
      ctx.drawImage(img, 0, 0, out.width, out.height);
      out.toBlob((blob) => download(blob, "causal-graph.png"), "image/png");
    } catch (err) {
      this.showBanner("error", "The PNG could not be drawn; the SVG export has the same picture.");
    } finally {
      URL.revokeObjectURL(url);
    }
  }

  svgText() {
    const NS = "http://www.w3.org/2000/svg";
    const mk = (tag, attrs) => {
      const n = document.createElementNS(NS, tag);
      for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) n.setAttribute(k, String(v));
      return n;
    };
    const ids = this.nodes.getIds();
    const pos = this.network.getPositions(ids);
    const boxes = {};
    let minX = Infinity; let minY = Infinity; let maxX = -Infinity; let maxY = -Infinity;
    for (const id of ids) {
      const b = this.network.getBoundingBox(id);
      boxes[id] = b;
      minX = Math.min(minX, b.left); minY = Math.min(minY, b.top);
      maxX = Math.max(maxX, b.right); maxY = Math.max(maxY, b.bottom);
    }
    if (!ids.length) { minX = 0; minY = 0; maxX = 200; maxY = 100; }
    const pad = 30;
    const legend = this.data.legend || [];
    const width = Math.max(maxX - minX + 2 * pad, 420);
    let rows = legend.length ? 1 : 0;
    let lx = 12;
    for (const [, label] of legend) {
      const w = 36 + 6.6 * label.length;
      if (lx > 12 && lx + w > width - 12) { rows += 1; lx = 12; }
      lx += w + 14;
    }
    const legendH = rows ? 22 * rows + 12 : 0;
    const height = maxY - minY + 2 * pad + legendH;
    const ox = pad - minX + (width - (maxX - minX + 2 * pad)) / 2;
    const oy = pad - minY;
    const svg = mk("svg", { width: Math.ceil(width), height: Math.ceil(height), viewBox: `0 0 ${Math.ceil(width)} ${Math.ceil(height)}`, "font-family": "system-ui, -apple-system, 'Segoe UI', sans-serif" });
    svg.appendChild(mk("rect", { x: 0, y: 0, width: "100%", height: "100%", fill: "#ffffff" }));
    const defs = mk("defs", {});
    svg.appendChild(defs);
    const markers = new Map();
    const marker = (color, type = "arrow") => {    // an arrowhead, or a PAG's open circle
      const key = `${type} ${color}`;
      if (!markers.has(key)) {
        const id = `${type === "circle" ? "circle" : "arrow"}${markers.size}`;
        const m = mk("marker", { id, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse", markerUnits: "userSpaceOnUse" });
        m.setAttribute("markerWidth", type === "circle" ? 9 : 12);
        m.setAttribute("markerHeight", type === "circle" ? 9 : 12);
        m.appendChild(type === "circle"
          ? mk("circle", { cx: 5, cy: 5, r: 4, fill: "#ffffff", stroke: color, "stroke-width": 1.6 })
          : mk("path", { d: "M0,0 L10,5 L0,10 z", fill: color }));
        defs.appendChild(m);
        markers.set(key, id);
      }
      return markers.get(key);
    };
    const clip = (id, dx, dy) => {
      const b = boxes[id];
      const rx = (b.right - b.left) / 2;
      const ry = (b.bottom - b.top) / 2;
      const len = Math.hypot(dx, dy) || 1;
      const ux = dx / len; const uy = dy / len;
      const node = this.nodes.get(id);
      if (node.shape === "box") return Math.min(Math.abs(ux) > 1e-9 ? rx / Math.abs(ux) : Infinity, Math.abs(uy) > 1e-9 ? ry / Math.abs(uy) : Infinity);
      return 1 / Math.sqrt((ux / rx) ** 2 + (uy / ry) ** 2);
    };
    const edgeLayer = mk("g", {});
    svg.appendChild(edgeLayer);
    for (const e of this.edges.get()) {
      const a = pos[e.from]; const b = pos[e.to];
      if (!a || !b) continue;
      // the curve vis-network draws: a quadratic Bézier through its control point
      let via = null;
      try {
        const edge = this.network.body.edges[e.id];
        const v = edge && edge.edgeType && edge.edgeType.getViaNode();
        if (v && Number.isFinite(v.x) && Number.isFinite(v.y)) via = v;
      } catch (err) { /* straight line */ }
      const sa = via ? { x: via.x - a.x, y: via.y - a.y } : { x: b.x - a.x, y: b.y - a.y };
      const sb = via ? { x: via.x - b.x, y: via.y - b.y } : { x: a.x - b.x, y: a.y - b.y };
      const la = Math.hypot(sa.x, sa.y) || 1; const lb = Math.hypot(sb.x, sb.y) || 1;
      const ta = clip(e.from, sa.x, sa.y); const tb = clip(e.to, sb.x, sb.y);
      const x1 = a.x + sa.x * ta / la + ox; const y1 = a.y + sa.y * ta / la + oy;
      const x2 = b.x + sb.x * tb / lb + ox; const y2 = b.y + sb.y * tb / lb + oy;
      const color = (e.color && e.color.color) || "#4b5563";
      const f = (v) => v.toFixed(1);
      const line = mk("path", {
        d: via ? `M${f(x1)},${f(y1)} Q${f(via.x + ox)},${f(via.y + oy)} ${f(x2)},${f(y2)}` : `M${f(x1)},${f(y1)} L${f(x2)},${f(y2)}`,
        fill: "none", stroke: color, "stroke-width": e.width || 1.6,
        "stroke-dasharray": Array.isArray(e.dashes) ? e.dashes.join(" ") : (e.dashes ? "6 6" : null),
      });
      const ends = edgeEnds(e);
      if (ends.to) line.setAttribute("marker-end", `url(#${marker(color, ends.to)})`);
      if (ends.from) line.setAttribute("marker-start", `url(#${marker(color, ends.from)})`);
      edgeLayer.appendChild(line);
    }
    const nodeLayer = mk("g", {});
    svg.appendChild(nodeLayer);
    for (const id of ids) {
      const n = this.nodes.get(id);
      const b = boxes[id];
      const cx = pos[id].x + ox; const cy = pos[id].y + oy;
      const rx = (b.right - b.left) / 2; const ry = (b.bottom - b.top) / 2;
      const dashed = n.shapeProperties && Array.isArray(n.shapeProperties.borderDashes);
      const common = {
        fill: n.color.background, stroke: n.color.border, "stroke-width": n.borderWidth || 1.5,
        "stroke-dasharray": dashed ? n.shapeProperties.borderDashes.join(" ") : null,
      };
      const shape = n.shape === "box"
        ? mk("rect", { x: (cx - rx).toFixed(1), y: (cy - ry).toFixed(1), width: (2 * rx).toFixed(1), height: (2 * ry).toFixed(1), rx: 5, ...common })
        : mk("ellipse", { cx: cx.toFixed(1), cy: cy.toFixed(1), rx: rx.toFixed(1), ry: ry.toFixed(1), ...common });
      const g = mk("g", {});
      const title = mk("title", {});
      title.textContent = id;
      g.append(title, shape);
      const text = mk("text", { x: cx.toFixed(1), y: cy.toFixed(1), "text-anchor": "middle", "dominant-baseline": "central", "font-size": (n.font && n.font.size) || 15, fill: (n.font && n.font.color) || "#111827" });
      text.textContent = n.label;
      g.appendChild(text);
      nodeLayer.appendChild(g);
    }
    if (legend.length) {
      let x = 12;
      let y = maxY - minY + 2 * pad + 6;
      for (const [key, label, spec] of legend) {
        const w = 36 + 6.6 * label.length;            // swatch + estimated text width
        if (x > 12 && x + w > width - 12) { x = 12; y += 22; }
        if (spec.background) {
          svg.appendChild(mk("circle", { cx: x + 7, cy: y + 7, r: 6, fill: spec.background, stroke: spec.border, "stroke-width": 2, "stroke-dasharray": key === "latent" ? "3 2" : null }));
        } else {
          svg.appendChild(mk("line", { x1: x, y1: y + 7, x2: x + 22, y2: y + 7, stroke: spec.color, "stroke-width": 3, "stroke-dasharray": spec.dashes ? "5 4" : null }));
        }
        const t = mk("text", { x: x + 28, y: y + 7, "dominant-baseline": "central", "font-size": 12, fill: "#374151" });
        t.textContent = label;
        svg.appendChild(t);
        x += w + 14;
      }
    }
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(svg);
  }

  exportSvg() {
    if (!this.network || !this.nodes.length) { this.showBanner("info", "Nothing to export yet."); return; }
    download(new Blob([this.svgText()], { type: "image/svg+xml" }), "causal-graph.svg");
  }

  /* ---------- for tests and benchmarks ---------- */
  summary() {
    const out = { edges: [], bidirected: [], undirected: [], circle: [], required: [], forbidden: [] };
    for (const e of this.view.edges.values()) out[KIND_KEY[e.kind] || "edges"].push([e.from, e.to]);
    return { nodes: [...this.view.nodes.keys()], ...out, pending: this.outbox.length, hash: this.truth.hash };
  }

  domOf(name) {
    const p = this.network.getPosition(name);
    const d = this.network.canvasToDOM(p);
    const r = this.netEl.getBoundingClientRect();
    return { x: r.left + d.x, y: r.top + d.y };
  }
}

export default function mount(component) {
  const { data, parentElement, setTriggerValue } = component;
  let editor = parentElement.__ccDagEditor;
  if (!editor) {
    editor = new DagEditor(parentElement);
    editor.adopt(data && data.key);
    parentElement.__ccDagEditor = editor;
  }
  editor.receive(data, setTriggerValue);
  return () => {
    editor.destroy();
    if (parentElement.__ccDagEditor === editor) delete parentElement.__ccDagEditor;
  };
}
