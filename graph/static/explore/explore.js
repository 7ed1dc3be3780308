// The graph explorer at /explore (issue 7). Plain JS modules, no build step: it reads
// only through the public GraphQL API at same-origin /graphql, like any other frontend,
// hears changes over the same API's subscriptions (live.js, issue 14), and draws with
// the vendored Cytoscape.js (graph/static/vendor/, see scripts/vendor_web.sh).
import { LiveClient } from "./live.js";
import {
  EDGE_LABEL_PX, NODE_LABEL_PX, SIDE_ALIGN, placeLabels, shortenMiddle, textWidth, wrapName,
} from "./labels.js";
import { orientToCanvas } from "./layout.js";

const ENDPOINT = new URL("/graphql", window.location.href).toString();
const LIVE_ENDPOINT = ENDPOINT.replace(/^http/, "ws");
// GET keeps URLs of this length or less; a longer operation is POSTed.
const MAX_GET_URL = 6000;

// One colour and one shape per kind (the EntityKind value), used by graph and legend.
// Which kinds there are, in what order, with what label and description, comes from
// the API's `domain` field at start-up (loadDomain); the labels here stand in only when
// it cannot be read.
const KIND_STYLES = {
  ORGANIZATION: { label: "Organization", color: "#4e79a7", shape: "round-rectangle" },
  BANK: { label: "Bank", color: "#f28e2b", shape: "hexagon" },
  PERSON: { label: "Person", color: "#59a14f", shape: "ellipse" },
  PATENT: { label: "Patent", color: "#b07aa1", shape: "tag" },
  AGREEMENT: { label: "Agreement", color: "#e15759", shape: "rectangle" },
  EVENT: { label: "Event", color: "#d4a000", shape: "star" },
  CREDIT: { label: "Credit", color: "#2b9c94", shape: "diamond" },
  GRANT: { label: "Grant", color: "#e377c2", shape: "pentagon" },
  PLACE: { label: "Place", color: "#9c755f", shape: "triangle" },
};
// For a kind the palette does not know (one newly declared in the domain): the first
// colour and the first shape that no other kind uses.
const EXTRA_COLORS = [
  "#17becf", "#bcbd22", "#393b79", "#ff9da7", "#637939", "#843c39", "#a55194", "#8c6d31", "#7f7f7f",
];
const EXTRA_SHAPES = [
  "octagon", "vee", "rhomboid", "heptagon", "concave-hexagon", "cut-rectangle", "barrel", "right-rhomboid",
];
const UNKNOWN_KIND = { label: "Other", color: "#888888", shape: "ellipse" };

// The kinds, in legend order: name -> { label, description, color, shape }.
function kindTable(kinds) {
  const table = {};
  const colors = new Set(Object.values(KIND_STYLES).map((s) => s.color));
  const shapes = new Set(Object.values(KIND_STYLES).map((s) => s.shape));
  let extra = 0;
  for (const { name, label, description } of kinds) {
    let style = KIND_STYLES[name];
    if (!style) {
      // Once every extra one is taken, they go round again.
      style = {
        color: EXTRA_COLORS.find((color) => !colors.has(color)) || EXTRA_COLORS[extra % EXTRA_COLORS.length],
        shape: EXTRA_SHAPES.find((shape) => !shapes.has(shape)) || EXTRA_SHAPES[extra % EXTRA_SHAPES.length],
      };
      extra += 1;
      colors.add(style.color);
      shapes.add(style.shape);
    }
    table[name] = {
      label: label || name,
      description: description || null,
      color: style.color,
      shape: style.shape,
    };
  }
  return table;
}

let KINDS = kindTable(Object.entries(KIND_STYLES).map(([name, s]) => ({ name, label: s.label })));
const RELATIONSHIPS = new Map(); // relationship type -> its description, from `domain`
const kindOf = (kind) => KINDS[kind] || UNKNOWN_KIND;

// Legend icons drawn to match Cytoscape's shapes (24 x 24 view box).
const SHAPE_SVG = {
  "round-rectangle": '<rect x="2" y="5" width="20" height="14" rx="4"/>',
  hexagon: '<polygon points="1,12 6.5,3 17.5,3 23,12 17.5,21 6.5,21"/>',
  ellipse: '<circle cx="12" cy="12" r="9.5"/>',
  tag: '<polygon points="2,5 16,5 22,12 16,19 2,19"/>',
  rectangle: '<rect x="3" y="4" width="18" height="16"/>',
  star: '<polygon points="12,1.5 14.8,8.6 22.5,9.1 16.6,14 18.5,21.5 12,17.4 5.5,21.5 7.4,14 1.5,9.1 9.2,8.6"/>',
  diamond: '<polygon points="12,1 23,12 12,23 1,12"/>',
  pentagon: '<polygon points="12,2 22.5,9.6 18.5,21.5 5.5,21.5 1.5,9.6"/>',
  triangle: '<polygon points="12,2 23,21 1,21"/>',
  octagon: '<polygon points="7.8,1.8 16.2,1.8 22.2,7.8 22.2,16.2 16.2,22.2 7.8,22.2 1.8,16.2 1.8,7.8"/>',
  vee: '<polygon points="1,2 12,8.5 23,2 12,22"/>',
  rhomboid: '<polygon points="1,4 15.7,4 23,20 8.3,20"/>',
  heptagon: '<polygon points="12,1.8 20.6,5.9 22.7,15.2 16.8,22.7 7.2,22.7 1.3,15.2 3.4,5.9"/>',
  "concave-hexagon": '<polygon points="1,3 23,3 20.2,12 23,21 1,21 3.8,12"/>',
  "cut-rectangle": '<polygon points="6,4 18,4 22,8 22,16 18,20 6,20 2,16 2,8"/>',
  barrel: '<path d="M4,3 H20 Q23.5,12 20,21 H4 Q0.5,12 4,3 Z"/>',
  "right-rhomboid": '<polygon points="8.3,4 23,4 15.7,20 1,20"/>',
};

const PROVENANCE = "provenance { paragraph locator source { id title publisher publishedOn url } }";
const PROPERTY_INFO = "name label type storedAs";
const QUERIES = {
  domain: `query ExplorerDomain {
    domain {
      kinds { name label description properties { ${PROPERTY_INFO} } }
      relationshipTypes { name description properties { ${PROPERTY_INFO} } }
      commonProperties { ${PROPERTY_INFO} } } }`,
  search: `query ExplorerSearch($text: String!) {
    search(text: $text, first: 8) { score entity { id name kind aliases } } }`,
  neighborhood: `query ExplorerNeighborhood($id: ID!, $limit: Int!) {
    neighborhood(id: $id, hops: 1, limit: $limit) {
      truncated nodes { id name kind aliases } edges { type from to properties } } }`,
  entity: `query ExplorerEntity($id: ID!) {
    entity(id: $id) { id kind name aliases properties ${PROVENANCE} } }`,
  // A relationship heard of live, and the entity at its other end.
  liveEdge: `query ExplorerLiveEdge($edge: ID!, $other: ID!) {
    node(id: $edge) { ... on Edge { type from to properties } }
    entity(id: $other) { id name kind aliases } }`,
  // A relationship by its global id (`from|TYPE|to`, see `node`).
  relationship: `query ExplorerRelationship($id: ID!) {
    node(id: $id) { ... on Edge { id type from to properties ${PROVENANCE} } } }`,
  path: `query ExplorerPath($from: ID!, $to: ID!) {
    shortestPath(fromId: $from, toId: $to) {
      length
      nodes { id name kind aliases ${PROVENANCE} }
      edges { id type from to properties ${PROVENANCE} } } }`,
};

// The declared properties, from `domain`: for each kind (and relationship type), its
// properties in declaration order, then those any entity may carry; each with the label
// people know it by, its type and the stored keys it is read from (money: two).
const PROPERTIES = { kinds: new Map(), relationships: new Map(), common: [] };
const FONT = "system-ui, DejaVu Sans, sans-serif";
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

// ---------------------------------------------------------------- helpers

const $ = (id) => document.getElementById(id);

function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

// replaceChildren() that skips null, undefined and false, as h() does.
function fill(parent, ...children) {
  parent.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}

// Queries go by GET, as the HTTP cache likes them, and every answer says which graph
// version it was read at (X-Graph-Version): live updates resume from the first one, so
// nothing committed between reading the view and subscribing is missed.
async function gql(query, variables) {
  const url = new URL(ENDPOINT);
  url.searchParams.set("query", query);
  if (variables) url.searchParams.set("variables", JSON.stringify(variables));
  const get = url.toString().length <= MAX_GET_URL;
  let response;
  try {
    response = await fetch(get ? url : ENDPOINT, {
      method: get ? "GET" : "POST",
      credentials: "same-origin",
      headers: get
        ? { Accept: "application/json" }
        : { "Content-Type": "application/json", Accept: "application/json" },
      body: get ? undefined : JSON.stringify({ query, variables }),
    });
  } catch (error) {
    throw new Error("The service cannot be reached.");
  }
  const version = Number.parseInt(response.headers.get("X-Graph-Version"), 10);
  let body = null;
  try {
    body = await response.json();
  } catch (error) {
    throw new Error(`The service answered HTTP ${response.status}.`);
  }
  if (body && Array.isArray(body.errors) && body.errors.length) {
    throw new Error(body.errors.map((e) => e.message).join("; "));
  }
  if (!response.ok || !body) throw new Error(`The service answered HTTP ${response.status}.`);
  if (Number.isFinite(version)) sawVersion(version);
  return body.data;
}

const numberFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });
const dateFormat = new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeZone: "UTC" });

function formatMoney(money) {
  if (!money || typeof money.amount !== "number") return null;
  return `${money.currency} ${numberFormat.format(money.amount)}`;
}

function dateNode(iso) {
  const parsed = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime())) return document.createTextNode(iso);
  return h("time", { datetime: iso, title: iso }, dateFormat.format(parsed));
}

function humanize(key) {
  const words = key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function valueNode(value) {
  if (typeof value === "string" && ISO_DATE.test(value)) return dateNode(value);
  if (typeof value === "number") return numberFormat.format(value);
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (Array.isArray(value)) {
    return value.every((v) => typeof v !== "object")
      ? value.join(", ")
      : h("code", {}, JSON.stringify(value));
  }
  if (value && typeof value === "object") return h("code", {}, JSON.stringify(value));
  return String(value);
}

function kindBadge(kind) {
  const k = kindOf(kind);
  return h("span", { class: "kind", style: `--kind:${k.color}`, title: k.description }, k.label);
}

const edgeId = (edge) => `${edge.from}|${edge.type}|${edge.to}`;
// Long names in lists and messages keep their start and their end (labels.js).
const shortName = (name) => shortenMiddle(name, 48);

function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 5000);
}

// ---------------------------------------------------------------- hooks

// For modules that add to the page (a panel of their own, more in the details): they
// listen here, and use the same helpers the page does (exported below, and on
// window.explorer). Events:
//   "details" {panel, entity | edge, live}  the details panel has just been filled
//                                           (claims.js adds who says what)
//   "select"  {id, node}                    a node or an edge was selected
//   "view"    {ids}                         the entities in view changed
const listeners = new Map();

export function on(event, listener) {
  if (!listeners.has(event)) listeners.set(event, new Set());
  listeners.get(event).add(listener);
  return () => listeners.get(event).delete(listener);
}

function emit(event, detail) {
  for (const listener of listeners.get(event) || []) {
    try {
      listener(detail);
    } catch (error) {
      console.error(`explorer: a "${event}" listener failed`, error);
    }
  }
}

export { gql, h, fill, humanize, formatMoney, dateNode };

// ---------------------------------------------------------------- state

const state = {
  cy: null,
  focusId: null,
  expanded: new Map(), // id -> { limit, truncated }
  pending: 0,
  detailsToken: 0,
  path: null, // { from, to, steps }
  kindsFrom: null, // "domain" once read from the API, "built-in" if that failed
  labelZoom: 1, // the zoom the labels' sizes were last set for
  labels: null, // how many labels placeLabels showed and hid
  arranging: false, // labels are about to be placed again
  shown: null, // what the details panel shows: { node: id } or { edge: data }
  live: {
    client: null,
    seq: null, // the last commit heard of (or the version the view was first read at)
    seen: new Set(), // changeIds already applied (a resubscription may repeat a few)
    key: "", // the ids subscribed to, joined
    ends: [], // functions that end the current subscriptions
    queue: Promise.resolve(), // events are applied one after the other, in order
    applied: 0,
  },
};

function setStatus(message, kind) {
  const status = $("status");
  status.textContent = message || "";
  status.className = `status${kind ? ` ${kind}` : ""}`;
}

async function busy(task) {
  state.pending += 1;
  document.body.dataset.busy = "true";
  try {
    return await task();
  } catch (error) {
    setStatus(error.message, "error");
    return undefined;
  } finally {
    state.pending -= 1;
    if (!state.pending) delete document.body.dataset.busy;
  }
}

function currentLimit() {
  const value = Number.parseInt($("limit").value, 10);
  if (!Number.isFinite(value)) return 25;
  return Math.min(1000, Math.max(2, value));
}

// ---------------------------------------------------------------- suggestions

// A search box with suggestions as you type: `search(text:, first: 8)`, debounced.
function attachSearch(input, list, onPick) {
  let items = [];
  let active = -1;
  let seq = 0;

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    active = index;
    [...list.children].forEach((li, i) => li.setAttribute("aria-selected", String(i === index)));
    if (index >= 0 && list.children[index]) {
      input.setAttribute("aria-activedescendant", list.children[index].id);
      list.children[index].scrollIntoView({ block: "nearest" });
    }
  }

  function pick(index) {
    const entity = items[index];
    if (!entity) return;
    input.value = entity.name;
    close();
    onPick(entity);
  }

  function render(hits, text) {
    items = hits.map((hit) => hit.entity);
    list.replaceChildren();
    if (!items.length) {
      list.append(h("li", { class: "none", role: "option", "aria-disabled": "true" },
        `Nothing matches “${text}”.`));
    }
    items.forEach((entity, i) => {
      list.append(
        h("li", {
          id: `${list.id}-${i}`,
          role: "option",
          "aria-selected": "false",
          dataset: { id: entity.id },
          onmousedown: (event) => {
            event.preventDefault(); // keep the focus in the input until picked
            pick(i);
          },
        },
        h("span", { class: "name" }, entity.name),
        kindBadge(entity.kind),
        entity.aliases.length ? h("span", { class: "aliases" }, entity.aliases.join(" · ")) : null),
      );
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    highlight(items.length ? 0 : -1);
  }

  const lookUp = debounce(async () => {
    const text = input.value.trim();
    const mine = ++seq;
    if (!text) {
      close();
      return;
    }
    try {
      const data = await gql(QUERIES.search, { text });
      if (mine === seq && input.value.trim() === text) render(data.search, text);
    } catch (error) {
      if (mine === seq) setStatus(error.message, "error");
    }
  }, 200);

  input.addEventListener("input", () => {
    input.dataset.id = "";
    lookUp();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" && !list.hidden) {
      event.preventDefault();
      highlight(Math.min(items.length - 1, active + 1));
    } else if (event.key === "ArrowUp" && !list.hidden) {
      event.preventDefault();
      highlight(Math.max(0, active - 1));
    } else if (event.key === "Enter") {
      if (!list.hidden && active >= 0) {
        event.preventDefault();
        pick(active);
      }
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 100));
  input.addEventListener("focus", () => {
    if (items.length && input.value.trim() && !input.dataset.id) {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
  });
}

// ---------------------------------------------------------------- graph

// Label sizes are set on screen, not in the graph's units: a zoomed-out view keeps
// labels at their minimum size (and hides those that no longer fit, see labels.js)
// instead of shrinking them; zoomed in, they grow with the graph.
const onScreen = (px) => px / Math.min(1, state.labelZoom);
// Where a node's label sits: its data("side"), chosen by placeLabels.
const side = (n) => SIDE_ALIGN[n.data("side")] || SIDE_ALIGN.bottom;

function createGraph() {
  const cy = window.cytoscape({
    container: $("cy"),
    minZoom: 0.1,
    maxZoom: 3,
    style: [
      {
        selector: "node",
        style: {
          shape: (n) => kindOf(n.data("kind")).shape,
          "background-color": (n) => kindOf(n.data("kind")).color,
          width: 34,
          height: 34,
          label: "data(label)",
          "font-family": FONT,
          "font-size": () => onScreen(NODE_LABEL_PX),
          color: "#1f2937",
          "text-halign": (n) => side(n)[0],
          "text-valign": (n) => side(n)[1],
          "text-margin-x": (n) => onScreen(side(n)[2]),
          "text-margin-y": (n) => onScreen(side(n)[3]),
          // Lines are broken by wrapName (labels.js), never by Cytoscape.
          "text-wrap": "wrap",
          "text-max-width": 100000,
          "text-justification": "center",
          "text-background-color": "#ffffff",
          "text-background-opacity": 0.85,
          "text-background-padding": () => onScreen(2),
          "text-background-shape": "round-rectangle",
          "border-width": 2,
          "border-color": "#ffffff",
        },
      },
      { selector: "node.focus", style: { width: 46, height: 46, "font-weight": "bold" } },
      { selector: "node.expanded", style: { "border-color": "#1f2937", "border-width": 2 } },
      {
        selector: "node.more",
        style: {
          shape: "round-rectangle",
          width: 52,
          height: 20,
          "background-color": "#ffffff",
          "border-style": "dashed",
          "border-color": "#6b7280",
          "border-width": 1.5,
          label: "data(label)",
          "text-halign": "center",
          "text-valign": "center",
          "text-margin-x": 0,
          "text-margin-y": 0,
          "text-background-opacity": 0,
          color: "#374151",
          "font-size": 11,
        },
      },
      {
        selector: "edge",
        style: {
          width: 1.6,
          "line-color": "#9ca3af",
          "target-arrow-color": "#6b7280",
          "target-arrow-shape": "triangle",
          "arrow-scale": 1.1,
          "curve-style": "bezier",
          label: "data(label)",
          "font-family": FONT,
          "font-size": () => onScreen(EDGE_LABEL_PX),
          color: "#4b5563",
          // Level text reads at any angle; its box is the box it covers.
          "text-rotation": "none",
          "text-background-color": "#ffffff",
          "text-background-opacity": 0.9,
          "text-background-padding": () => onScreen(1.5),
          "text-background-shape": "round-rectangle",
        },
      },
      {
        selector: "edge.more",
        style: { "line-style": "dashed", "target-arrow-shape": "none", label: "" },
      },
      // A label that does not fit (labels.js); hovering or selecting shows it again.
      { selector: ".quiet", style: { label: "" } },
      {
        selector: ":selected",
        style: {
          "overlay-color": "#2563eb",
          "overlay-opacity": 0.18,
          "overlay-padding": 6,
        },
      },
      { selector: "edge:selected", style: { "line-color": "#2563eb", "target-arrow-color": "#2563eb", width: 3 } },
      { selector: ".faded", style: { opacity: 0.25 } },
      // Just changed, heard live: a green halo for a few seconds.
      {
        selector: ".fresh",
        style: { "overlay-color": "#16a34a", "overlay-opacity": 0.25, "overlay-padding": 8 },
      },
      {
        selector: "node.path",
        style: { "border-color": "#2563eb", "border-width": 4, opacity: 1 },
      },
      {
        selector: "edge.path",
        style: {
          "line-color": "#2563eb",
          "target-arrow-color": "#2563eb",
          width: 4,
          color: "#1e3a8a",
          "font-weight": "bold",
          opacity: 1,
        },
      },
      {
        selector: ".hover",
        style: { label: "data(label)", "z-index": 100, "text-background-opacity": 1 },
      },
    ],
  });

  cy.on("zoom", () => rescaleLabels());
  cy.on("pan zoom", () => {
    $("graph-tip").hidden = true;
  });
  cy.on("select unselect", () => arrangeLabels());
  cy.on("dragfree", "node", () => arrangeLabels());
  cy.on("add remove", () => arrangeLabels());
  cy.on("mouseover", "node, edge", (event) => hover(event.target, true));
  cy.on("mouseout", "node, edge", (event) => hover(event.target, false));
  // Cytoscape sends no mouseout when the pointer leaves the canvas from an element.
  $("cy").addEventListener("mouseleave", () => unhover());
  cy.on("tap", "node", (event) => {
    const node = event.target;
    if (node.hasClass("more")) {
      expandMore(node.data("of"));
      return;
    }
    selectElement(node);
    if (!state.expanded.has(node.id())) expand(node.id());
  });
  cy.on("tap", "edge", (event) => {
    if (!event.target.hasClass("more")) selectElement(event.target);
  });
  cy.on("tap", (event) => {
    if (event.target === cy) showNothing();
  });
  return cy;
}

const fitsLine = (text, room) => textWidth(text, NODE_LABEL_PX, FONT) <= room;

function nodeData(entity) {
  return {
    id: entity.id,
    name: entity.name,
    kind: entity.kind,
    aliases: entity.aliases || [],
    label: wrapName(entity.name, fitsLine).join("\n"),
  };
}

// ---------------------------------------------------------------- labels on screen

// After a zoom, labels take their size on screen again (one frame later, once), then
// are placed again when the zooming stops.
let rescaleFrame = 0;
function rescaleLabels() {
  if (rescaleFrame) return;
  rescaleFrame = requestAnimationFrame(() => {
    rescaleFrame = 0;
    const zoom = state.cy.zoom();
    if (Math.min(1, zoom) !== Math.min(1, state.labelZoom)) {
      state.labelZoom = zoom;
      state.cy.style().update();
    } else {
      state.labelZoom = zoom;
    }
    arrangeLabels();
  });
}

// Which labels keep their place first: the selected element, the entity in focus, the
// path shown, expanded entities, then the better connected; nodes before edges.
function labelRank(element) {
  if (element.selected()) return 0;
  if (element.hasClass("faded")) return 10; // outside the path shown
  if (element.isNode()) {
    if (element.hasClass("focus")) return 1;
    if (element.hasClass("path")) return 2;
    if (element.hasClass("expanded")) return 3;
    return 4;
  }
  return element.hasClass("path") ? 2.5 : 5;
}

// Ranks worked out once per placing, not once per comparison.
function byLabelRank(cy) {
  const keys = new Map();
  cy.elements().forEach((e) => keys.set(e.id(), [labelRank(e), e.isNode() ? e.degree() : 0]));
  return (a, b) => {
    const [ra, da] = keys.get(a.id());
    const [rb, db] = keys.get(b.id());
    return ra - rb || db - da || (a.id() < b.id() ? -1 : 1);
  };
}

// What the pointer was on has moved (a layout, a fit): its tip goes.
function unhover() {
  state.cy.elements(".hover").removeClass("hover");
  $("graph-tip").hidden = true;
}

const placeLabelsSoon = debounce(() => {
  state.arranging = false;
  if (!state.cy || state.cy.nodes().empty()) return;
  state.labels = placeLabels(state.cy, {
    order: byLabelRank(state.cy),
    always: (element) => element.selected() || element.hasClass("hover"),
  });
}, 80);

function arrangeLabels() {
  state.arranging = true;
  placeLabelsSoon();
}

function hover(element, on) {
  if (element.hasClass("more") || element.removed()) return;
  element.toggleClass("hover", on);
  const tip = $("graph-tip");
  if (!on) {
    tip.hidden = true;
    return;
  }
  // The full name (a label may be shortened or hidden), at the pointer's element.
  const text = element.isNode() ? element.data("name") : `${element.data("type")}`;
  const at = element.isNode() ? element.renderedPosition() : element.renderedMidpoint();
  tip.textContent = text;
  tip.hidden = false;
  tip.style.left = `${Math.round(at.x)}px`;
  tip.style.top = `${Math.round(at.y)}px`;
}

// Merge nodes and edges into the view; new nodes start around `anchorId` so the
// layout that follows keeps the existing picture in place.
function merge(nodes, edges, anchorId) {
  const cy = state.cy;
  const anchor = anchorId ? cy.getElementById(anchorId) : null;
  const centre = anchor && anchor.nonempty() ? anchor.position() : { x: 0, y: 0 };
  const fresh = nodes.filter((n) => cy.getElementById(n.id).empty());
  const added = [];
  fresh.forEach((entity, i) => {
    const angle = (2 * Math.PI * i) / Math.max(1, fresh.length);
    added.push({
      group: "nodes",
      data: nodeData(entity),
      position: { x: centre.x + 140 * Math.cos(angle), y: centre.y + 140 * Math.sin(angle) },
    });
  });
  for (const edge of edges) {
    const id = edgeId(edge);
    if (cy.getElementById(id).nonempty()) continue;
    added.push({
      group: "edges",
      data: {
        id,
        source: edge.from,
        target: edge.to,
        type: edge.type,
        label: edge.type,
        properties: edge.properties || {},
      },
    });
  }
  cy.batch(() => {
    // Edges whose ends are not (yet) in view are skipped rather than failing the batch.
    for (const element of added) {
      if (element.group === "edges") {
        const { source, target } = element.data;
        const known = (id) =>
          cy.getElementById(id).nonempty() || added.some((a) => a.group === "nodes" && a.data.id === id);
        if (!known(source) || !known(target)) continue;
      }
      cy.add(element);
    }
  });
  watchView();
  return fresh.length;
}

// Most a fit may zoom in: a handful of nodes should not fill the screen.
const FIT_MAX_ZOOM = 1.25;
// Room kept around the nodes when fitting them, for their labels (which keep their size
// on screen, so they are left out of the box that is fitted).
const FIT_PADDING = { x: 100, y: 50 };

// Lays the graph out (force-directed), turns it to the canvas's shape, fits it and
// places the labels.
async function runLayout(randomize) {
  const cy = state.cy;
  const entities = cy.nodes();
  if (!entities.length) return;
  const layout = cy.layout({
    name: "cose",
    animate: false,
    randomize: Boolean(randomize),
    fit: false,
    nodeDimensionsIncludeLabels: false,
    idealEdgeLength: () => 120,
    nodeOverlap: 20,
    nodeRepulsion: () => 1200000,
    edgeElasticity: () => 80,
    gravity: 0.4,
    numIter: 1500,
  });
  const done = layout.promiseOn("layoutstop");
  layout.run();
  await done;
  const positions = orientToCanvas(entities.toArray(), cy.width(), cy.height());
  cy.batch(() => entities.positions((n) => positions.get(n.id())));
  fitView();
}

function fitView() {
  const cy = state.cy;
  unhover();
  const nodes = cy.nodes();
  if (nodes.empty()) return;
  const box = nodes.boundingBox({ includeLabels: false, includeOverlays: false });
  const room = { w: cy.width() - 2 * FIT_PADDING.x, h: cy.height() - 2 * FIT_PADDING.y };
  const zoom = Math.max(
    cy.minZoom(),
    Math.min(FIT_MAX_ZOOM, room.w / Math.max(box.w, 1), room.h / Math.max(box.h, 1)),
  );
  cy.viewport({
    zoom,
    pan: { x: cy.width() / 2 - zoom * (box.x1 + box.w / 2), y: cy.height() / 2 - zoom * (box.y1 + box.h / 2) },
  });
  state.labelZoom = cy.zoom();
  cy.style().update();
  arrangeLabels();
}

function markMore(id, truncated) {
  const cy = state.cy;
  const moreId = `more:${id}`;
  cy.remove(cy.getElementById(moreId));
  cy.remove(cy.getElementById(`more-edge:${id}`));
  if (truncated) {
    const at = cy.getElementById(id).position();
    cy.add([
      { group: "nodes", data: { id: moreId, label: "more…", of: id }, classes: "more", position: { x: at.x + 60, y: at.y - 50 } },
      { group: "edges", data: { id: `more-edge:${id}`, source: id, target: moreId }, classes: "more" },
    ]);
  }
  updateMoreNotice();
}

function updateMoreNotice() {
  const cut = [...state.expanded.entries()].filter(([, info]) => info.truncated);
  const notice = $("more-notice");
  if (!cut.length) {
    notice.hidden = true;
    return;
  }
  const [id] = cut[cut.length - 1];
  const node = state.cy.getElementById(id);
  const name = node.nonempty() ? node.data("name") : id;
  $("more-text").textContent =
    cut.length === 1
      ? `Not every neighbour of ${shortName(name)} is shown.`
      : `${cut.length} nodes have neighbours not shown (latest: ${shortName(name)}).`;
  $("more-button").dataset.id = id;
  notice.hidden = false;
}

async function expand(id, limit) {
  const want = limit || currentLimit();
  return busy(async () => {
    setStatus("Loading neighbours…");
    const data = await gql(QUERIES.neighborhood, { id, limit: want });
    const hood = data.neighborhood;
    const added = merge(hood.nodes, hood.edges, id);
    state.expanded.set(id, { limit: want, truncated: hood.truncated });
    const node = state.cy.getElementById(id);
    node.addClass("expanded");
    markMore(id, hood.truncated);
    await runLayout(false);
    refreshLegend();
    refreshEmpty();
    refreshConnections();
    const name = node.nonempty() ? node.data("name") : id;
    setStatus(
      added
        ? `${shortName(name)}: ${added} new neighbour${added === 1 ? "" : "s"}${hood.truncated ? ", more not shown" : ""}.`
        : `${shortName(name)}: no new neighbours${hood.truncated ? " (more not shown)" : ""}.`,
    );
  });
}

function expandMore(id) {
  const info = state.expanded.get(id);
  const next = Math.min(1000, Math.max(currentLimit(), (info ? info.limit : 25) * 2));
  return expand(id, next);
}

async function focusEntity(entity) {
  const cy = state.cy;
  cy.elements().remove();
  state.expanded.clear();
  state.live.seq = null; // resume from the version the new view is read at
  state.focusId = entity.id;
  $("search").value = entity.name;
  clearPathHighlight();
  merge([entity], [], null);
  cy.getElementById(entity.id).addClass("focus");
  const url = new URL(window.location.href);
  url.searchParams.set("id", entity.id);
  window.history.replaceState(null, "", url);
  const from = $("path-from");
  if (!from.dataset.id) setPicker(from, entity);
  await expand(entity.id);
  const node = cy.getElementById(entity.id);
  if (node.nonempty()) selectElement(node);
}

function refreshEmpty() {
  $("empty").hidden = state.cy.nodes().nonempty();
}

function refreshLegend() {
  const counts = {};
  state.cy.nodes().not(".more").forEach((n) => {
    counts[n.data("kind")] = (counts[n.data("kind")] || 0) + 1;
  });
  const legend = $("legend");
  if (state.kindsFrom) legend.dataset.kinds = state.kindsFrom;
  legend.replaceChildren(
    ...Object.entries(KINDS).map(([kind, k]) => {
      const icon = h("span", { class: "shape", "aria-hidden": "true" });
      icon.innerHTML = `<svg viewBox="0 0 24 24" width="16" height="16" fill="${k.color}">${SHAPE_SVG[k.shape] || SHAPE_SVG.ellipse}</svg>`;
      return h("li", { class: counts[kind] ? "" : "absent", dataset: { kind }, title: k.description },
        icon, h("span", { class: "label" }, k.label),
        counts[kind] ? h("span", { class: "count" }, counts[kind]) : null);
    }),
  );
}

// The declared kinds and relationship types, read once from the API's `domain` field:
// the legend's kinds, order, labels and descriptions follow it. Should it fail, the
// palette's built-in kinds stand and the page works as before.
function loadDomain() {
  return busy(async () => {
    let domain = null;
    try {
      domain = (await gql(QUERIES.domain)).domain;
    } catch (error) {
      setStatus(`The kinds could not be read (${error.message}); the built-in ones are shown.`);
    }
    if (domain) {
      KINDS = kindTable(domain.kinds);
      for (const r of domain.relationshipTypes || []) {
        RELATIONSHIPS.set(r.name, r.description);
        PROPERTIES.relationships.set(r.name, r.properties || []);
      }
      for (const k of domain.kinds) PROPERTIES.kinds.set(k.name, k.properties || []);
      PROPERTIES.common = domain.commonProperties || [];
    }
    state.kindsFrom = domain ? "domain" : "built-in";
    state.cy.style().update();
    refreshLegend();
  });
}

// ---------------------------------------------------------------- details panel

function showNothing() {
  state.detailsToken += 1;
  state.shown = null;
  $("details").replaceChildren(h("p", { class: "muted" }, "Select a node or an edge."));
}

function selectElement(element) {
  state.cy.elements(":selected").unselect();
  element.select();
  emit("select", { id: element.id(), node: element.isNode() });
  if (element.isNode()) showNode(element.id());
  else showEdge(element.data());
}

function provenanceList(provenance) {
  if (!provenance || !provenance.length) {
    return h("p", { class: "muted" }, "No provenance recorded.");
  }
  return h("ul", { class: "provenance" },
    provenance.map((p) => {
      const where = [];
      if (p.paragraph !== null && p.paragraph !== undefined) where.push(`paragraph ${p.paragraph}`);
      if (p.locator) where.push(p.locator);
      const s = p.source;
      return h("li", { class: "source" },
        h("div", { class: "source-title" }, s.title),
        h("div", { class: "source-meta" },
          [s.publisher, s.publishedOn ? dateNode(s.publishedOn) : null]
            .filter(Boolean)
            .flatMap((part, i) => (i ? [" · ", part] : [part]))),
        where.length ? h("div", { class: "locator" }, where.join(" · ")) : null,
        s.url ? h("div", { class: "source-url" }, s.url) : null);
    }));
}

// The rows of a details table: the declared properties first, in declaration order and
// under their labels (money as amount and currency, dates as dates), then any others
// the entity carries, under their names in words.
function propertyRows(properties, declared) {
  const values = properties || {};
  const given = (v) => v !== null && v !== undefined && v !== "";
  const rows = [];
  const used = new Set(["name"]);
  for (const prop of declared) {
    const keys = prop.storedAs && prop.storedAs.length ? prop.storedAs : [prop.name];
    if (keys.some((key) => used.has(key))) continue; // declared twice (kind and common)
    keys.forEach((key) => used.add(key));
    const label = prop.label || humanize(prop.name);
    if (prop.type === "MONEY") {
      const text = formatMoney({ amount: values[keys[0]], currency: values[keys[1]] });
      if (text) rows.push([label, text, "money", prop.name]);
    } else if (given(values[keys[0]])) {
      rows.push([label, valueNode(values[keys[0]]), null, prop.name]);
    }
  }
  for (const key of Object.keys(values).sort()) {
    if (!used.has(key) && given(values[key])) rows.push([humanize(key), valueNode(values[key]), null, key]);
  }
  return rows;
}

function propertyTable(rows) {
  if (!rows.length) return h("p", { class: "muted" }, "No properties.");
  return h("dl", { class: "props" }, rows.flatMap(([label, value, cls, key]) => [
    h("dt", { dataset: { key } }, label),
    h("dd", { class: cls || null }, value),
  ]));
}

// Rebuilt after every merge, so it lists what the view holds now.
function refreshConnections() {
  const old = document.getElementById("connections");
  if (!old) return;
  const fresh = connectionsList(old.dataset.id);
  if (fresh) old.replaceWith(fresh);
}

function connectionsList(id) {
  const node = state.cy.getElementById(id);
  const edges = node.connectedEdges().not(".more");
  if (!edges.length) return h("div", { id: "connections", dataset: { id } });
  return h("details", { id: "connections", class: "connections", open: edges.length <= 8, dataset: { id } },
    h("summary", {}, `Connections in view (${edges.length})`),
    h("ul", {},
      edges.map((edge) => {
        const out = edge.data("source") === id;
        const other = state.cy.getElementById(out ? edge.data("target") : edge.data("source"));
        return h("li", {},
          h("button", { type: "button", class: "linkish", onclick: () => selectElement(edge) },
            out ? `${edge.data("type")} →` : `← ${edge.data("type")}`),
          " ",
          h("button", { type: "button", class: "linkish", onclick: () => selectElement(other) },
            shortName(other.data("name") || other.id())));
      })));
}

// `live`: a refresh after a change heard live; the panel keeps what it shows until the
// new answer is in, and then says it was updated.
async function showNode(id, live) {
  const token = ++state.detailsToken;
  state.shown = { node: id };
  const panel = $("details");
  if (!live) panel.replaceChildren(h("p", { class: "muted" }, "Loading…"));
  const data = await busy(() => gql(QUERIES.entity, { id }));
  if (token !== state.detailsToken) return;
  if (!data) {
    panel.replaceChildren(h("p", { class: "muted" }, "Could not load the details."));
    return;
  }
  const entity = data.entity;
  if (!entity) {
    panel.replaceChildren(h("p", { class: "muted" }, `No entity with id ${id}.`));
    return;
  }
  const declared = [...(PROPERTIES.kinds.get(entity.kind) || []), ...PROPERTIES.common];
  const rows = propertyRows(entity.properties, declared);
  fill(panel,
    live ? liveNote() : null,
    h("div", { class: "entity-head" },
      h("h3", { class: "entity-name" }, entity.name), kindBadge(entity.kind)),
    h("div", { class: "entity-id" }, h("code", {}, entity.id)),
    entity.aliases.length ? h("p", { class: "aliases" }, `Also: ${entity.aliases.join(" · ")}`) : null,
    propertyTable(rows),
    h("h4", {}, "Provenance"),
    provenanceList(entity.provenance),
    connectionsList(id),
    h("div", { class: "row" },
      h("button", { type: "button", onclick: () => setPicker($("path-from"), entity) }, "Path from here"),
      h("button", { type: "button", onclick: () => setPicker($("path-to"), entity) }, "Path to here"),
      h("button", { type: "button", onclick: () => focusEntity(entity) }, "Centre on it")),
  );
  emit("details", { panel, entity, live: Boolean(live) });
}

async function showEdge(edge, live) {
  const token = ++state.detailsToken;
  state.shown = { edge };
  const panel = $("details");
  const cy = state.cy;
  const fromName = cy.getElementById(edge.source).data("name") || edge.source;
  const toName = cy.getElementById(edge.target).data("name") || edge.target;
  if (!live) panel.replaceChildren(h("p", { class: "muted" }, "Loading…"));
  const data = await busy(() => gql(QUERIES.relationship, { id: edge.id }));
  if (token !== state.detailsToken) return;
  if (!data) {
    panel.replaceChildren(h("p", { class: "muted" }, "Could not load the relationship."));
    return;
  }
  const found = data.node;
  const properties = (found && found.properties) || edge.properties || {};
  const rows = propertyRows(properties, PROPERTIES.relationships.get(edge.type) || []);
  fill(panel,
    live ? liveNote() : null,
    h("div", { class: "entity-head" },
      h("h3", { class: "entity-name", title: RELATIONSHIPS.get(edge.type) }, edge.type),
      h("span", { class: "kind rel" }, "Relationship")),
    h("p", { class: "edge-ends" },
      h("button", { type: "button", class: "linkish", onclick: () => selectElement(cy.getElementById(edge.source)) }, fromName),
      ` —${edge.type}→ `,
      h("button", { type: "button", class: "linkish", onclick: () => selectElement(cy.getElementById(edge.target)) }, toName)),
    propertyTable(rows),
    h("h4", {}, "Provenance"),
    found ? provenanceList(found.provenance) : h("p", { class: "muted" }, "The relationship was not found."),
  );
  emit("details", { panel, edge: found || null, live: Boolean(live) });
}

// ---------------------------------------------------------------- path finder

function setPicker(input, entity) {
  input.value = entity.name;
  input.dataset.id = entity.id;
  input.dataset.kind = entity.kind;
  refreshPathButton();
}

function refreshPathButton() {
  $("path-find").disabled = !($("path-from").dataset.id && $("path-to").dataset.id);
}

function clearPathHighlight() {
  if (state.cy) state.cy.elements().removeClass("path faded");
  state.path = null;
  arrangeLabels();
  $("path-steps").replaceChildren();
  $("path-summary").textContent = "";
}

async function findPath() {
  const from = $("path-from").dataset.id;
  const to = $("path-to").dataset.id;
  if (!from || !to) return;
  await busy(async () => {
    setStatus("Looking for the shortest path…");
    const data = await gql(QUERIES.path, { from, to });
    clearPathHighlight();
    const path = data.shortestPath;
    if (!path) {
      $("path-summary").textContent = "No path within 6 hops.";
      setStatus("No path found.");
      return;
    }
    const cy = state.cy;
    // The path is the one thing shown: no selection (an edge's halo and details) is left
    // over from before, on screen or in an exported picture.
    cy.elements(":selected").unselect();
    unhover();
    showNothing();
    const first = path.nodes[0];
    if (cy.nodes().empty()) {
      state.focusId = first.id;
      merge([first], [], null);
      cy.getElementById(first.id).addClass("focus");
    }
    let added = 0;
    path.nodes.forEach((node, i) => {
      added += merge([node], [], i ? path.nodes[i - 1].id : null);
    });
    merge([], path.edges, null);
    // A path within the view keeps the picture as it is.
    if (added) await runLayout(false);
    const ids = new Set(path.nodes.map((n) => n.id).concat(path.edges.map(edgeId)));
    cy.batch(() => {
      cy.elements().addClass("faded");
      cy.elements().filter((e) => ids.has(e.id())).removeClass("faded").addClass("path");
    });
    refreshLegend();
    refreshEmpty();
    refreshConnections();
    arrangeLabels();
    renderSteps(path);
    $("path-title").scrollIntoView({ block: "start", behavior: "smooth" });
    setStatus(`Shortest path: ${path.length} step${path.length === 1 ? "" : "s"}.`);
  });
}

function renderSteps(path) {
  // What the JSON export holds of the path: every step with its id, each relationship
  // with its type, direction and properties, and where each was asserted.
  state.path = {
    from: path.nodes[0].id,
    to: path.nodes[path.nodes.length - 1].id,
    length: path.length,
    nodes: path.nodes.map((n) => ({ id: n.id, name: n.name, kind: n.kind, provenance: n.provenance })),
    edges: path.edges.map((e) => ({
      id: e.id || edgeId(e),
      type: e.type,
      from: e.from,
      to: e.to,
      properties: e.properties,
      provenance: e.provenance,
    })),
  };
  $("path-summary").textContent = `${path.length} step${path.length === 1 ? "" : "s"}:`;
  const list = $("path-steps");
  list.replaceChildren(
    ...path.nodes.map((node, i) => {
      const edge = path.edges[i];
      let link = null;
      if (edge) {
        const forward = edge.from === node.id;
        link = h("button", {
          type: "button",
          class: "step-edge linkish",
          onclick: () => selectElement(state.cy.getElementById(edgeId(edge))),
        }, forward ? `${edge.type} →` : `← ${edge.type}`);
      }
      return h("li", { class: "step", dataset: { id: node.id } },
        h("button", {
          type: "button",
          class: "step-name linkish",
          onclick: () => selectElement(state.cy.getElementById(node.id)),
        }, node.name),
        " ", kindBadge(node.kind),
        link ? h("div", { class: "via" }, link) : null);
    }),
  );
}

// ---------------------------------------------------------------- live updates

// What is in view is watched through two subscriptions (issue 14), renewed whenever the
// view's entities change: entityChanged for each of them (the node and, when shown, the
// details update in place) and relationshipChanged at either end (a new relationship of
// an expanded entity joins its neighbourhood; a deleted one leaves). Each renewal
// resumes after the last commit heard, so a change is never lost between two of them,
// nor across a reconnection. Bulk batches name no single entity and are not heard here.
const LIVE = {
  entity: `subscription ExplorerEntityChanged($ids: [ID!], $after: Int) {
    entityChanged(ids: $ids, after: $after) {
      seq changeId action id mergedId entity { id name kind aliases } } }`,
  relationship: `subscription ExplorerRelationshipChanged($ids: [ID!], $after: Int) {
    relationshipChanged(ids: $ids, after: $after) { seq changeId action type from to } }`,
};
const LIVE_FLASH_MS = 4000;

function sawVersion(version) {
  if (state.live.seq === null) state.live.seq = version;
}

function viewIds() {
  return state.cy ? state.cy.nodes().not(".more").map((n) => n.id()).sort() : [];
}

// Debounced: an expansion merges nodes in several steps.
const watchView = debounce(() => {
  const live = state.live;
  const ids = viewIds();
  const key = ids.join("\n");
  if (key === live.key) return;
  live.key = key;
  emit("view", { ids });
  live.ends.forEach((end) => end());
  live.ends = [];
  if (!ids.length) return;
  // `after` one commit back: a commit's changes that straddle a renewal come again, and
  // are skipped by their changeId.
  const variables = () => ({ ids, after: live.seq === null ? null : Math.max(0, live.seq - 1) });
  const sink = (field) => ({
    next: (payload) => {
      const change = payload && payload.data && payload.data[field];
      if (!change) {
        if (payload && payload.errors) setStatus(payload.errors.map((e) => e.message).join("; "), "error");
        return;
      }
      live.queue = live.queue
        .then(() => applyChange(field, change))
        .catch((error) => setStatus(error.message, "error"));
    },
    error: (errors) => {
      const tooFar = (errors || []).some((e) => e.extensions && e.extensions.code === "REPLAY_TOO_LONG");
      setStatus(
        tooFar
          ? "Live updates stopped: more changed while away than the service replays; reload the page to see the graph as it is now."
          : `Live updates refused: ${(errors || []).map((e) => e.message).join("; ")}`,
        "error",
      );
    },
  });
  live.ends.push(live.client.subscribe(LIVE.entity, variables, sink("entityChanged")));
  live.ends.push(live.client.subscribe(LIVE.relationship, variables, sink("relationshipChanged")));
}, 150);

async function applyChange(field, change) {
  const live = state.live;
  if (live.seen.has(change.changeId)) return;
  live.seen.add(change.changeId);
  if (live.seen.size > 5000) live.seen = new Set([...live.seen].slice(-2500));
  live.seq = live.seq === null ? change.seq : Math.max(live.seq, change.seq);
  if (field === "entityChanged") await entityChanged(change);
  else await relationshipChanged(change);
  live.applied += 1;
  refreshLiveIndicator();
}

function flash(elements) {
  elements.addClass("fresh");
  setTimeout(() => elements.removeClass("fresh"), LIVE_FLASH_MS);
}

function liveNote() {
  const at = new Date().toLocaleTimeString("en-GB");
  return h("p", { class: "live-note", role: "status" }, `Updated live at ${at}.`);
}

async function entityChanged(change) {
  const cy = state.cy;
  if (!change.id) return; // a bulk batch
  const shownId = state.shown && state.shown.node;
  if (change.action === "merge" && change.mergedId) {
    const gone = cy.getElementById(change.mergedId);
    if (gone.nonempty()) {
      const wasExpanded = state.expanded.has(change.mergedId);
      const at = gone.position();
      if (change.entity && cy.getElementById(change.id).empty()) {
        cy.add({ group: "nodes", data: nodeData(change.entity), position: { ...at } });
      }
      forget(change.mergedId);
      if (state.focusId === change.mergedId) state.focusId = change.id;
      if (wasExpanded) await expand(change.id);
      flash(cy.getElementById(change.id));
      setStatus(`${shortName(change.entity ? change.entity.name : change.id)} absorbed ${change.mergedId}.`);
    }
    if (shownId === change.mergedId || shownId === change.id) await showNode(change.id, true);
    return;
  }
  const node = cy.getElementById(change.id);
  if (change.action === "delete" || !change.entity) {
    if (node.nonempty()) {
      setStatus(`${shortName(node.data("name"))} was deleted.`);
      forget(change.id);
    }
    if (shownId === change.id) {
      $("details").replaceChildren(liveNote(), h("p", { class: "muted" }, `${change.id} was deleted.`));
    }
    return;
  }
  if (node.nonempty()) {
    node.data(nodeData(change.entity));
    flash(node);
    refreshLegend();
  }
  if (shownId === change.id) await showNode(change.id, true);
}

async function relationshipChanged(change) {
  const cy = state.cy;
  if (!change.from || !change.to || !change.type) return; // a bulk batch
  const id = edgeId(change);
  const edge = cy.getElementById(id);
  const shownEdge = Boolean(state.shown && state.shown.edge && state.shown.edge.id === id);
  if (change.action === "delete") {
    if (edge.nonempty()) {
      cy.remove(edge);
      refreshConnections();
    }
    if (shownEdge) $("details").replaceChildren(liveNote(), h("p", { class: "muted" }, `${id} was deleted.`));
    return;
  }
  const from = cy.getElementById(change.from);
  const to = cy.getElementById(change.to);
  // A new neighbour joins the view only where the neighbourhood is shown (an expanded end).
  const anchor = [from, to].find((n) => n.nonempty() && state.expanded.has(n.id()));
  if (edge.empty() && !(from.nonempty() && to.nonempty()) && !anchor) return;
  const other = from.nonempty() ? change.to : change.from;
  const data = await gql(QUERIES.liveEdge, { edge: id, other });
  if (!data.node) {
    // Gone (deleted since, or withdrawn with a retracted source): out of the view too.
    if (edge.nonempty()) {
      cy.remove(edge);
      refreshConnections();
    }
    return;
  }
  const found = { type: data.node.type, from: data.node.from, to: data.node.to, properties: data.node.properties };
  if (edge.nonempty()) {
    edge.data("properties", found.properties || {});
    flash(edge);
  } else {
    const added = merge(data.entity ? [data.entity] : [], [found], anchor ? anchor.id() : null);
    if (added) await runLayout(false);
    flash(cy.getElementById(id).union(added ? cy.getElementById(other) : cy.collection()));
    refreshLegend();
    refreshEmpty();
    refreshConnections();
    const nameOf = (end, node) => shortName(node.nonempty() ? node.data("name") : cy.getElementById(end).data("name") || end);
    setStatus(`New: ${nameOf(change.from, from)} ${change.type} ${nameOf(change.to, to)}.`);
  }
  if (shownEdge) await showEdge(cy.getElementById(id).data(), true);
}

// Takes a node out of the view, with its edges, its "more…" marker and its expansion.
function forget(id) {
  const cy = state.cy;
  cy.remove(cy.getElementById(id));
  cy.remove(cy.getElementById(`more:${id}`));
  state.expanded.delete(id);
  updateMoreNotice();
  refreshLegend();
  refreshEmpty();
  refreshConnections();
  watchView();
}

const LIVE_TEXT = {
  idle: "Live: idle",
  connecting: "Connecting…",
  live: "Live",
  stopped: "Paused",
  refused: "Live updates refused",
};

function refreshLiveIndicator() {
  const indicator = $("live");
  const { state: now, inMs, code } = state.live.client.state;
  indicator.dataset.state = now;
  $("live-text").textContent =
    now === "retrying" ? `Reconnecting in ${Math.ceil(inMs / 1000)} s…` : LIVE_TEXT[now] || now;
  const heard = state.live.seq === null ? "" : ` Last commit heard: ${state.live.seq}.`;
  const why = code ? ` (${code})` : "";
  indicator.title = {
    idle: "Changes to what is shown appear here as they happen.",
    connecting: "Opening the live connection…",
    live: `Changes to what is shown appear as they happen.${heard}`,
    retrying: `The live connection dropped${why}; changes made meanwhile follow when it is back.${heard}`,
    stopped: `Live updates are paused; changes made meanwhile follow when resumed.${heard}`,
    refused: `The service refused the live connection${why}: reload to try again.`,
  }[now] || "";
  $("live-toggle").textContent = now === "stopped" ? "Resume" : "Pause";
}

function startLive() {
  state.live.client = new LiveClient({
    url: LIVE_ENDPOINT,
    // The explorer sends no token today (it reads what anyone may read); one would go
    // here, as {Authorization: "Bearer …"}.
    connectionParams: () => ({}),
    onState: refreshLiveIndicator,
  });
  refreshLiveIndicator();
  $("live-toggle").addEventListener("click", () => {
    if (state.live.client.state.state === "stopped") state.live.client.start();
    else state.live.client.stop();
  });
}

// ---------------------------------------------------------------- export

function viewAsJson() {
  const cy = state.cy;
  return {
    exportedAt: new Date().toISOString(),
    focus: state.focusId,
    nodes: cy.nodes().not(".more").map((n) => ({
      id: n.id(),
      name: n.data("name"),
      kind: n.data("kind"),
      aliases: n.data("aliases"),
      expanded: state.expanded.has(n.id()),
      truncated: Boolean(state.expanded.get(n.id()) && state.expanded.get(n.id()).truncated),
      position: n.position(),
    })),
    edges: cy.edges().not(".more").map((e) => ({
      type: e.data("type"),
      from: e.data("source"),
      to: e.data("target"),
      properties: e.data("properties"),
    })),
    path: state.path,
  };
}

function fileStem() {
  return `ip-graph-${state.focusId || "view"}`;
}

function exportJson() {
  const blob = new Blob([JSON.stringify(viewAsJson(), null, 2)], { type: "application/json" });
  download(blob, `${fileStem()}.json`);
}

function exportPng() {
  const blob = state.cy.png({ output: "blob", bg: "#ffffff", full: true, scale: 2 });
  download(blob, `${fileStem()}.png`);
}

// ---------------------------------------------------------------- start

function start() {
  if (typeof window.cytoscape !== "function") {
    $("cy").closest(".stage").replaceChildren(h("p", { class: "boot-error" },
      "The explorer's assets are missing: run `make setup` (scripts/vendor_web.sh) so that /static/vendor/ is populated."));
    return;
  }
  state.cy = createGraph();
  startLive();
  const domainRead = loadDomain();

  attachSearch($("search"), $("search-suggestions"), (entity) => {
    $("search").dataset.id = entity.id;
    focusEntity(entity);
  });
  attachSearch($("path-from"), $("path-from-suggestions"), (entity) => setPicker($("path-from"), entity));
  attachSearch($("path-to"), $("path-to-suggestions"), (entity) => setPicker($("path-to"), entity));
  for (const id of ["path-from", "path-to"]) $(id).addEventListener("input", refreshPathButton);

  $("path-find").addEventListener("click", findPath);
  $("path-clear").addEventListener("click", clearPathHighlight);
  $("path-swap").addEventListener("click", () => {
    const a = $("path-from");
    const b = $("path-to");
    [a.value, b.value] = [b.value, a.value];
    [a.dataset.id, b.dataset.id] = [b.dataset.id || "", a.dataset.id || ""];
    refreshPathButton();
  });
  $("fit").addEventListener("click", fitView);
  $("relayout").addEventListener("click", () => runLayout(true));
  $("more-button").addEventListener("click", (event) => expandMore(event.currentTarget.dataset.id));
  for (const button of document.querySelectorAll("button.try")) {
    button.addEventListener("click", async () => {
      const data = await busy(() => gql(QUERIES.entity, { id: button.dataset.id }));
      if (data && data.entity) focusEntity(data.entity);
    });
  }

  const wanted = new URLSearchParams(window.location.search).get("id");
  if (wanted) {
    busy(async () => {
      await domainRead; // so that the first badges already carry the API's labels
      const data = await gql(QUERIES.entity, { id: wanted });
      if (data.entity) await focusEntity(data.entity);
      else setStatus(`No entity with id ${wanted}.`, "error");
    });
  }
}

// A small handle for tests and the console: what is on screen, and the same actions
// the page offers.
window.explorer = {
  get cy() { return state.cy; },
  get busy() { return state.pending > 0 || state.arranging; },
  get focusId() { return state.focusId; },
  nodeIds: () => state.cy.nodes().not(".more").map((n) => n.id()).sort(),
  edgeIds: () => state.cy.edges().not(".more").map((e) => e.id()).sort(),
  // The view as drawn (PNG) and as data (JSON): entries of export.js's "Export as…" menu.
  exportPng,
  exportJson,
  truncatedIds: () => [...state.expanded].filter(([, i]) => i.truncated).map(([id]) => id),
  pathIds: () => state.cy.elements(".path").map((e) => e.id()),
  // The kind table in legend order: where it came from, and each kind's label and style.
  get kindsFrom() { return state.kindsFrom; },
  kinds: () => Object.entries(KINDS).map(([name, k]) => ({ name, ...k })),
  // Where a node (or an edge's label) is on the page, for a real mouse click.
  renderedPosition(id) {
    const element = state.cy.getElementById(id);
    if (element.empty()) return null;
    const box = state.cy.container().getBoundingClientRect();
    const p = element.isNode() ? element.renderedPosition() : element.renderedMidpoint();
    return { x: box.left + p.x, y: box.top + p.y };
  },
  expand: (id, limit) => expand(id, limit),
  view: viewAsJson,
  // Labels: how many placeLabels showed and hid, and whether a placing is pending.
  get labels() { return { ...(state.labels || { shown: 0, hidden: 0 }), pending: state.arranging }; },
  // For other modules (see "hooks" above).
  on,
  gql,
  h,
  focus: async (id) => {
    const data = await gql(QUERIES.entity, { id });
    if (data.entity) await focusEntity(data.entity);
  },
  select: (id) => {
    const element = state.cy.getElementById(id);
    if (element.nonempty()) selectElement(element);
  },
  // Live updates: the connection's state, the changes applied, and the connection itself
  // (stop/start/drop) so that a test can cut it.
  live: {
    get state() { return state.live.client.state.state; },
    get applied() { return state.live.applied; },
    get subscribedIds() { return state.live.key ? state.live.key.split("\n") : []; },
    stop: () => state.live.client.stop(),
    start: () => state.live.client.start(),
    drop: () => state.live.client.drop(),
  },
};

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
