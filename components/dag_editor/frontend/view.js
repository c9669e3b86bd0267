/*
 * Causal Canvas read-only graph view (plain ES module, no build step).
 *
 * Draws nodes and edges prepared by app.drawing.network_data with the vendored vis-network,
 * loaded once per browser tab from the local static route and shared with the editor. Node
 * names are user data: they reach the page only as canvas text and plain-text tooltips; the
 * legend HTML is built and escaped by app.drawing.legend_html.
 */

const STYLE = `
.cc-view { font: 13px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: #111827; }
.cc-view-legend { line-height: 1.9; padding: 2px 2px 6px; }
.cc-view-stage { position: relative; border: 1px solid #e5e7eb; border-radius: 8px; background: #fff; overflow: hidden; }
.cc-view-net { position: absolute; inset: 0; }
.cc-view-empty { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center; color: #6b7280; pointer-events: none; }
.cc-view-empty[hidden] { display: none; }
div.vis-tooltip { position: absolute; visibility: hidden; padding: 6px 8px; white-space: pre-wrap; font-size: 13px;
  color: #111827; background: #fff; border: 1px solid #d1d5db; border-radius: 6px;
  box-shadow: 0 2px 6px rgba(0, 0, 0, .12); pointer-events: none; z-index: 8; max-width: 360px; }
`;

/* Fit the whole drawing in view: the nodes and the curved edges too (vis-network's own fit
   looks at nodes only, so a wide arc could leave the canvas). Shared with the editor. */
export function fitDrawing(net, el, { maxZoom = 1, animation = false } = {}) {
  const ids = net.body.nodeIndices;
  if (!ids.length) return;
  let x0 = Infinity; let y0 = Infinity; let x1 = -Infinity; let y1 = -Infinity;
  const take = (x, y) => { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); };
  for (const id of ids) { const b = net.getBoundingBox(id); take(b.left, b.top); take(b.right, b.bottom); }
  for (const id of net.body.edgeIndices) {
    const e = net.body.edges[id];
    const smooth = e.options.smooth;
    if (!smooth || !smooth.enabled || !e.from || !e.to) continue;
    const v = e.edgeType.getViaNode();
    if (!v || !Number.isFinite(v.x)) continue;
    for (const t of [0.2, 0.35, 0.5, 0.65, 0.8]) {
      const u = 1 - t;
      take(u * u * e.from.x + 2 * u * t * v.x + t * t * e.to.x, u * u * e.from.y + 2 * u * t * v.y + t * t * e.to.y);
    }
  }
  const pad = 24;
  const w = el.clientWidth || 600; const h = el.clientHeight || 400;
  const scale = Math.min(maxZoom, (w - 2 * pad) / Math.max(x1 - x0, 1), (h - 2 * pad) / Math.max(y1 - y0, 1));
  net.moveTo({ position: { x: (x0 + x1) / 2, y: (y0 + y1) / 2 }, scale, animation });
}

/* A PAG's circle mark is an open circle (o), but vis-network fills its "circle" arrow type:
   after each drawing, paint the inside of every circle end white again, so it reads as a ring.
   Uses vis-network's own arrow geometry; if that is unavailable the filled dot stays. */
export function openCircles(net, ctx) {
  for (const e of Object.values(net.body.edges)) {
    const arrows = e.options && e.options.arrows;
    if (!arrows || !e.from || !e.to || !e.edgeType) continue;
    for (const end of ["from", "to"]) {
      const a = arrows[end];
      if (!a || !a.enabled || a.type !== "circle") continue;
      try {
        const values = e.getFormattingValues();
        const d = e.edgeType.getArrowData(ctx, end, e.edgeType.getViaNode(), e.selected, e.hover, values);
        const r = 0.4 * d.length;
        const x = d.point.x - 0.4 * d.length * Math.cos(d.angle);
        const y = d.point.y - 0.4 * d.length * Math.sin(d.angle);
        ctx.beginPath();
        ctx.arc(x, y, Math.max(r - Math.max(1.2, values.width * 0.9), 0.5), 0, 2 * Math.PI);
        ctx.fillStyle = "#ffffff";
        ctx.fill();
      } catch (err) { /* keep vis-network's filled dot */ }
    }
  }
}

function loadVis(url) {
  if (globalThis.vis && globalThis.vis.Network) return Promise.resolve(globalThis.vis);
  if (!globalThis.__ccVisLoading) {
    globalThis.__ccVisLoading = new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = url;
      s.async = true;
      s.onload = () => resolve(globalThis.vis);
      s.onerror = () => { globalThis.__ccVisLoading = null; reject(new Error("The drawing library could not be loaded.")); };
      document.head.appendChild(s);
    });
  }
  return globalThis.__ccVisLoading;
}

function div(cls, text) {
  const d = document.createElement("div");
  d.className = cls;
  if (text) d.textContent = text;
  return d;
}

class GraphView {
  constructor(host) {
    this.host = host;
    const style = document.createElement("style");
    style.textContent = STYLE;
    this.legend = div("cc-view-legend");
    this.net = div("cc-view-net");
    this.empty = div("cc-view-empty", "The graph is empty.");
    this.stage = div("cc-view-stage");
    this.stage.append(this.net, this.empty);
    this.root = div("cc-view");
    this.root.setAttribute("role", "img");
    this.root.append(style, this.legend, this.stage);
    host.appendChild(this.root);
    this.hash = null;
    this.names = "";
  }

  async update(data) {
    this.data = data;
    this.stage.style.height = `${data.height}px`;
    this.root.setAttribute("aria-label", data.title || "Causal graph");
    this.legend.innerHTML = data.legend_html; // escaped by app.drawing.legend_html
    this.legend.hidden = !data.legend_html;
    try {
      await loadVis(data.vis_url);
    } catch (err) {
      this.empty.textContent = `${err.message} Reload the page to try again.`;
      this.empty.hidden = false;
      return;
    }
    if (this.data !== data || data.hash === this.hash) return; // newer data, or nothing new
    const vis = globalThis.vis;
    if (!this.network) {
      this.nodes = new vis.DataSet();
      this.edges = new vis.DataSet();
      this.network = new vis.Network(this.net, { nodes: this.nodes, edges: this.edges }, data.options);
      this.network.on("afterDrawing", (ctx) => openCircles(this.network, ctx));
    }
    this.nodes.clear();
    this.edges.clear();
    const nodes = this.compact(data.nodes, data.height, data.min_scale);
    this.stage.style.height = `${this.fittedHeight(nodes, data.height)}px`;
    this.nodes.add(nodes);
    this.edges.add(data.edges.map((e, i) => ({ ...e, id: `e${i}` })));
    this.hash = data.hash;
    this.empty.hidden = data.nodes.length > 0;
    const names = data.nodes.map((n) => n.id).sort().join("\u0000");
    if (names !== this.names) {    // another graph, not just other highlights: fit it anew
      this.names = names;
      this.network.once("afterDrawing", () => fitDrawing(this.network, this.net));
    }
    this.network.redraw();
    this.root.dataset.drawn = String(data.nodes.length);
  }

  /* Layouts are spaced for the editor's big canvas; in a small view fitting them would shrink
     every label. Pull the positions together (never apart, and never below `minScale`, the
     factor app.layout_check found still readable) so the drawing fits at about full size. */
  compact(nodes, height, minScale) {
    if (nodes.length < 2) return nodes;
    const xs = nodes.map((n) => n.x || 0), ys = nodes.map((n) => n.y || 0);
    const spanX = Math.max(...xs) - Math.min(...xs) || 1, spanY = Math.max(...ys) - Math.min(...ys) || 1;
    const width = this.net.clientWidth || 600;
    const k = Math.max(minScale || 1 / 3, Math.min(1, (width - 160) / spanX, (height - 90) / spanY));
    return k === 1 ? nodes : nodes.map((n) => ({ ...n, x: (n.x || 0) * k, y: (n.y || 0) * k }));
  }

  /* Tall enough to show the drawing at full size (up to twice the height): a deep, narrow
     graph (a long chain) fitted into the given height would shrink its labels past reading
     (vis-network stops drawing a label below 5 px); presenter mode's larger labels too. */
  fittedHeight(nodes, height) {
    // no width yet (a tab not shown): keep the given height rather than guess
    if (nodes.length < 2 || !this.net.clientWidth) return height;
    const xs = nodes.map((n) => n.x || 0), ys = nodes.map((n) => n.y || 0);
    const spanX = Math.max(...xs) - Math.min(...xs) || 1, spanY = Math.max(...ys) - Math.min(...ys);
    // a wide drawing in a narrow column is shrunk by its width anyway: grow only that far
    const byWidth = Math.min(1, Math.max(0, this.net.clientWidth - 160) / spanX);
    const needed = spanY * byWidth + 140;
    return Math.round(Math.min(2 * height, Math.max(height, needed)));
  }

  destroy() {
    if (this.network) this.network.destroy();
    this.root.remove();
  }
}

export default function mount(component) {
  const { data, parentElement } = component;
  let view = parentElement.__ccGraphView;
  if (!view) {
    view = new GraphView(parentElement);
    parentElement.__ccGraphView = view;
  }
  view.update(data);
  return () => {
    view.destroy();
    if (parentElement.__ccGraphView === view) delete parentElement.__ccGraphView;
  };
}
