// Duplicate candidates in the explorer (issue 15): pairs of entities that are likely one
// thing, side by side with the signals of their score, and what an editor can do about
// each: merge them (`mergeEntities`) or say they differ (`markDistinct`), both an editor's.
// A module of its own beside explore.js: it needs only the "Duplicates" button in
// index.html, and reads and writes through the public GraphQL API like explore.js does.
"use strict";

(() => {
  const ENDPOINT = new URL("/graphql", window.location.href).toString();
  const PAGE = 10;
  const KEY_STORE = "ipkg.apiKey"; // the API key typed in, for this tab only

  const CANDIDATES = `query Duplicates($kinds: [EntityKind!], $threshold: Float, $first: Int, $after: String) {
    duplicateCandidates(kinds: $kinds, threshold: $threshold, first: $first, after: $after) {
      totalCount compared crowded threshold
      pageInfo { hasNextPage endCursor }
      edges { node {
        kind score survivorId mergedId
        signals { signal contribution detail }
        a { ...Side } b { ...Side }
      } }
    }
  }
  fragment Side on Entity {
    id name aliases properties
    provenance { paragraph source { title publisher } }
    relationshipsConnection(first: 4) { totalCount edges { node { type other { name } } } }
  }`;
  const KINDS = `{ domain { kinds { name label } } }`;
  const MERGE = `mutation Merge($survivor: ID!, $merged: ID!, $reason: String) {
    mergeEntities(survivorId: $survivor, mergedId: $merged, reason: $reason) {
      __typename
      ... on EntityWritten { entity { id name } }
      ... on ValidationError { message } ... on NotFoundError { message }
      ... on ConflictError { message } ... on ForbiddenError { message }
    }
  }`;
  const DISTINCT = `mutation Distinct($a: ID!, $b: ID!, $note: String) {
    markDistinct(a: $a, b: $b, note: $note) {
      __typename
      ... on DistinctPair { changed }
      ... on ValidationError { message } ... on NotFoundError { message }
      ... on ForbiddenError { message }
    }
  }`;

  const state = {
    after: null, kinds: null, threshold: null, used: null, shown: 0, total: 0, busy: 0, generation: 0,
  };

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

  function apiKey() {
    return (document.getElementById("dup-key").value || "").trim();
  }

  async function gql(query, variables) {
    const headers = { "Content-Type": "application/json", Accept: "application/json" };
    const key = apiKey();
    if (key) headers.Authorization = `Bearer ${key}`;
    let response;
    try {
      response = await fetch(ENDPOINT, {
        method: "POST",
        credentials: "same-origin",
        headers,
        body: JSON.stringify({ query, variables }),
      });
    } catch (error) {
      throw new Error("The service cannot be reached.");
    }
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
    return body.data;
  }

  function say(message, kind) {
    const status = document.getElementById("dup-status");
    status.textContent = message;
    status.className = `dup-status${kind ? ` ${kind}` : ""}`;
  }

  async function busy(task) {
    state.busy += 1;
    try {
      return await task();
    } catch (error) {
      say(error.message, "error");
      return null;
    } finally {
      state.busy -= 1;
    }
  }

  // ------------------------------------------------------------------ the dialog

  function build() {
    const dialog = h(
      "dialog",
      { id: "duplicates", class: "dup-dialog", "aria-labelledby": "dup-title" },
      h(
        "header",
        { class: "dup-head" },
        h("h2", { id: "dup-title" }, "Duplicate candidates"),
        h("label", {}, "Kind ", h("select", { id: "dup-kind" }, h("option", { value: "" }, "All kinds"))),
        h(
          "label",
          { title: "Only pairs scoring at least this (above 0, at most 1); empty: the service's default" },
          "Threshold ",
          h("input", { id: "dup-threshold", type: "number", min: "0.05", max: "1", step: "0.05", placeholder: "default" }),
        ),
        h(
          "label",
          { title: "An editor's (or admin's) API key, to merge pairs or mark them distinct. Kept in this tab only." },
          "API key ",
          h("input", { id: "dup-key", type: "password", autocomplete: "off", placeholder: "for editors" }),
        ),
        h("button", { type: "button", id: "dup-refresh", class: "primary" }, "Show"),
        h("button", { type: "button", id: "dup-close", "aria-label": "Close" }, "Close"),
      ),
      h("p", { id: "dup-summary", class: "muted" }),
      h("div", { id: "dup-status", class: "dup-status", role: "status", "aria-live": "polite" }),
      h("ol", { id: "dup-list", class: "dup-list" }),
      h("div", { class: "dup-foot" }, h("button", { type: "button", id: "dup-more", hidden: true }, "More candidates")),
    );
    document.body.append(dialog);
    const key = document.getElementById("dup-key");
    key.value = sessionStorage.getItem(KEY_STORE) || "";
    key.addEventListener("change", () => sessionStorage.setItem(KEY_STORE, key.value.trim()));
    document.getElementById("dup-close").addEventListener("click", () => dialog.close());
    document.getElementById("dup-refresh").addEventListener("click", () => load(true));
    document.getElementById("dup-more").addEventListener("click", () => load(false));
    document.getElementById("dup-kind").addEventListener("change", () => load(true));
    busy(async () => {
      const data = await gql(KINDS);
      const select = document.getElementById("dup-kind");
      for (const kind of data.domain.kinds) select.append(h("option", { value: kind.name }, kind.label));
    });
    return dialog;
  }

  function open() {
    const dialog = document.getElementById("duplicates") || build();
    if (!dialog.open) dialog.showModal();
    load(true);
  }

  async function load(fresh) {
    // A fresh list makes any answer still on its way for an older one stale.
    const generation = fresh ? ++state.generation : state.generation;
    if (fresh) {
      const kind = document.getElementById("dup-kind").value;
      state.kinds = kind ? [kind] : null;
      const threshold = document.getElementById("dup-threshold").value;
      state.threshold = threshold ? Number(threshold) : null; // null: the API's default
      state.after = null;
      state.shown = 0;
      document.getElementById("dup-list").replaceChildren();
      say("Ranking candidates…");
    }
    const variables = { kinds: state.kinds, first: PAGE, after: state.after };
    if (state.threshold !== null) variables.threshold = state.threshold; // else the API's default
    const data = await busy(() => gql(CANDIDATES, variables));
    if (!data || generation !== state.generation) return;
    const page = data.duplicateCandidates;
    const list = document.getElementById("dup-list");
    for (const edge of page.edges) list.append(candidate(edge.node));
    state.after = page.pageInfo.endCursor;
    state.shown += page.edges.length;
    state.total = page.totalCount;
    state.used = page.threshold;
    document.getElementById("dup-more").hidden = !page.pageInfo.hasNextPage;
    summarize(page);
    say("");
  }

  function summarize(page) {
    const crowded = page && page.crowded
      ? ` ${page.crowded} names were shared by too many entities to tell any two apart.`
      : "";
    const compared = page ? ` ${page.compared.toLocaleString("en-US")} pairs sharing a name key were compared.` : "";
    document.getElementById("dup-summary").textContent =
      `${state.total.toLocaleString("en-US")} candidates scoring ${state.used} or more; ` +
      `showing ${state.shown}.${compared}${crowded}`;
  }

  // ------------------------------------------------------------------ one candidate

  function signed(value) {
    return `${value >= 0 ? "+" : "−"}${Math.abs(value).toFixed(2)}`;
  }

  function side(entity, role) {
    const props = Object.entries(entity.properties || {});
    const rels = entity.relationshipsConnection;
    return h(
      "section",
      { class: "dup-side", dataset: { id: entity.id } },
      h("p", { class: "dup-role muted" }, role),
      h("h3", { class: "dup-name" }, entity.name),
      h("p", { class: "muted" }, h("code", {}, entity.id), " · ",
        h("a", { class: "link", href: `/explore?id=${encodeURIComponent(entity.id)}` }, "open in graph")),
      entity.aliases.length ? h("p", { class: "aliases" }, `Also: ${entity.aliases.join(" · ")}`) : null,
      props.length
        ? h("dl", { class: "props" }, props.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, Array.isArray(v) ? v.join(", ") : String(v))]))
        : null,
      h(
        "p",
        { class: "dup-rels muted" },
        `${rels.totalCount} relationship${rels.totalCount === 1 ? "" : "s"}`,
        rels.edges.length ? `: ${rels.edges.map((e) => `${e.node.type} ${e.node.other.name}`).join("; ")}${rels.totalCount > rels.edges.length ? "; …" : ""}` : "",
      ),
      h(
        "p",
        { class: "dup-sources muted" },
        "Sources: ",
        [...new Set(entity.provenance.map((p) => p.source.title))].join("; ") || "none",
      ),
    );
  }

  function candidate(c) {
    const byId = { [c.a.id]: c.a, [c.b.id]: c.b };
    const survivor = byId[c.survivorId];
    const merged = byId[c.mergedId];
    const note = h("input", { type: "text", class: "dup-note", placeholder: "Why (kept in history)" });
    const item = h(
      "li",
      { class: "dup-item", dataset: { a: c.a.id, b: c.b.id } },
      h(
        "div",
        { class: "dup-score" },
        h("strong", {}, `${Math.round(c.score * 100)}%`),
        " ",
        h("span", { class: "kind" }, c.kind),
        h(
          "ul",
          { class: "dup-signals" },
          c.signals.map((s) =>
            h("li", { class: s.contribution < 0 ? "against" : "for" },
              h("span", { class: "dup-contribution" }, signed(s.contribution)), " ",
              h("span", { class: "dup-signal" }, s.signal.toLowerCase()), ": ", s.detail),
          ),
        ),
      ),
      h("div", { class: "dup-sides" }, side(survivor, "keep"), side(merged, "merge into it")),
      h(
        "div",
        { class: "row dup-actions" },
        note,
        h("button", { type: "button", class: "primary dup-merge", onclick: () => merge(item, survivor, merged, note.value) },
          `Merge into “${survivor.name}”`),
        h("button", { type: "button", class: "dup-swap", onclick: () => merge(item, merged, survivor, note.value) },
          "Keep the other"),
        h("button", { type: "button", class: "dup-distinct", onclick: () => distinct(item, c, note.value) },
          "Not the same"),
      ),
    );
    return item;
  }

  function done(item, message) {
    item.remove();
    state.shown -= 1;
    state.total -= 1;
    summarize(null);
    say(message, "ok");
  }

  function refused(result) {
    const need = result.__typename === "ForbiddenError" ? " (enter an API key with the role needed above)" : "";
    say(`${result.message}${need}`, "error");
  }

  async function merge(item, survivor, merged, reason) {
    const data = await busy(() => gql(MERGE, { survivor: survivor.id, merged: merged.id, reason: reason || null }));
    if (!data) return;
    const result = data.mergeEntities;
    if (result.__typename !== "EntityWritten") return refused(result);
    done(item, `Merged “${merged.name}” into “${result.entity.name}”.`);
  }

  async function distinct(item, c, note) {
    const data = await busy(() => gql(DISTINCT, { a: c.a.id, b: c.b.id, note: note || null }));
    if (!data) return;
    const result = data.markDistinct;
    if (result.__typename !== "DistinctPair") return refused(result);
    done(item, `Marked “${c.a.name}” and “${c.b.name}” as distinct: they will not be proposed again.`);
  }

  function start() {
    const button = document.getElementById("duplicates-open");
    if (button) button.addEventListener("click", open);
  }

  // For tests and the console.
  window.duplicates = {
    open,
    get busy() { return state.busy > 0; },
    pairs: () => [...document.querySelectorAll("#dup-list .dup-item")].map((li) => [li.dataset.a, li.dataset.b]),
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
