// Labels a reader can read (issue 15): a name is shortened in the middle, where long
// names of one family differ least ("Administrative Committee … Science Park"); labels
// keep a minimum size on screen however far the view is zoomed out; and a label that
// would cover another label, a node or an arrowhead is hidden rather than shrunk
// (hovering or selecting shows it). Cytoscape draws; this module decides what and where.

// Smallest sizes on screen, in CSS pixels.
export const NODE_LABEL_PX = 12;
export const EDGE_LABEL_PX = 10;
// A node label's lines, at most, and their width on screen.
const MAX_LINES = 2;
const MAX_LINE_PX = 190;
// Room kept free around a placed label, in pixels.
const GAP_PX = 2;

const ELLIPSIS = "…";

let measureContext = null;

// The width of `text` in pixels at `px` in the given font family and weight.
export function textWidth(text, px, family, weight = "normal") {
  if (!measureContext) measureContext = document.createElement("canvas").getContext("2d");
  measureContext.font = `${weight} ${px}px ${family}`;
  return measureContext.measureText(text).width;
}

// A character-count version of the same idea, for lists and status lines: the start and
// the end of a long name, the middle left out.
export function shortenMiddle(text, max = 48) {
  if (text.length <= max) return text;
  const keep = max - 1;
  let head = text.slice(0, Math.ceil(keep / 2));
  let tail = text.slice(text.length - (keep - head.length));
  // At a word's edge when one is near.
  const headSpace = head.lastIndexOf(" ");
  if (headSpace > head.length - 10 && headSpace > 0) head = head.slice(0, headSpace);
  const tailSpace = tail.indexOf(" ");
  if (tailSpace >= 0 && tailSpace < 10) tail = tail.slice(tailSpace + 1);
  return `${head.trimEnd()} ${ELLIPSIS} ${tail.trimStart()}`;
}

// The longest run of `words` (from the start, or from the end when `fromEnd`) whose
// text, with `extra` added, fits in `room` pixels; cut inside the word when even one
// word does not fit.
function fitWords(words, fromEnd, room, fits, extra) {
  const taken = [];
  const order = fromEnd ? [...words].reverse() : words;
  for (const word of order) {
    const next = fromEnd ? [word, ...taken] : [...taken, word];
    if (!fits(next.join(" ") + extra, room)) break;
    taken.splice(0, taken.length, ...next);
  }
  if (taken.length) return taken.join(" ");
  // One word too long for the line: as many of its characters as fit.
  const word = order[0] || "";
  let cut = word;
  while (cut.length > 1 && !fits(cut + extra, room)) cut = fromEnd ? cut.slice(1) : cut.slice(0, -1);
  return cut;
}

// The lines of a node's label: the name wrapped at word boundaries into at most
// MAX_LINES lines of MAX_LINE_PX; a name too long for that keeps its first and last
// words, with "…" where the middle was. `fits(text, px)` says whether a line fits.
export function wrapName(name, fits, room = MAX_LINE_PX, maxLines = MAX_LINES) {
  const words = String(name).split(/\s+/).filter(Boolean);
  const lines = [];
  let line = [];
  for (const word of words) {
    const next = [...line, word].join(" ");
    if (!line.length || fits(next, room)) {
      line.push(word);
    } else {
      lines.push(line.join(" "));
      line = [word];
    }
  }
  if (line.length) lines.push(line.join(" "));
  if (lines.length <= maxLines && lines.every((l) => fits(l, room))) return lines;
  // Too long: the tail (where names of a family differ: "… Science Park", "… Bank of
  // Beijing") on the last line, the head on the ones before, joined by "…".
  const tail = fitWords(words, true, room, fits, "");
  const tailWords = tail.split(" ").length;
  const headWords = words.slice(0, Math.max(0, words.length - tailWords));
  const head = [];
  let rest = headWords;
  for (let i = 0; i < maxLines - 1 && rest.length; i++) {
    // The last of these lines keeps room for the "…".
    const piece = fitWords(rest, false, room, fits, i === maxLines - 2 ? ` ${ELLIPSIS}` : "");
    head.push(piece);
    rest = rest.slice(piece.split(" ").length);
  }
  if (!head.length) return [`${ELLIPSIS} ${tail}`];
  head[head.length - 1] = `${head[head.length - 1]} ${ELLIPSIS}`;
  return [...head, tail];
}

// ---------------------------------------------------------------- placement

const overlaps = (a, b) => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;
const grow = (box, by) => ({ x1: box.x1 - by, y1: box.y1 - by, x2: box.x2 + by, y2: box.y2 + by });
const shift = (box, dx, dy) => ({ x1: box.x1 + dx, y1: box.y1 + dy, x2: box.x2 + dx, y2: box.y2 + dy });

// A box in rendered (screen) pixels from one in model coordinates.
export function renderedBox(cy, box) {
  const zoom = cy.zoom();
  const pan = cy.pan();
  return {
    x1: box.x1 * zoom + pan.x,
    y1: box.y1 * zoom + pan.y,
    x2: box.x2 * zoom + pan.x,
    y2: box.y2 * zoom + pan.y,
  };
}

// Where a node's label can sit (its data("side")): beside the node, or a little further
// out ("bottom+") when edges arrive right there; each as Cytoscape's text-halign,
// text-valign and margins on screen. In the order tried.
export const SIDE_ALIGN = {};
const NEAR = [
  ["bottom", "center", "bottom", 0, 1],
  ["right", "right", "center", 1, 0],
  ["top", "center", "top", 0, -1],
  ["left", "left", "center", -1, 0],
  ["bottom-right", "right", "bottom", 0.7, 0.7],
  ["bottom-left", "left", "bottom", -0.7, 0.7],
  ["top-right", "right", "top", 0.7, -0.7],
  ["top-left", "left", "top", -0.7, -0.7],
];
for (const [name, halign, valign, dx, dy] of NEAR) SIDE_ALIGN[name] = [halign, valign, 4 * dx, 4 * dy];
for (const [name, halign, valign, dx, dy] of NEAR) SIDE_ALIGN[`${name}+`] = [halign, valign, 16 * dx, 16 * dy];
export const SIDES = Object.keys(SIDE_ALIGN);

// The label's box on screen as Cytoscape lays it out (what it will draw).
export function labelBox(cy, element) {
  return renderedBox(
    cy,
    // Not from Cytoscape's cache, which can still hold the box from before a class or
    // data change made in the same frame.
    element.boundingBox({
      includeNodes: false, includeEdges: false, includeLabels: true, includeOverlays: false, useCache: false,
    }),
  );
}

// Where a node's label of `size` would be on screen at `side`, as Cytoscape places it
// (the anchor on the node's edge, the text's box on the far side of it). Margins are set
// on screen; at a zoom above 1 they grow with it, as the labels do.
function sideBox(node, side, size, zoom) {
  const [halign, valign, mx, my] = SIDE_ALIGN[side];
  const at = node.renderedPosition();
  const scale = Math.max(1, zoom);
  const ax = at.x + (halign === "left" ? -1 : halign === "right" ? 1 : 0) * (node.renderedOuterWidth() / 2) + mx * scale;
  const ay = at.y + (valign === "top" ? -1 : valign === "bottom" ? 1 : 0) * (node.renderedOuterHeight() / 2) + my * scale;
  const x1 = halign === "left" ? ax - size.w : halign === "right" ? ax : ax - size.w / 2;
  const y1 = valign === "top" ? ay - size.h : valign === "bottom" ? ay : ay - size.h / 2;
  return { x1, y1, x2: x1 + size.w, y2: y1 + size.h };
}

// The space an arrowhead takes near its target, on screen.
function arrowBox(cy, edge) {
  const zoom = cy.zoom();
  const tip = edge.renderedTargetEndpoint();
  const from = edge.renderedSourceEndpoint();
  const dx = from.x - tip.x;
  const dy = from.y - tip.y;
  const length = Math.hypot(dx, dy) || 1;
  // Cytoscape's triangle: about 10 x 10 graph units at this edge width and arrow-scale.
  const back = Math.max(6, 10 * zoom);
  const base = { x: tip.x + (dx / length) * back, y: tip.y + (dy / length) * back };
  const half = Math.max(3, 5 * zoom);
  return {
    x1: Math.min(tip.x, base.x) - half,
    y1: Math.min(tip.y, base.y) - half,
    x2: Math.max(tip.x, base.x) + half,
    y2: Math.max(tip.y, base.y) + half,
  };
}

// Boxes on screen, found by the cells of a grid they cover (placing labels asks "what is
// here?" a few thousand times on a large view).
class BoxGrid {
  constructor(cell = 64) {
    this.cell = cell;
    this.cells = new Map();
  }

  *cellsOf(box) {
    const c = this.cell;
    for (let x = Math.floor(box.x1 / c); x <= Math.floor(box.x2 / c); x++) {
      for (let y = Math.floor(box.y1 / c); y <= Math.floor(box.y2 / c); y++) yield `${x},${y}`;
    }
  }

  add(box) {
    for (const key of this.cellsOf(box)) {
      if (!this.cells.has(key)) this.cells.set(key, []);
      this.cells.get(key).push(box);
    }
  }

  // Whether `box` overlaps any box here but `except`.
  hits(box, except) {
    for (const key of this.cellsOf(box)) {
      for (const other of this.cells.get(key) || []) {
        if (other !== except && overlaps(box, other)) return true;
      }
    }
    return false;
  }
}

// A label's size on screen and where Cytoscape draws it relative to what the sums in
// sideBox (or an edge's midpoint) say, kept on the element while its text, weight and
// size on screen stay the same: placing labels again after a zoom then reads nothing
// from Cytoscape. `from` reads the box where it is drawn now.
function sizeKey(element, zoom) {
  return [element.data("label"), element.pstyle("font-weight").strValue, Math.max(1, zoom).toFixed(3)].join("|");
}

function measure(element, zoom, from) {
  const key = sizeKey(element, zoom);
  const kept = element.scratch("labelSize");
  if (kept && kept.key === key) return kept;
  const actual = from(element);
  const size = { w: actual.x2 - actual.x1, h: actual.y2 - actual.y1 };
  const found = { key, size, inset: 0, ox: 0, oy: 0 };
  if (element.isNode()) {
    // How much nearer the node Cytoscape draws it than the sums say (border, padding),
    // along the axis the label stands off on; and how far off centre along the other.
    const side = SIDE_ALIGN[element.data("side")] ? element.data("side") : SIDES[0];
    const [halign, valign] = SIDE_ALIGN[side];
    const guess = sideBox(element, side, size, zoom);
    const insets = [];
    if (halign === "right") insets.push(guess.x1 - actual.x1);
    else if (halign === "left") insets.push(actual.x1 - guess.x1);
    else found.ox = actual.x1 - guess.x1;
    if (valign === "bottom") insets.push(guess.y1 - actual.y1);
    else if (valign === "top") insets.push(actual.y1 - guess.y1);
    else found.oy = actual.y1 - guess.y1;
    found.inset = insets.length ? Math.min(...insets) : 0;
  } else {
    const mid = element.renderedMidpoint();
    found.ox = actual.x1 - (mid.x - size.w / 2);
    found.oy = actual.y1 - (mid.y - size.h / 2);
  }
  element.scratch("labelSize", found);
  return found;
}

// A node's label box at `side`, from what measure found.
function placedBox(node, side, found, zoom) {
  const [halign, valign] = SIDE_ALIGN[side];
  const box = sideBox(node, side, found.size, zoom);
  const dx = halign === "right" ? -found.inset : halign === "left" ? found.inset : found.ox;
  const dy = valign === "bottom" ? -found.inset : valign === "top" ? found.inset : found.oy;
  return shift(box, dx, dy);
}

// Decides, for every label in view, whether and where it is drawn, so that none covers
// another, a node or an arrowhead, nor is cut by the canvas's edge. `order(a, b)` ranks
// elements (the first placed keep their labels); `always(element)` marks those whose
// label shows regardless (the selected one). Hidden labels get the class "quiet"; a
// node's side is its data("side"). Every side is worked out from the label's size (read
// from Cytoscape once per text and size, see measure), and only the labels that move or
// show or hide are changed, in one batch.
export function placeLabels(cy, { order, always }) {
  const zoom = cy.zoom();
  const placed = new BoxGrid();
  const obstacles = new BoxGrid();
  const bodies = new Map(); // node id -> its body's box, which its own label may touch
  const nodes = cy.nodes().filter((n) => n.visible());
  const edges = cy.edges().filter((e) => e.visible() && !e.hasClass("more"));
  nodes.forEach((n) => {
    const box = grow(n.renderedBoundingBox({ includeLabels: false, includeOverlays: false }), 1);
    bodies.set(n.id(), box);
    obstacles.add(box);
  });
  edges.forEach((e) => {
    if (e.pstyle("target-arrow-shape").strValue !== "none") obstacles.add(arrowBox(cy, e));
  });
  const canvas = { x1: 0, y1: 0, x2: cy.width(), y2: cy.height() };
  const within = (box) =>
    box.x1 >= canvas.x1 && box.y1 >= canvas.y1 && box.x2 <= canvas.x2 && box.y2 <= canvas.y2;
  // Free: clear of placed labels and of obstacles (but for the node's own body), and
  // within the canvas when what it labels is (a label cut by the edge is no label).
  const free = (box, own, inView) =>
    (!inView || within(box)) && !placed.hits(box, null) && !obstacles.hits(box, own);

  const labelled = nodes
    .filter((n) => n.data("label") && !n.hasClass("more"))
    .union(edges.filter((e) => e.data("label")));
  // Labels not measured yet are shown for a moment to be measured (nothing is drawn
  // before the batch at the end).
  const unmeasured = labelled.filter(".quiet").filter((e) => {
    const kept = e.scratch("labelSize");
    return !kept || kept.key !== sizeKey(e, zoom);
  });
  cy.batch(() => unmeasured.removeClass("quiet"));
  const read = (element) => labelBox(cy, element);
  const moves = [];
  const hide = new Set();
  labelled.sort(order).forEach((element) => {
    const found = measure(element, zoom, read);
    if (element.isEdge()) {
      const mid = element.renderedMidpoint();
      const { w, h } = found.size;
      const centred = { x1: mid.x - w / 2, y1: mid.y - h / 2, x2: mid.x + w / 2, y2: mid.y + h / 2 };
      const box = grow(shift(centred, found.ox, found.oy), GAP_PX);
      const inView = mid.x >= 0 && mid.y >= 0 && mid.x <= canvas.x2 && mid.y <= canvas.y2;
      if (free(box, null, inView) || always(element)) placed.add(box);
      else hide.add(element.id());
      return;
    }
    const own = bodies.get(element.id());
    const at = element.renderedPosition();
    const inView = at.x >= 0 && at.y >= 0 && at.x <= canvas.x2 && at.y <= canvas.y2;
    const current = SIDE_ALIGN[element.data("side")] ? element.data("side") : SIDES[0];
    let chosen = null;
    for (const side of [current, ...SIDES.filter((s) => s !== current)]) {
      const box = grow(placedBox(element, side, found, zoom), GAP_PX);
      if (free(box, own, inView)) {
        chosen = [side, box];
        break;
      }
    }
    if (!chosen && always(element)) {
      chosen = [current, grow(placedBox(element, current, found, zoom), GAP_PX)];
    }
    if (!chosen) {
      hide.add(element.id());
      return;
    }
    placed.add(chosen[1]);
    if (chosen[0] !== element.data("side")) moves.push([element, chosen[0]]);
  });
  cy.batch(() => {
    for (const [node, side] of moves) node.data("side", side);
    labelled.forEach((element) => {
      const hidden = hide.has(element.id());
      if (hidden !== element.hasClass("quiet")) element.toggleClass("quiet", hidden);
    });
  });
  return { shown: labelled.length - hide.size, hidden: hide.size };
}
