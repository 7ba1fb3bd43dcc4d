// The worker phone page: my tasks (live), a task with its evidence, accept, after-photo, note, handled.
import {
  ApiError,
  EVENT_LABEL,
  LIVE_LABEL,
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
  setToken,
  showImage,
  stateBadge,
  takeToken,
  toast,
} from "./common.js";

const root = document.getElementById("app");
const state = { me: null, tasks: [], known: null, live: "connecting", view: null, caseId: null, detail: null };

// ---------- navigation ----------
function route() {
  const match = location.pathname.match(/^\/m\/cases\/([^/]+)\/?$/);
  if (match) showCase(decodeURIComponent(match[1]));
  else showList();
}

function navigate(path) {
  history.pushState(null, "", path);
  route();
}

function liveBadge() {
  return el("span", { class: `live ${state.live}`, id: "live" }, LIVE_LABEL[state.live]);
}

function setLive(status) {
  state.live = status;
  const node = document.getElementById("live");
  if (node) node.replaceWith(liveBadge());
}

function bar(title, { back = false } = {}) {
  return el(
    "header",
    { class: "bar" },
    back ? el("button", { class: "link", id: "back", onclick: () => navigate("/m/"), "aria-label": "返回" }, "‹ 返回") : null,
    el("h1", {}, title),
    liveBadge(),
  );
}

// ---------- task list ----------
async function showList() {
  state.view = "list";
  state.caseId = null;
  document.title = "我的任务 · 网格通";
  const list = el("ul", { class: "tasks", id: "tasks", "aria-live": "polite" });
  const pushLine = el("div", { class: "notice-line muted", id: "push-status" });
  root.replaceChildren(
    bar("我的任务"),
    el(
      "div",
      { class: "who" },
      el("span", { id: "me" }, `${state.me.name} · ${roleName(state.me.role)} · ${state.me.grid}`),
      el("span", {}, pushButton(), el("button", { class: "link", id: "logout", onclick: logout }, "退出")),
    ),
    pushLine,
    list,
  );
  await loadTasks();
}

function roleName(role) {
  return { worker: "网格员", leader: "网格长", operator: "指挥中心", department: "职能部门" }[role] || role;
}

async function loadTasks() {
  let tasks;
  try {
    tasks = await api("/api/v1/me/tasks");
  } catch (error) {
    return handleError(error);
  }
  const fresh = state.known === null ? new Set() : new Set(tasks.filter((t) => !state.known.has(t.id)).map((t) => t.id));
  state.known = new Set(tasks.map((t) => t.id));
  state.tasks = tasks;
  if (fresh.size) {
    const first = tasks.find((t) => fresh.has(t.id));
    toast(`新任务：${first.class_name} · ${first.place}`);
    if (navigator.vibrate) navigator.vibrate(200);
  }
  if (state.view !== "list") return;
  const list = document.getElementById("tasks");
  if (!list) return;
  if (!tasks.length) {
    list.replaceChildren(el("li", { class: "empty", id: "no-tasks" }, "暂无待办任务"));
    return;
  }
  list.replaceChildren(...tasks.map((task) => taskCard(task, fresh.has(task.id))));
}

function taskCard(task, fresh) {
  const img = el("img", { class: "thumb", alt: "现场取证" });
  showImage(img, task.evidence_view_url);
  const overdue = isOverdue(task);
  const link = el(
    "a",
    {
      class: `task${fresh ? " fresh" : ""}`,
      href: `/m/cases/${encodeURIComponent(task.id)}`,
      dataset: { caseId: task.id, state: task.state },
      onclick: (event) => {
        event.preventDefault();
        navigate(`/m/cases/${encodeURIComponent(task.id)}`);
      },
    },
    img,
    el(
      "div",
      {},
      el("h2", {}, el("span", {}, task.class_name), stateBadge(task.state)),
      el("p", { class: "place" }, task.place),
      el(
        "div",
        { class: "facts" },
        el("span", {}, `停留 ${fmtDuration(task.dwell_s)}`),
        el("span", {}, `${task.object_count} 个对象`),
        task.handle_due_at
          ? el("span", { class: overdue ? "error" : "" }, `${overdue ? "已超时 " : "时限 "}${fmtTime(task.handle_due_at)}`)
          : null,
      ),
    ),
  );
  return el("li", {}, link);
}

// ---------- one task ----------
async function showCase(caseId) {
  state.view = "case";
  state.caseId = caseId;
  root.replaceChildren(bar("任务详情", { back: true }), el("p", { class: "empty" }, "加载中…"));
  await loadCase();
}

async function loadCase() {
  const caseId = state.caseId;
  let detail;
  try {
    detail = await api(`/api/v1/cases/${encodeURIComponent(caseId)}`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      root.replaceChildren(bar("任务详情", { back: true }), el("p", { class: "empty" }, "找不到这个任务（可能已转派）"));
      return;
    }
    return handleError(error);
  }
  if (state.view !== "case" || state.caseId !== caseId) return;
  state.detail = detail;
  renderCase(detail);
}

/** Photos I uploaded since the case last went to handled / back for rework: the proof for this round. */
function newPhotos(detail) {
  const cuts = detail.history
    .filter((h) => ["handled", "returned", "reopened"].includes(h.kind))
    .map((h) => new Date(h.at).getTime());
  const since = cuts.length ? Math.max(...cuts) : 0;
  return detail.photos.filter((p) => p.uploaded_by === state.me.id && new Date(p.uploaded_at).getTime() > since);
}

function renderCase(detail) {
  document.title = `${detail.class_name} · 网格通`;
  const evidence = el("img", { id: "evidence", alt: "现场取证图片" });
  const hasEvidence = Boolean(detail.evidence_view_url);
  if (hasEvidence) showImage(evidence, detail.evidence_view_url);
  const overdue = isOverdue(detail);
  const facts = el(
    "dl",
    { class: "facts-table" },
    el("dt", {}, "类别"), el("dd", {}, `${detail.class_code} ${detail.class_name}`),
    el("dt", {}, "位置"), el("dd", { id: "place" }, detail.place),
    el("dt", {}, "网格"), el("dd", { id: "micro-grid" }, detail.micro_grid_name),
    el("dt", {}, "停留时长"), el("dd", { id: "dwell" }, fmtDuration(detail.dwell_s)),
    el("dt", {}, "对象数量"), el("dd", {}, String(detail.object_count)),
    el("dt", {}, "立案时间"), el("dd", {}, fmtTime(detail.filed_at)),
    el("dt", {}, "处置时限"),
    el("dd", { id: "deadline", class: overdue ? "error" : "" }, `${fmtTime(detail.handle_due_at)}${overdue ? "（已超时）" : ""}`),
    el("dt", {}, "状态"), el("dd", { id: "state", dataset: { state: detail.state } }, stateBadge(detail.state)),
  );
  const photos = detail.photos.length
    ? el("section", { class: "section" }, el("h3", {}, "现场照片"), photoStrip(detail.photos))
    : null;
  root.replaceChildren(
    bar("任务详情", { back: true }),
    el(
      "article",
      { class: "detail", dataset: { caseId: detail.id } },
      el(
        "div",
        { class: "evidence" },
        hasEvidence ? evidence : el("div", { class: "none" }, "无取证图片"),
        el("span", { class: "caption" }, `摄像头 ${detail.camera_name} · ${fmtTime(detail.filed_at)}`),
      ),
      el("section", { class: "section" }, facts),
      actionsFor(detail),
      photos,
      el("section", { class: "section" }, el("h3", {}, "处理记录"), timeline(detail.history)),
    ),
  );
}

function photoStrip(photos) {
  return el(
    "div",
    { class: "photos", id: "photos" },
    photos.map((photo) => {
      const img = el("img", { alt: "现场照片", dataset: { photoId: photo.id } });
      showImage(img, photo.url);
      return img;
    }),
  );
}

function timeline(history) {
  return el(
    "ol",
    { class: "timeline", id: "history" },
    history.map((h) =>
      el(
        "li",
        { dataset: { kind: h.kind } },
        el("div", {}, el("strong", {}, EVENT_LABEL[h.kind] || h.kind), " ", el("span", { class: "when" }, `${fmtTime(h.at)} · ${actorName(h)}`)),
        h.note ? el("div", { class: "note" }, h.note) : null,
      ),
    ),
  );
}

function actorName(step) {
  if (step.actor_name === null) return "系统";
  return step.actor === state.me.id ? `我（${state.me.name}）` : step.actor_name;
}

function actionsFor(detail) {
  const mine = detail.assignee_id === state.me.id;
  const message = el("p", { class: "error", id: "action-error", role: "alert" });
  if (!mine) {
    return el("div", { class: "state-banner", id: "state-banner" }, `当前由 ${detail.assignee_name || "—"} 处理 · ${STATE_LABEL[detail.state] || detail.state}`);
  }
  if (detail.state === "dispatched") {
    return el(
      "section",
      { class: "section actions" },
      el("button", { id: "accept", onclick: (e) => act(e.target, message, "accept") }, "接单"),
      el("button", { class: "secondary", id: "escalate", onclick: (e) => escalate(e.target, message) }, "无法处理，上报网格长"),
      nothingThere(message),
      message,
    );
  }
  if (detail.state === "accepted" || detail.state === "returned") {
    return handleForm(detail, message);
  }
  const banner = { handled: "已提交，等待核查", verified: "已核查通过", closed: "已结案" }[detail.state];
  return el("div", { class: "state-banner", id: "state-banner" }, banner || STATE_LABEL[detail.state] || detail.state);
}

function handleForm(detail, message) {
  const uploaded = newPhotos(detail);
  const note = el("textarea", { id: "note", placeholder: "处理说明，例如：已将3辆电动车移至停车区", maxlength: "2000" });
  note.value = sessionStorage.getItem(`gw.note.${detail.id}`) || "";
  const handle = el("button", { id: "handle" }, "处理完成");
  const photoCount = el("span", { id: "photo-count", class: "muted" }, uploaded.length ? `已上传 ${uploaded.length} 张` : "请拍摄处理后照片");
  const refresh = () => {
    handle.disabled = !(uploaded.length && note.value.trim());
  };
  note.addEventListener("input", () => {
    sessionStorage.setItem(`gw.note.${detail.id}`, note.value);
    refresh();
  });
  const file = el("input", { type: "file", id: "photo-input", accept: "image/*", capture: "environment" });
  const uploadLabel = el("label", { class: "button secondary upload", for: "photo-input", id: "upload" }, "上传照片", file);
  file.addEventListener("change", async () => {
    if (!file.files.length) return;
    message.textContent = "";
    photoCount.textContent = "上传中…";
    const form = new FormData();
    form.append("file", file.files[0]);
    try {
      await api(`/api/v1/cases/${encodeURIComponent(detail.id)}/photos`, { method: "POST", form });
      toast("照片已上传");
      await loadCase();
    } catch (error) {
      photoCount.textContent = "";
      message.textContent = `照片上传失败：${error.detail || error.message}`;
    }
  });
  handle.addEventListener("click", async () => {
    handle.disabled = true;
    message.textContent = "";
    try {
      await api(`/api/v1/cases/${encodeURIComponent(detail.id)}/handle`, {
        method: "POST",
        json: { note: note.value.trim(), photo_ids: uploaded.map((p) => p.id) },
      });
      sessionStorage.removeItem(`gw.note.${detail.id}`);
      toast("已提交处理结果");
      await loadCase();
    } catch (error) {
      message.textContent = `提交失败：${error.detail || error.message}`;
      refresh();
    }
  });
  refresh();
  return el(
    "section",
    { class: "section actions" },
    el("h3", {}, detail.state === "returned" ? "返工处理" : "处理反馈"),
    el("div", { class: "row" }, uploadLabel),
    photoCount,
    note,
    handle,
    el("button", { class: "secondary", id: "escalate", onclick: (e) => escalate(e.target, message, note) }, "无法处理，上报网格长"),
    detail.state === "accepted" ? nothingThere(message, note) : null,
    message,
  );
}

// "Nothing there": the assignee on the spot finds nothing of what the case reports (a false alarm; the case's
// evidence becomes a negative example for the detector).
function nothingThere(message, note) {
  return el(
    "button",
    {
      class: "secondary",
      id: "nothing-there",
      onclick: (e) => {
        if (!window.confirm("确认现场无此问题？案件将作为误报结案。")) return;
        const text = note ? note.value.trim() : "";
        act(e.target, message, "nothing-there", text ? { note: text } : {});
      },
    },
    "现场无此问题",
  );
}

async function act(button, message, action, json) {
  button.disabled = true;
  message.textContent = "";
  try {
    await api(`/api/v1/cases/${encodeURIComponent(state.caseId)}/${action}`, { method: "POST", json });
    toast(action === "accept" ? "已接单" : "已提交");
    await loadCase();
  } catch (error) {
    button.disabled = false;
    message.textContent = `操作失败：${error.detail || error.message}`;
  }
}

function escalate(button, message, note) {
  const text = note && note.value.trim() ? note.value.trim() : "现场无法处理，请求上级协调";
  return act(button, message, "escalate", { note: text });
}

// ---------- Web Push ----------
function pushButton() {
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) return null;
  if (Notification.permission === "denied") return null;
  return el("button", { class: "link", id: "enable-push", onclick: () => enablePush(true) }, "开启通知");
}

function pushStatus(text, isError = false) {
  const node = document.getElementById("push-status");
  if (node) {
    node.textContent = text;
    node.classList.toggle("error", isError);
  }
}

function keyBytes(base64url) {
  const padded = base64url.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (base64url.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

async function enablePush(asked) {
  try {
    if (asked && Notification.permission !== "granted") {
      const answer = await Notification.requestPermission();
      if (answer !== "granted") throw new Error("未允许通知");
    }
    const { public_key: key } = await api("/api/v1/push/vapid-public-key");
    const registration = await navigator.serviceWorker.ready;
    let subscription = await registration.pushManager.getSubscription();
    if (!subscription) {
      subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) });
    }
    await api("/api/v1/me/push-subscriptions", { method: "POST", json: subscription.toJSON() });
    const button = document.getElementById("enable-push");
    if (button) button.remove();
    pushStatus("通知已开启：页面关闭时也能收到新任务");
  } catch (error) {
    if (asked) pushStatus(`无法开启通知：${error.detail || error.message}`, true);
  }
}

async function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  try {
    await navigator.serviceWorker.register("/m/sw.js", { scope: "/m/" });
    if ("Notification" in window && Notification.permission === "granted") enablePush(false);
  } catch (error) {
    console.warn("service worker not registered", error);
  }
}

// ---------- start ----------
function handleError(error) {
  if (error instanceof ApiError && error.status === 401) {
    clearToken();
    return start("令牌无效或已撤销，请重新输入");
  }
  toast(error.detail || error.message);
}

function logout() {
  clearToken();
  location.assign("/m/");
}

function showLogin(error) {
  loginView(root, {
    title: "网格通 · 登录",
    hint: "输入管理员发给您的令牌（只需一次，本机会记住）。",
    error,
    onToken: (token) => {
      setToken(token);
      start();
    },
  });
}

let liveSource = null;

async function start(loginError) {
  const token = takeToken();
  if (!token || loginError) return showLogin(loginError);
  try {
    state.me = await api("/api/v1/me");
    useSiteTimeZone(state.me.timezone);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      clearToken();
      return showLogin("令牌无效或已撤销，请重新输入");
    }
    root.replaceChildren(el("p", { class: "empty error" }, `无法连接服务器：${error.detail || error.message}`));
    return;
  }
  if (liveSource) liveSource.close();
  liveSource = connectLive({
    onStatus: setLive,
    onResync: refresh,
    onEvent: refresh,
  });
  registerServiceWorker();
  route();
}

function refresh() {
  if (state.view === "case") loadCase();
  // the list is reloaded in every view, so a new task is announced wherever the worker is
  loadTasks();
}

window.addEventListener("popstate", route);
start();
