// The operations-centre dashboard: the town map, the live list of cases, a case with its evidence and
// history, and the period's indicators (结案率, 按期结案率, 返工率).
import {
  ApiError,
  EVENT_LABEL,
  LIVE_LABEL,
  OPEN_STATES,
  STATE_LABEL,
  api,
  clearToken,
  connectLive,
  el,
  fmtDuration,
  fmtTime,
  useSiteTimeZone,
  isOverdue,
  loginView,
  percent,
  setToken,
  showImage,
  stateBadge,
  takeToken,
  toast,
} from "./common.js";
import { CASE_COLOUR, drawMap } from "./map.js";

const root = document.getElementById("app");
const state = {
  me: null,
  siteMap: null,
  cameras: [],
  cases: [],
  filter: "open",
  periodDays: 30,
  selected: null,
  live: "connecting",
};
const ALLOWED_ROLES = ["operator", "leader", "department"];

// ---------- layout ----------
function layout() {
  const period = el(
    "select",
    { id: "period", "aria-label": "统计周期", onchange: (e) => { state.periodDays = Number(e.target.value); loadIndicators(); } },
    [7, 30, 90].map((d) => el("option", { value: d, selected: d === state.periodDays }, `近${d}天`)),
  );
  const filter = el(
    "select",
    { id: "case-filter", "aria-label": "案卷筛选", onchange: (e) => { state.filter = e.target.value; loadCases(); } },
    el("option", { value: "open", selected: state.filter === "open" }, "未结案"),
    el("option", { value: "all", selected: state.filter === "all" }, "全部"),
  );
  const figure = (id, label) => el("div", { class: "figure", id }, el("div", { class: "value" }, "—"), el("div", { class: "label" }, label));
  root.replaceChildren(
    el(
      "header",
      { class: "bar" },
      el("h1", {}, `${state.siteMap.site_name} · 指挥中心`),
      el("span", { class: `live ${state.live}`, id: "live" }, LIVE_LABEL[state.live]),
      el("span", { id: "me" }, state.me.name),
      el("button", { class: "link", id: "logout", onclick: () => { clearToken(); location.assign("/ops/"); } }, "退出"),
    ),
    el(
      "section",
      { class: "figures", id: "indicators" },
      figure("closure-rate", "结案率"),
      figure("on-time-rate", "按期结案率"),
      figure("rework-rate", "返工率"),
      figure("dispatched-count", "派遣案卷"),
      figure("open-count", "未结案"),
      el("div", { class: "figure period" }, el("span", { class: "label" }, "统计周期"), period),
    ),
    el(
      "main",
      {},
      el(
        "section",
        { class: "panel map" },
        el("h2", {}, "城镇地图", el("span", { class: "muted", id: "camera-summary" })),
        el("div", { id: "map" }),
        el(
          "div",
          { class: "legend" },
          ["online", "degraded", "offline", "finished", "unknown"].map((s) =>
            el("span", {}, el("i", { class: `dot-${s}` }), { online: "摄像头在线", degraded: "异常", offline: "离线", finished: "已播完", unknown: "未上报" }[s]),
          ),
          ["dispatched", "accepted", "handled", "returned"].map((s) => el("span", {}, el("i", { class: `pin-${s}` }), STATE_LABEL[s])),
        ),
      ),
      el(
        "section",
        { class: "panel" },
        el("h2", {}, el("span", {}, "案卷 ", el("span", { class: "muted", id: "case-count" })), filter),
        el(
          "div",
          { class: "table-wrap" },
          el(
            "table",
            { class: "cases-table" },
            el("thead", {}, el("tr", {}, ["#", "类别", "位置", "状态", "处置时限"].map((h) => el("th", {}, h)))),
            el("tbody", { id: "cases" }),
          ),
        ),
      ),
      el("section", { class: "panel case-detail hidden", id: "case-detail" }),
    ),
  );
  // legend swatches take their colours from the same tables as the map
  const colours = { online: "#2e7d32", degraded: "#f9a825", offline: "#c62828", finished: "#5c6bc0", unknown: "#90a4ae" };
  for (const [s, colour] of Object.entries(colours)) root.querySelector(`.dot-${s}`).style.background = colour;
  for (const s of ["dispatched", "accepted", "handled", "returned"]) root.querySelector(`.pin-${s}`).style.background = CASE_COLOUR[s];
}

function setLive(status) {
  state.live = status;
  const node = document.getElementById("live");
  if (node) {
    node.className = `live ${status}`;
    node.textContent = LIVE_LABEL[status];
  }
}

// ---------- data ----------
async function loadCases() {
  const query = state.filter === "open" ? OPEN_STATES.map((s) => `state=${s}`).join("&") + "&limit=500" : "limit=500";
  try {
    state.cases = await api(`/api/v1/cases?${query}`);
  } catch (error) {
    return handleError(error);
  }
  renderCases();
  renderMap();
  setFigure("open-count", String(state.cases.filter((c) => OPEN_STATES.includes(c.state)).length));
}

async function loadCameras() {
  try {
    state.cameras = await api("/api/v1/cameras");
  } catch (error) {
    return handleError(error);
  }
  const counts = {};
  for (const camera of state.cameras) counts[camera.status] = (counts[camera.status] || 0) + 1;
  const summary = document.getElementById("camera-summary");
  if (summary) {
    summary.textContent = `摄像头 ${state.cameras.length} 路 · 在线 ${counts.online || 0} · 异常 ${counts.degraded || 0} · 离线 ${counts.offline || 0}${counts.finished ? ` · 已播完 ${counts.finished}` : ""}`;
  }
  renderMap();
}

function isoDay(date) {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;
}

async function loadIndicators() {
  const since = new Date(Date.now() - (state.periodDays - 1) * 86400000);
  let answer;
  try {
    answer = await api(`/api/v1/indicators?group_by=all&since=${isoDay(since)}`);
  } catch (error) {
    return handleError(error);
  }
  const row = answer.rows[0] || { closure_rate: null, on_time_rate: null, rework_rate: null, dispatched: 0, due: 0, closed: 0 };
  setFigure("closure-rate", percent(row.closure_rate), `到期 ${row.due} · 结案 ${row.closed}`);
  setFigure("on-time-rate", percent(row.on_time_rate));
  setFigure("rework-rate", percent(row.rework_rate));
  setFigure("dispatched-count", String(row.dispatched));
}

function setFigure(id, value, title) {
  const node = document.getElementById(id);
  if (!node) return;
  node.querySelector(".value").textContent = value;
  if (title) node.title = title;
}

// ---------- rendering ----------
function renderMap() {
  const container = document.getElementById("map");
  if (!container || !state.siteMap) return;
  const open = state.cases.filter((c) => OPEN_STATES.includes(c.state));
  drawMap(container, state.siteMap, state.cameras, open, { selected: state.selected, onCase: select, stateLabel: STATE_LABEL });
}

function renderCases() {
  const body = document.getElementById("cases");
  if (!body) return;
  document.getElementById("case-count").textContent = `${state.cases.length} 件`;
  if (!state.cases.length) {
    body.replaceChildren(el("tr", {}, el("td", { colspan: 5, class: "muted", id: "no-cases" }, "暂无案卷")));
    return;
  }
  const openIndex = new Map(state.cases.filter((c) => OPEN_STATES.includes(c.state)).map((c, i) => [c.id, i + 1]));
  body.replaceChildren(
    ...state.cases.map((item) => {
      const overdue = isOverdue(item);
      return el(
        "tr",
        { class: `case-row${item.id === state.selected ? " selected" : ""}`, dataset: { caseId: item.id, state: item.state }, onclick: () => select(item.id) },
        el("td", {}, openIndex.get(item.id) || ""),
        el("td", {}, item.class_name),
        el("td", { class: "place", title: item.place }, item.place),
        el("td", {}, stateBadge(item.state)),
        el("td", { class: overdue ? "error" : "" }, item.handle_due_at ? fmtTime(item.handle_due_at) : "—", overdue ? " 超时" : ""),
      );
    }),
  );
}

function select(caseId) {
  history.pushState(null, "", `/ops/cases/${encodeURIComponent(caseId)}`);
  showSelected();
}

function showSelected() {
  const match = location.pathname.match(/^\/ops\/cases\/([^/]+)\/?$/);
  state.selected = match ? decodeURIComponent(match[1]) : null;
  renderCases();
  renderMap();
  loadDetail();
}

async function loadDetail() {
  const panel = document.getElementById("case-detail");
  if (!panel) return;
  if (!state.selected) {
    panel.classList.add("hidden");
    return;
  }
  const caseId = state.selected;
  let detail;
  try {
    detail = await api(`/api/v1/cases/${encodeURIComponent(caseId)}`);
  } catch (error) {
    panel.classList.remove("hidden");
    panel.replaceChildren(el("p", { class: "error" }, error.status === 404 ? `找不到案卷 ${caseId}` : error.detail || error.message));
    return;
  }
  if (caseId !== state.selected) return;
  panel.classList.remove("hidden");
  panel.replaceChildren(...detailView(detail));
  panel.scrollIntoView({ block: "nearest" });
}

function evidenceFigure(url, caption, id) {
  const img = el("img", { id, alt: caption });
  if (url) showImage(img, url);
  return el("div", { class: "evidence" }, url ? img : el("div", { class: "none" }, "无取证图片"), el("span", { class: "caption" }, caption));
}

function detailView(detail) {
  const facts = el(
    "dl",
    { class: "facts-table" },
    el("dt", {}, "案卷号"), el("dd", {}, detail.id),
    el("dt", {}, "类别"), el("dd", {}, `${detail.class_code} ${detail.class_name}`),
    el("dt", {}, "位置"), el("dd", {}, detail.place),
    el("dt", {}, "网格"), el("dd", { id: "detail-micro-grid" }, detail.micro_grid_name),
    el("dt", {}, "状态"), el("dd", { id: "detail-state" }, stateBadge(detail.state)),
    el("dt", {}, "处理人"), el("dd", { id: "detail-assignee" }, detail.assignee_id ? `${detail.assignee_name}（${{ worker: "网格员", leader: "网格长", department: "职能部门" }[detail.assignee_level] || detail.assignee_level}）` : "—"),
    el("dt", {}, "停留时长"), el("dd", {}, fmtDuration(detail.dwell_s)),
    el("dt", {}, "对象数量"), el("dd", {}, String(detail.object_count)),
    el("dt", {}, "立案时间"), el("dd", {}, fmtTime(detail.filed_at)),
    el("dt", {}, "处置时限"), el("dd", { class: isOverdue(detail) ? "error" : "" }, fmtTime(detail.handle_due_at)),
    el("dt", {}, "返工次数"), el("dd", {}, String(detail.rework_count)),
    detail.handled_note ? [el("dt", {}, "处理说明"), el("dd", {}, detail.handled_note)] : null,
  );
  const evidence = [evidenceFigure(detail.evidence_view_url, `最新取证 · ${detail.camera_name}`, "detail-evidence")];
  if (detail.first_evidence_view_url && detail.first_evidence_view_url !== detail.evidence_view_url) {
    evidence.push(evidenceFigure(detail.first_evidence_view_url, "立案时取证", "detail-first-evidence"));
  }
  const photos = detail.photos.map((photo) => {
    const img = el("img", { alt: "处理照片", dataset: { photoId: photo.id } });
    showImage(img, photo.url);
    return img;
  });
  const history = el(
    "ol",
    { class: "timeline", id: "detail-history" },
    detail.history.map((h) =>
      el(
        "li",
        { dataset: { kind: h.kind } },
        el("div", {}, el("strong", {}, EVENT_LABEL[h.kind] || h.kind), " ", el("span", { class: "when" }, `${fmtTime(h.at)} · ${h.actor_name ?? "系统"}`)),
        h.note ? el("div", { class: "note" }, h.note) : null,
      ),
    ),
  );
  return [
    el("h2", {}, `${detail.class_name} · ${detail.place}`, el("button", { class: "link", id: "close-detail", onclick: () => { history_back(); } }, "关闭 ✕")),
    el(
      "div",
      { class: "cols" },
      el("div", { class: "evidence-pair" }, evidence),
      el(
        "div",
        {},
        facts,
        photos.length ? [el("h3", {}, "处理照片"), el("div", { class: "photos" }, photos)] : null,
        actions(detail),
        el("h3", {}, "处理记录"),
        history,
      ),
    ),
  ];
}

function history_back() {
  history.pushState(null, "", "/ops/");
  showSelected();
}

function actions(detail) {
  if (!["operator", "leader"].includes(state.me.role)) return null;
  const note = el("textarea", { id: "ops-note", placeholder: "备注 / 理由（退回、误报时必填）", maxlength: "2000" });
  const message = el("p", { class: "error", id: "ops-error", role: "alert" });
  const button = (label, action, body, kind = "") =>
    el("button", {
      class: kind,
      id: `ops-${action}`,
      onclick: async (event) => {
        event.target.disabled = true;
        message.textContent = "";
        try {
          await api(`/api/v1/cases/${encodeURIComponent(detail.id)}/${action}`, { method: "POST", json: body(note.value.trim()) });
          toast("已提交");
          loadAll();
        } catch (error) {
          event.target.disabled = false;
          message.textContent = `操作失败：${error.detail || error.message}`;
        }
      },
    }, label);
  const optional = (text) => (text ? { note: text } : {});
  const buttons = [];
  if (detail.state === "filed" && state.me.role === "operator") buttons.push(button("确认派遣", "confirm", optional));
  if (detail.state === "handled") {
    buttons.push(button("核查通过", "verify", optional));
    buttons.push(button("退回返工", "return", (text) => ({ note: text }), "danger"));
  }
  if (["verified", "rated"].includes(detail.state)) buttons.push(button("结案", "close", optional));
  if (["filed", "dispatched", "accepted"].includes(detail.state)) buttons.push(button("误报", "reject", (text) => ({ reason: text }), "danger"));
  if (!buttons.length) return null;
  return el("div", { class: "actions", id: "ops-actions" }, el("h3", {}, "操作"), note, el("div", { class: "row" }, buttons), message);
}

// ---------- live ----------
let pending = null;
function scheduleRefresh() {
  clearTimeout(pending);
  pending = setTimeout(loadAll, 250);
}

function loadAll() {
  loadCases();
  loadIndicators();
  if (state.selected) loadDetail();
}

function handleError(error) {
  if (error instanceof ApiError && error.status === 401) {
    clearToken();
    return start("令牌无效或已撤销，请重新输入");
  }
  toast(error.detail || error.message);
}

// ---------- start ----------
async function start(loginError) {
  const token = takeToken();
  if (!token || loginError) {
    return loginView(root, {
      title: "指挥中心 · 登录",
      hint: "输入指挥中心或网格长的令牌（gridwatch dispatch tokens issue --person ID）。",
      error: loginError,
      onToken: (value) => { setToken(value); start(); },
    });
  }
  try {
    state.me = await api("/api/v1/me");
    useSiteTimeZone(state.me.timezone);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return start("令牌无效或已撤销，请重新输入");
    root.replaceChildren(el("p", { class: "empty error" }, `无法连接服务器：${error.detail || error.message}`));
    return;
  }
  if (!ALLOWED_ROLES.includes(state.me.role)) {
    root.replaceChildren(
      el("div", { class: "login" }, el("h1", {}, "无权查看"), el("p", { id: "role-error" }, `此页面供指挥中心、网格长和职能部门使用；${state.me.name}是网格员。`), el("a", { href: "/m/" }, "打开我的任务")),
    );
    return;
  }
  state.siteMap = await api("/api/v1/site/map");
  document.title = `${state.siteMap.site_name} · 指挥中心`;
  layout();
  connectLive({
    onStatus: setLive,
    onResync: scheduleRefresh,
    onEvent: (event) => {
      if (event.kind === "filed" || event.kind === "dispatched") toast(`新案卷 ${event.case_id}`);
      scheduleRefresh();
    },
  });
  await Promise.all([loadCameras(), loadCases(), loadIndicators()]);
  showSelected();
  setInterval(loadCameras, 15000);
}

window.addEventListener("popstate", showSelected);
start();
