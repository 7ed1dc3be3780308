// Who says what, in the explorer (issue 15): the details panel of an entity or a
// relationship lists every value its sources give, with those sources, and marks the
// properties they disagree on; the "Conflicts" dialog lists the contested properties
// across the graph, page by page, and lets an editor settle one (`resolveConflict`,
// recorded in history; the values not chosen stay visible as rejected). A module of its
// own beside explore.js: it listens to the page's "details" event and reads through the
// public GraphQL API.
import { on, gql, h, humanize, formatMoney, dateNode } from "./explore.js";

const ENDPOINT = new URL("/graphql", window.location.href).toString();
const KEY_STORE = "ipkg.apiKey"; // the API key typed in, for this tab only (as duplicates.js)
const PAGE = 10;

const CLAIM = `fragment ExplorerClaim on Claim {
  property value status sourceCount
  provenance { paragraph locator source { id title publisher publishedOn } } }`;
const QUERIES = {
  entity: `query ExplorerClaimsOfEntity($id: ID!) {
    entity(id: $id) { id contested claims { ...ExplorerClaim } } } ${CLAIM}`,
  edge: `query ExplorerClaimsOfEdge($id: ID!) {
    node(id: $id) { ... on Edge { id contested claims { ...ExplorerClaim } } } } ${CLAIM}`,
  conflicts: `query ExplorerConflicts($status: ConflictStatus, $entity: ID, $first: Int!, $after: String) {
    conflicts(status: $status, entity: $entity, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { node {
        id property kind status since note resolvedAt shown
        entity { id name kind } relationship { id type from to }
        claims { ...ExplorerClaim } } } } } ${CLAIM}`,
  resolve: `mutation ExplorerResolve($id: ID!, $value: JSON!, $note: String) {
    resolveConflict(id: $id, value: $value, note: $note) {
      __typename
      ... on ConflictResolved { conflict { id status shown } }
      ... on ValidationError { message } ... on NotFoundError { message }
      ... on ForbiddenError { message } } }`,
};

const STATUS_WORDS = { SHOWN: "shown", ALTERNATIVE: "alternative", REJECTED: "rejected" };

// ------------------------------------------------------------------ values and sources

function isMoney(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value) && "amount" in value;
}

function valueText(value) {
  if (isMoney(value)) return formatMoney(value) || JSON.stringify(value);
  if (Array.isArray(value)) return value.map(valueText).join(", ");
  if (value === null || value === undefined) return "—";
  return String(value);
}

function valueNodeOf(value) {
  if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value)) return dateNode(value);
  return valueText(value);
}

function sourceLine(p) {
  const s = p.source;
  const where = [];
  if (p.paragraph !== null && p.paragraph !== undefined) where.push(`¶ ${p.paragraph}`);
  if (p.locator) where.push(p.locator);
  return h("li", { class: "claim-source", dataset: { source: s.id } },
    h("span", { class: "source-title" }, s.title),
    [s.publisher, s.publishedOn].filter(Boolean).length
      ? h("span", { class: "source-meta" }, ` · ${[s.publisher, s.publishedOn].filter(Boolean).join(", ")}`)
      : null,
    where.length ? h("span", { class: "locator" }, ` · ${where.join(" · ")}`) : null);
}

function claimItem(claim, extra) {
  return h("li", { class: `claim ${claim.status.toLowerCase()}`, dataset: { property: claim.property, status: claim.status } },
    h("div", { class: "claim-head" },
      h("span", { class: "claim-value" }, valueNodeOf(claim.value)),
      h("span", { class: `claim-status ${claim.status.toLowerCase()}` }, STATUS_WORDS[claim.status] || claim.status),
      h("span", { class: "claim-count muted" }, `${claim.sourceCount} source${claim.sourceCount === 1 ? "" : "s"}`),
      extra || null),
    h("ul", { class: "claim-sources" }, claim.provenance.map(sourceLine)));
}

function byProperty(claims) {
  const groups = new Map();
  for (const claim of claims) {
    if (!groups.has(claim.property)) groups.set(claim.property, []);
    groups.get(claim.property).push(claim);
  }
  return groups;
}

// ------------------------------------------------------------------ the details panel

let generation = 0;

function claimsSection(subject, conflictOf) {
  const contested = new Set(subject.contested);
  const groups = byProperty(subject.claims);
  const disputed = [...groups].filter(([property]) => contested.has(property));
  const agreed = [...groups].filter(([property]) => !contested.has(property));
  const group = ([property, claims]) => h("div", { class: "claim-group", dataset: { property } },
    h("div", { class: "claim-property" }, humanize(property)),
    h("ul", { class: "claims" }, claims.map((claim) => claimItem(claim))));
  return h("section", { id: "claims", class: "claims-section", "aria-label": "Who says what" },
    disputed.length
      ? h("div", { class: "disputed" },
        h("h4", {}, `Sources disagree (${disputed.length})`),
        disputed.map(group),
        h("button", { type: "button", class: "linkish", onclick: () => openConflicts({ entity: conflictOf }) },
          "Review in Conflicts…"))
      : null,
    agreed.length
      ? h("details", { class: "agreed" },
        h("summary", {}, `Who says what (${agreed.length} propert${agreed.length === 1 ? "y" : "ies"})`),
        agreed.map(group))
      : null);
}

// The property table's rows of contested properties get a mark that leads to the claims.
function markContested(panel, contested) {
  for (const property of contested) {
    const dt = panel.querySelector(`dl.props dt[data-key="${CSS.escape(property)}"]`);
    if (!dt || dt.querySelector(".contested")) continue;
    dt.classList.add("is-contested");
    dt.append(" ", h("button", {
      type: "button", class: "contested", title: "Sources give different values: see who says what",
      onclick: () => document.getElementById("claims")?.scrollIntoView({ block: "nearest" }),
    }, "disputed"));
  }
}

on("details", async ({ panel, entity, edge }) => {
  const mine = ++generation;
  const subjectId = entity ? entity.id : edge && edge.id;
  if (!subjectId) return;
  let data;
  try {
    data = entity ? await gql(QUERIES.entity, { id: subjectId }) : await gql(QUERIES.edge, { id: subjectId });
  } catch (error) {
    if (mine === generation) panel.append(h("p", { class: "muted" }, `Could not load the claims: ${error.message}`));
    return;
  }
  // The panel moved on to something else while the claims were on their way.
  if (mine !== generation || !panel.isConnected) return;
  const subject = entity ? data.entity : data.node;
  if (!subject) return;
  panel.querySelector("#claims")?.remove();
  markContested(panel, subject.contested);
  const section = claimsSection(subject, entity ? entity.id : edge.from);
  const provenanceHead = [...panel.querySelectorAll("h4")].find((el) => el.textContent === "Provenance");
  if (provenanceHead) provenanceHead.before(section);
  else panel.append(section);
});

// ------------------------------------------------------------------ the Conflicts dialog

const list = { after: null, status: "OPEN", entity: null, shown: 0, total: 0, busy: 0, generation: 0 };

function say(message, kind) {
  const status = document.getElementById("cf-status");
  status.textContent = message;
  status.className = `cf-status${kind ? ` ${kind}` : ""}`;
}

function apiKey() {
  return (document.getElementById("cf-key").value || "").trim();
}

// Writes go with the key typed in (POST; explore.js's gql reads without one, by GET).
async function write(query, variables) {
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  if (apiKey()) headers.Authorization = `Bearer ${apiKey()}`;
  let response;
  try {
    response = await fetch(ENDPOINT, { method: "POST", credentials: "same-origin", headers, body: JSON.stringify({ query, variables }) });
  } catch (error) {
    throw new Error("The service cannot be reached.");
  }
  const body = await response.json().catch(() => null);
  if (body && Array.isArray(body.errors) && body.errors.length) throw new Error(body.errors.map((e) => e.message).join("; "));
  if (!response.ok || !body) throw new Error(`The service answered HTTP ${response.status}.`);
  return body.data;
}

async function busy(task) {
  list.busy += 1;
  try {
    return await task();
  } catch (error) {
    say(error.message, "error");
    return null;
  } finally {
    list.busy -= 1;
  }
}

function build() {
  const dialog = h("dialog", { id: "conflicts", class: "dup-dialog cf-dialog", "aria-labelledby": "cf-title" },
    h("header", { class: "dup-head" },
      h("h2", { id: "cf-title" }, "Conflicts"),
      h("label", {}, "Show ",
        h("select", { id: "cf-which" },
          h("option", { value: "OPEN" }, "Open"),
          h("option", { value: "RESOLVED" }, "Resolved"),
          h("option", { value: "" }, "All"))),
      h("label", { title: "Resolving needs an editor's API key. Kept in this tab only." }, "API key ",
        h("input", { id: "cf-key", type: "password", autocomplete: "off", placeholder: "for editors" })),
      h("button", { type: "button", id: "cf-close", "aria-label": "Close" }, "Close")),
    h("p", { id: "cf-summary", class: "muted" }),
    h("div", { id: "cf-status", class: "cf-status", role: "status", "aria-live": "polite" }),
    h("ol", { id: "cf-list", class: "dup-list" }),
    h("div", { class: "dup-foot" }, h("button", { type: "button", id: "cf-more", hidden: true }, "More conflicts")));
  document.body.append(dialog);
  const key = document.getElementById("cf-key");
  key.value = sessionStorage.getItem(KEY_STORE) || "";
  key.addEventListener("change", () => sessionStorage.setItem(KEY_STORE, key.value.trim()));
  document.getElementById("cf-close").addEventListener("click", () => dialog.close());
  document.getElementById("cf-more").addEventListener("click", () => load(false));
  document.getElementById("cf-which").addEventListener("change", () => load(true));
  return dialog;
}

function openConflicts(options = {}) {
  const dialog = document.getElementById("conflicts") || build();
  list.entity = options.entity || null;
  if (!dialog.open) dialog.showModal();
  load(true);
}

async function load(fresh) {
  const mine = fresh ? ++list.generation : list.generation;
  if (fresh) {
    list.status = document.getElementById("cf-which").value || null;
    list.after = null;
    list.shown = 0;
    document.getElementById("cf-list").replaceChildren();
    say("Loading…");
  }
  const variables = { status: list.status, entity: list.entity, first: PAGE, after: list.after };
  const data = await busy(() => gql(QUERIES.conflicts, variables));
  if (!data || mine !== list.generation) return;
  const page = data.conflicts;
  const target = document.getElementById("cf-list");
  for (const edge of page.edges) target.append(conflictItem(edge.node));
  list.after = page.pageInfo.endCursor;
  list.shown += page.edges.length;
  list.total = page.totalCount;
  document.getElementById("cf-more").hidden = !page.pageInfo.hasNextPage;
  summarize();
  say("");
}

function summarize() {
  const which = { OPEN: "open ", RESOLVED: "resolved " }[list.status] || "";
  const about = list.entity ? ` about ${list.entity} and its relationships` : "";
  document.getElementById("cf-summary").textContent =
    `${list.total.toLocaleString("en-US")} ${which}conflict${list.total === 1 ? "" : "s"}${about}; showing ${list.shown}.` +
    (list.entity ? " " : "");
  if (list.entity) {
    document.getElementById("cf-summary").append(h("button", { type: "button", class: "linkish", onclick: () => { list.entity = null; load(true); } }, "Show all"));
  }
}

function conflictItem(conflict) {
  const note = h("input", { type: "text", class: "dup-note", placeholder: "Why this value (kept in history)" });
  const about = conflict.relationship
    ? `${conflict.entity.name} —${conflict.relationship.type}→ ${conflict.relationship.to}`
    : conflict.entity.name;
  const choose = (claim) => h("button", { type: "button", class: "cf-choose", onclick: () => resolve(item, conflict, claim, note.value) },
    claim.status === "SHOWN" && conflict.status === "RESOLVED" ? "Chosen" : "Show this value");
  const item = h("li", { class: "dup-item cf-item", dataset: { id: conflict.id, status: conflict.status } },
    h("div", { class: "cf-head" },
      h("strong", {}, humanize(conflict.property)), " of ",
      h("a", { class: "link", href: `/explore?id=${encodeURIComponent(conflict.entity.id)}` }, about), " ",
      h("span", { class: "kind" }, conflict.kind), " ",
      h("span", { class: `claim-status ${conflict.status.toLowerCase()}` }, conflict.status.toLowerCase())),
    h("p", { class: "muted" }, "Shown now: ", h("strong", {}, valueNodeOf(conflict.shown)),
      conflict.since ? ` · sources disagree since ${conflict.since.slice(0, 10)}` : "",
      conflict.note ? ` · editor's note: ${conflict.note}` : ""),
    h("ul", { class: "claims" }, conflict.claims.map((claim) => claimItem(claim, choose(claim)))),
    h("div", { class: "row dup-actions" }, note));
  return item;
}

async function resolve(item, conflict, claim, note) {
  const data = await busy(() => write(QUERIES.resolve, { id: conflict.id, value: claim.value, note: note || null }));
  if (!data) return;
  const result = data.resolveConflict;
  if (result.__typename !== "ConflictResolved") {
    const need = result.__typename === "ForbiddenError" ? " (enter an editor's API key above)" : "";
    say(`${result.message}${need}`, "error");
    return;
  }
  say(`${humanize(conflict.property)} of ${conflict.entity.name} now shows ${valueText(result.conflict.shown)}.`, "ok");
  // Read back as the graph now has it: the chosen value shown, the others rejected.
  const fresh = await busy(() => gql(QUERIES.conflicts, { entity: conflict.entity.id, first: 100 }));
  const now = fresh && fresh.conflicts.edges.map((e) => e.node).find((c) => c.id === conflict.id);
  if (now) item.replaceWith(conflictItem(now));
}

function start() {
  const button = document.getElementById("conflicts-open");
  if (button) button.addEventListener("click", () => openConflicts());
}

// For tests and the console.
window.conflicts = {
  open: openConflicts,
  get busy() { return list.busy > 0; },
  ids: () => [...document.querySelectorAll("#cf-list .cf-item")].map((li) => li.dataset.id),
};

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
