// "Export as GraphML / CSV / JSON-LD" for the explorer (issue 15, "Export"): the entities
// and relationships in view are sent to the service's /export route as an ordinary
// GraphQL query (`nodes(ids:)`), which answers with the file, every property and the
// provenance of each member included. Kept apart from explore.js: it only reads the view.
"use strict";

(() => {
  const ENDPOINT = new URL("/export", window.location.href);
  // Drawn in the browser by explore.js (the picture, and the view with its path).
  const LOCAL = {
    png: () => window.explorer.exportPng(),
    json: () => window.explorer.exportJson(),
  };
  const FORMATS = [
    ["png", "Image (PNG)", "the view as drawn"],
    ["json", "View (JSON)", "the nodes and edges in view, and the path shown, as JSON"],
    ["graphml", "GraphML", "Gephi, yEd, Cytoscape desktop"],
    ["csv", "CSV (zip)", "nodes, edges and sources tables, for spreadsheets and pandas"],
    ["jsonld", "JSON-LD", "with PROV-O provenance: every statement linked to its source"],
  ];
  const IDS_PER_LIST = 100; // what one `nodes(ids:)` takes
  const LISTS = 30; // one alias each: the service's alias limit

  // Entity ids and relationship ids (`from|TYPE|to`) in view, as explore.js tells them
  // (`window.explorer`); the "more…" placeholders are not members.
  function members() {
    const view = window.explorer;
    if (!view || !view.cy) return [];
    return view.nodeIds().concat(view.edgeIds());
  }

  // One query: `nodes(ids:)` per hundred ids, each under an alias of its own.
  function exportQuery(ids) {
    const lists = [];
    for (let i = 0; i < ids.length; i += IDS_PER_LIST) lists.push(ids.slice(i, i + IDS_PER_LIST));
    const variables = {};
    const definitions = [];
    const fields = [];
    lists.forEach((list, i) => {
      variables[`ids${i}`] = list;
      definitions.push(`$ids${i}: [ID!]!`);
      fields.push(`n${i}: nodes(ids: $ids${i}) { id }`);
    });
    return {
      query: `query ExplorerView(${definitions.join(", ")}) { ${fields.join(" ")} }`,
      variables,
      operationName: "ExplorerView",
    };
  }

  function say(message, kind) {
    const status = document.getElementById("status");
    if (!status) return;
    status.textContent = message;
    status.className = `status${kind ? ` ${kind}` : ""}`;
  }

  function save(blob, filename) {
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = filename;
    link.hidden = true;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 5000);
  }

  function fileName(response, format) {
    const match = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") || "");
    return match ? match[1] : `ip-graph.${format}`;
  }

  async function exportView(format) {
    const ids = members();
    if (!ids.length) {
      say("Nothing to export yet: search for an entity first.", "warn");
      return;
    }
    if (ids.length > IDS_PER_LIST * LISTS) {
      say(`The view holds ${ids.length} nodes and edges; an export takes at most ${IDS_PER_LIST * LISTS}.`, "error");
      return;
    }
    const url = new URL(ENDPOINT);
    url.searchParams.set("format", format);
    say(`Exporting ${ids.length} nodes and edges…`);
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(exportQuery(ids)),
      });
    } catch (error) {
      say(`The export failed: ${error.message}`, "error");
      return;
    }
    if (!response.ok) {
      let message = `The service answered HTTP ${response.status}.`;
      try {
        const body = await response.json();
        if (body.errors && body.errors[0]) message = `${body.errors[0].message} (${body.errors[0].extensions.code})`;
      } catch (_) { /* not JSON: keep the status */ }
      say(`The export was refused: ${message}`, "error");
      return;
    }
    save(await response.blob(), fileName(response, format));
    const cut = response.headers.get("x-export-truncated") === "true";
    say(cut ? "Exported; the file notes where the answer was cut." : "Exported.");
  }

  function attach() {
    const actions = document.querySelector(".actions");
    if (!actions || document.getElementById("export-graph")) return;
    const select = document.createElement("select");
    select.id = "export-graph";
    select.title = "Download the entities and relationships in view, with every property and its sources";
    select.setAttribute("aria-label", "Export the view as");
    // Drawn like the buttons beside it (explore.css styles buttons, not selects).
    select.style.cssText = "padding: 6px 8px; border: 1px solid #cbd5e1; border-radius: 6px; background: #fff; font: inherit;";
    const prompt = new Option("Export as…", "");
    prompt.disabled = true;
    select.append(prompt);
    for (const [value, label, about] of FORMATS) {
      const option = new Option(label, value);
      option.title = about;
      select.append(option);
    }
    select.value = "";
    select.addEventListener("change", async () => {
      const format = select.value;
      select.value = "";
      if (LOCAL[format]) LOCAL[format]();
      else if (format) await exportView(format);
    });
    const before = actions.querySelector("a.link");
    actions.insertBefore(select, before);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", attach);
  else attach();
})();
