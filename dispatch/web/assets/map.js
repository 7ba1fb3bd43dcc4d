// The town map, drawn as SVG from the site's GeoJSON boundaries and camera positions (no tiles, works
// offline). Longitude/latitude are projected locally: equirectangular around the map's middle latitude.

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 1000;
const PAD = 28;

export const CASE_COLOUR = {
  filed: "#1565c0",
  dispatched: "#e67e00",
  accepted: "#1e88e5",
  handled: "#0b6e4f",
  returned: "#c62828",
};

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null) continue;
    if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Every polygon of a GeoJSON Polygon / MultiPolygon, as lists of rings of [lon, lat]. */
function polygonsOf(boundary) {
  if (!boundary) return [];
  if (boundary.type === "Polygon") return [boundary.coordinates];
  if (boundary.type === "MultiPolygon") return boundary.coordinates;
  return [];
}

/** A projection fitted to all the given [lon, lat] points. */
export function fitProjection(points) {
  let minLon = Infinity, maxLon = -Infinity, minLat = Infinity, maxLat = -Infinity;
  for (const [lon, lat] of points) {
    minLon = Math.min(minLon, lon); maxLon = Math.max(maxLon, lon);
    minLat = Math.min(minLat, lat); maxLat = Math.max(maxLat, lat);
  }
  if (!Number.isFinite(minLon)) { minLon = 0; maxLon = 0; minLat = 0; maxLat = 0; }
  const span = 0.002; // at least ~200 m across, so a single camera still gives a map
  if (maxLon - minLon < span) { const mid = (minLon + maxLon) / 2; minLon = mid - span / 2; maxLon = mid + span / 2; }
  if (maxLat - minLat < span) { const mid = (minLat + maxLat) / 2; minLat = mid - span / 2; maxLat = mid + span / 2; }
  const k = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
  const scale = (WIDTH - 2 * PAD) / ((maxLon - minLon) * k);
  const height = Math.round((maxLat - minLat) * scale + 2 * PAD);
  const project = ([lon, lat]) => [PAD + (lon - minLon) * k * scale, PAD + (maxLat - lat) * scale];
  return { project, width: WIDTH, height };
}

function pathOf(boundary, project) {
  return polygonsOf(boundary)
    .flatMap((rings) => rings.map((ring) => ring.map((pt, i) => `${i ? "L" : "M"}${project(pt).map((v) => v.toFixed(1)).join(",")}`).join("") + "Z"))
    .join("");
}

function centroid(boundary, project) {
  const ring = (polygonsOf(boundary)[0] || [])[0] || [];
  if (!ring.length) return null;
  const pts = ring.slice(0, ring.length > 1 ? -1 : 1).map(project);
  return [pts.reduce((s, p) => s + p[0], 0) / pts.length, pts.reduce((s, p) => s + p[1], 0) / pts.length];
}

function shortName(grid, communities) {
  const community = communities.find((c) => c.id === grid.community_id);
  let name = grid.name;
  if (community && name.startsWith(community.name)) name = name.slice(community.name.length);
  return name.replace(/微网格$/, "") || grid.name;
}

/**
 * Draw the map into ``container``: one path per micro-grid (class grid-area, data-grid-id), cameras as dots
 * coloured by status (class camera <status>), open cases as numbered pins (class case-marker, data-case-id).
 */
export function drawMap(container, siteMap, cameras, cases, { selected = null, onCase = () => {}, stateLabel = {} } = {}) {
  const points = [];
  for (const grid of [siteMap.town, ...siteMap.micro_grids]) {
    for (const rings of polygonsOf(grid.boundary)) for (const ring of rings) points.push(...ring);
  }
  for (const camera of cameras) points.push([camera.lon, camera.lat]);
  for (const item of cases) points.push([item.lon, item.lat]);
  const { project, width, height } = fitProjection(points);
  const hot = new Set(cases.map((c) => c.micro_grid_id));

  const areas = siteMap.micro_grids
    .filter((grid) => grid.boundary)
    .map((grid) =>
      svg(
        "path",
        { class: `grid-area${hot.has(grid.id) ? " hot" : ""}`, d: pathOf(grid.boundary, project), "fill-rule": "evenodd", "data-grid-id": grid.id },
        svg("title", {}, grid.name),
      ),
    );
  const labels = siteMap.micro_grids
    .filter((grid) => grid.boundary)
    .map((grid) => {
      const at = centroid(grid.boundary, project);
      return at ? svg("text", { class: "grid-label", x: at[0].toFixed(1), y: (at[1] - 30).toFixed(1) }, shortName(grid, siteMap.communities)) : null;
    });
  const town = siteMap.town.boundary ? svg("path", { class: "town-outline", d: pathOf(siteMap.town.boundary, project) }) : null;
  const dots = cameras.map((camera) => {
    const [x, y] = project([camera.lon, camera.lat]);
    const status = camera.status || "unknown";
    return svg(
      "circle",
      { class: `camera ${status}`, cx: x.toFixed(1), cy: y.toFixed(1), r: 8, "data-camera-id": camera.id, "data-status": status },
      svg("title", {}, `${camera.name}（${camera.id}）${{ online: "在线", degraded: "异常", offline: "离线", finished: "已播完", unknown: "未知" }[status] || status}${camera.reason ? "：" + camera.reason : ""}\n模型 ${camera.model || "默认"}${camera.verifier ? " · 核验器 " + camera.verifier : ""}${camera.dismissed_spots ? " · 豁免区 " + camera.dismissed_spots : ""}`),
    );
  });
  const perPlace = new Map();
  const markers = cases.map((item, index) => {
    const key = `${item.lat.toFixed(6)},${item.lon.toFixed(6)}`;
    const nth = perPlace.get(key) || 0;
    perPlace.set(key, nth + 1);
    let [x, y] = project([item.lon, item.lat]);
    if (nth) {
      const angle = nth * 2.1;
      x += Math.cos(angle) * 26 * Math.ceil(nth / 3);
      y += Math.sin(angle) * 26 * Math.ceil(nth / 3);
    }
    return svg(
      "g",
      {
        class: `case-marker${item.id === selected ? " selected" : ""}`,
        "data-case-id": item.id,
        "data-state": item.state,
        transform: `translate(${x.toFixed(1)},${(y - 22).toFixed(1)})`,
        onclick: () => onCase(item.id),
      },
      svg("path", { d: "M0,22 L-9,8 L9,8 Z", fill: CASE_COLOUR[item.state] || "#546e7a" }),
      svg("circle", { class: "pin", r: 16, fill: CASE_COLOUR[item.state] || "#546e7a" }),
      svg("text", { y: 6 }, String(index + 1)),
      svg("title", {}, `${item.class_name} · ${stateLabel[item.state] || item.state} · ${item.place}`),
    );
  });
  const map = svg(
    "svg",
    { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": `${siteMap.town.name}地图`, id: "map-svg" },
    svg("g", { class: "areas" }, areas),
    town,
    svg("g", { class: "labels" }, labels),
    svg("g", { class: "cameras" }, dots),
    svg("g", { class: "cases" }, markers),
  );
  container.replaceChildren(map);
  return map;
}
