// Layouts that use the canvas's shape (issue 15). A force-directed layout does not know
// the canvas: a neighbourhood that grows as a chain comes out tall, and fitting a tall
// picture into a wide canvas shrinks it. After the layout, the picture is turned so that
// its long axis lies along the canvas's long axis, and stretched a little along the
// short one when it is still much narrower than the canvas.

// Turn only when the picture's shape is this far from the canvas's (a ratio of ratios);
// small differences are not worth a picture that moves on every expansion.
const TURN_WHEN = 1.35;
// Stretch the short side by at most this much.
const MAX_STRETCH = 1.8;

function centre(points) {
  const n = points.length || 1;
  return {
    x: points.reduce((sum, p) => sum + p.x, 0) / n,
    y: points.reduce((sum, p) => sum + p.y, 0) / n,
  };
}

function extent(points) {
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  return { w: Math.max(...xs) - Math.min(...xs), h: Math.max(...ys) - Math.min(...ys) };
}

// The angle of the points' principal axis (the direction they spread most along).
function principalAngle(points, c) {
  let xx = 0;
  let yy = 0;
  let xy = 0;
  for (const p of points) {
    const dx = p.x - c.x;
    const dy = p.y - c.y;
    xx += dx * dx;
    yy += dy * dy;
    xy += dx * dy;
  }
  return 0.5 * Math.atan2(2 * xy, xx - yy);
}

// New positions (id -> {x, y}) for `nodes` so that their spread matches a canvas of
// `width` x `height`; the positions as they are when nothing needs doing.
export function orientToCanvas(nodes, width, height) {
  const ids = nodes.map((n) => n.id());
  const points = nodes.map((n) => ({ ...n.position() }));
  const result = new Map(ids.map((id, i) => [id, points[i]]));
  if (points.length < 3 || !(width > 0 && height > 0)) return result;
  const canvasRatio = width / height;
  const c = centre(points);
  let { w, h } = extent(points);
  let turned = points;
  const ratio = (w || 1) / (h || 1);
  if (Math.max(ratio / canvasRatio, canvasRatio / ratio) > TURN_WHEN) {
    // Turn the principal axis onto the canvas's long axis.
    const target = canvasRatio >= 1 ? 0 : Math.PI / 2;
    const by = target - principalAngle(points, c);
    const cos = Math.cos(by);
    const sin = Math.sin(by);
    turned = points.map((p) => ({
      x: c.x + (p.x - c.x) * cos - (p.y - c.y) * sin,
      y: c.y + (p.x - c.x) * sin + (p.y - c.y) * cos,
    }));
    ({ w, h } = extent(turned));
  }
  // Still narrower than the canvas along its short side: stretch that side a little.
  const now = (w || 1) / (h || 1);
  let sx = 1;
  let sy = 1;
  if (now < canvasRatio / TURN_WHEN) sx = Math.min(MAX_STRETCH, canvasRatio / now);
  else if (now > canvasRatio * TURN_WHEN) sy = Math.min(MAX_STRETCH, now / canvasRatio);
  turned.forEach((p, i) => {
    result.set(ids[i], { x: c.x + (p.x - c.x) * sx, y: c.y + (p.y - c.y) * sy });
  });
  return result;
}
