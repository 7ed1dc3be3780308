// What a reader sees of the explorer's labels right now, measured from what Cytoscape
// draws (its own label boxes and styles), not from the explorer's placement code: every
// label on screen with its size in pixels, labels covering each other or another node,
// arrowheads under a node's label, and how much of the canvas the graph spans.
// Evaluated by tests/browser/test_explore_readable.py.
() => {
  const cy = window.explorer.cy;
  const zoom = cy.zoom();
  const pan = cy.pan();
  const width = cy.width();
  const height = cy.height();
  const onScreen = (b) => ({
    x1: b.x1 * zoom + pan.x,
    y1: b.y1 * zoom + pan.y,
    x2: b.x2 * zoom + pan.x,
    y2: b.y2 * zoom + pan.y,
  });
  const hit = (a, b) => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;
  const inside = (p, b) => p.x > b.x1 && p.x < b.x2 && p.y > b.y1 && p.y < b.y2;

  const labels = [];
  cy.elements().forEach((element) => {
    if (element.hasClass("more")) return;
    const text = element.pstyle("label").strValue;
    if (!text || element.pstyle("display").strValue === "none") return;
    const px = element.pstyle("font-size").pfValue * zoom;
    const hiddenBelow = element.pstyle("min-zoomed-font-size").pfValue;
    if (hiddenBelow && px < hiddenBelow) return; // Cytoscape does not draw it
    const box = onScreen(element.boundingBox({
      includeNodes: false, includeEdges: false, includeLabels: true, includeOverlays: false,
    }));
    if (!(box.x2 > 0 && box.x1 < width && box.y2 > 0 && box.y1 < height)) return;
    labels.push({
      id: element.id(),
      edge: element.isEdge(),
      name: element.data("name") || null,
      text,
      px: Math.round(px * 10) / 10,
      box,
    });
  });

  const overlaps = [];
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) {
      if (hit(labels[i].box, labels[j].box)) overlaps.push([labels[i].text, labels[j].text]);
    }
  }
  // A label over a node other than its own.
  const coveringNodes = [];
  const bodies = cy.nodes().map((n) => ({
    id: n.id(), box: n.renderedBoundingBox({ includeLabels: false, includeOverlays: false }),
  }));
  for (const label of labels) {
    for (const body of bodies) {
      if (body.id !== label.id && hit(label.box, body.box)) coveringNodes.push([label.text, body.id]);
    }
  }
  // An arrowhead's tip (and the point just behind it) under a node's label.
  const hiddenArrows = [];
  cy.edges().not(".more").forEach((edge) => {
    const tip = edge.renderedTargetEndpoint();
    const from = edge.renderedSourceEndpoint();
    const length = Math.hypot(from.x - tip.x, from.y - tip.y) || 1;
    const back = 6 * Math.max(zoom, 0.6);
    const behind = { x: tip.x + ((from.x - tip.x) / length) * back, y: tip.y + ((from.y - tip.y) / length) * back };
    const under = labels.find((l) => !l.edge && (inside(tip, l.box) || inside(behind, l.box)));
    if (under) hiddenArrows.push([edge.id(), under.text]);
  });

  // Labels cut by the canvas's edge.
  const clipped = labels
    .filter((l) => l.box.x1 < 0 || l.box.y1 < 0 || l.box.x2 > width || l.box.y2 > height)
    .map((l) => l.text);

  const nodes = cy.nodes().not(".more");
  const span = nodes.renderedBoundingBox({ includeLabels: false, includeOverlays: false });
  const nodeLabels = labels.filter((l) => !l.edge);
  const edgeLabels = labels.filter((l) => l.edge);
  const smallest = (list) => (list.length ? Math.min(...list.map((l) => l.px)) : null);
  return {
    zoom: Math.round(zoom * 1000) / 1000,
    canvas: { width, height },
    nodes: nodes.length,
    edges: cy.edges().not(".more").length,
    labels: labels.map(({ id, edge, name, text, px }) => ({ id, edge, name, text, px })),
    nodeLabels: nodeLabels.length,
    edgeLabels: edgeLabels.length,
    minNodeLabelPx: smallest(nodeLabels),
    minEdgeLabelPx: smallest(edgeLabels),
    overlaps,
    coveringNodes,
    hiddenArrows,
    clipped,
    span: { x: span.w / width, y: span.h / height },
  };
}
