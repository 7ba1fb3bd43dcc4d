// Shared by the pages: the token, API calls, images fetched with the token, Chinese labels, formatting.

export const TOKEN_KEY = "gw.token";

/** The token: from ?token= (kept, then removed from the address bar), else the one kept before. */
export function takeToken() {
  const url = new URL(location.href);
  const given = url.searchParams.get("token");
  if (given) {
    localStorage.setItem(TOKEN_KEY, given.trim());
    url.searchParams.delete("token");
    history.replaceState(history.state, "", url.pathname + url.search + url.hash);
  }
  return localStorage.getItem(TOKEN_KEY);
}

export function setToken(token) {
  localStorage.setItem(TOKEN_KEY, token.trim());
}

export function clearToken() {
  localStorage.removeItem(TOKEN_KEY);
}

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
    this.detail = detail;
  }
}

function detailOf(body, status) {
  if (body && typeof body.detail === "string") return body.detail;
  if (body && Array.isArray(body.detail)) {
    return body.detail.map((d) => `${(d.loc || []).join(".")}: ${d.msg}`).join("; ");
  }
  return `HTTP ${status}`;
}

/** Call the API with the kept token; JSON in and out; an ApiError naming the server's reason on failure. */
export async function api(path, { method = "GET", json, form } = {}) {
  const headers = {};
  const token = localStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  let body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    body = form;
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body });
  } catch (error) {
    throw new ApiError(0, "网络不通，请稍后再试");
  }
  if (response.status === 204) return null;
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch (error) {
    parsed = null;
  }
  if (!response.ok) throw new ApiError(response.status, detailOf(parsed, response.status));
  return parsed;
}

const objectUrls = new WeakMap();

/** Show an image: same-origin addresses are fetched with the token (evidence, photos), others linked. */
export async function showImage(img, url) {
  if (!url) {
    img.removeAttribute("src");
    img.classList.add("missing");
    return false;
  }
  if (!url.startsWith("/")) {
    img.src = url;
    return true;
  }
  try {
    const token = localStorage.getItem(TOKEN_KEY);
    const response = await fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const blob = await response.blob();
    const previous = objectUrls.get(img);
    if (previous) URL.revokeObjectURL(previous);
    const objectUrl = URL.createObjectURL(blob);
    objectUrls.set(img, objectUrl);
    img.src = objectUrl;
    img.classList.remove("missing");
    return true;
  } catch (error) {
    img.alt = "图片无法加载";
    img.classList.add("missing");
    return false;
  }
}

export const STATE_LABEL = {
  filed: "待确认",
  dispatched: "待接单",
  accepted: "处置中",
  handled: "待核查",
  returned: "退回返工",
  verified: "已核查",
  rated: "已评价",
  closed: "已结案",
  rejected: "误报",
};

export const EVENT_LABEL = {
  filed: "立案",
  checked: "核实",
  dispatched: "派遣",
  delivered: "已送达手机",
  delivery_failed: "推送失败",
  accepted: "接单",
  handled: "处理完成",
  verified: "核查通过",
  returned: "退回返工",
  reopened: "重新打开",
  rated: "评价",
  closed: "结案",
  rejected: "判为误报",
  transferred: "转派",
  escalated: "上报",
  reminded: "催办",
};

export const OPEN_STATES = ["filed", "dispatched", "accepted", "handled", "returned"];

/** A DOM element: el("div", {class: "x", onclick: f}, "text", child...). Text is never parsed as HTML. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const two = (n) => String(n).padStart(2, "0");

let siteTime = null; // formats in the site's time zone once /api/v1/me has named it

/** Show times in the site's time zone (deadlines are the site's working hours, wherever the browser is). */
export function useSiteTimeZone(timeZone) {
  try {
    siteTime = new Intl.DateTimeFormat("en-GB", {
      timeZone, month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    });
  } catch (error) {
    siteTime = null; // an unknown zone: fall back to the browser's own
  }
}

/** "11-23 09:05" in the site's time zone (the browser's until the site's is known). */
export function fmtTime(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  if (siteTime) {
    const part = Object.fromEntries(siteTime.formatToParts(d).map((p) => [p.type, p.value]));
    return `${part.month}-${part.day} ${part.hour}:${part.minute}`;
  }
  return `${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** 12分钟 / 1小时5分 / 40秒. */
export function fmtDuration(seconds) {
  const s = Math.max(0, Math.round(seconds || 0));
  if (s < 60) return `${s}秒`;
  const minutes = Math.round(s / 60);
  if (minutes < 60) return `${minutes}分钟`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours < 24) return rest ? `${hours}小时${rest}分` : `${hours}小时`;
  return `${Math.floor(hours / 24)}天${hours % 24}小时`;
}

export function isOverdue(caseItem) {
  const due = caseItem.handle_due_at;
  return Boolean(due) && OPEN_STATES.includes(caseItem.state) && new Date(due).getTime() < Date.now();
}

export function stateBadge(state) {
  return el("span", { class: `badge ${state}`, dataset: { state } }, STATE_LABEL[state] || state);
}

export function percent(value) {
  return value === null || value === undefined ? "—" : `${(value * 100).toFixed(1)}%`;
}

/** Live changes (Server-Sent Events) with the token; calls onStatus("on"|"connecting"|"off") and onEvent. */
export function connectLive({ onEvent, onResync, onStatus }) {
  const token = localStorage.getItem(TOKEN_KEY);
  const source = new EventSource(`/api/v1/me/events?access_token=${encodeURIComponent(token || "")}`);
  onStatus("connecting");
  source.addEventListener("ready", () => onStatus("on"));
  source.addEventListener("case", (message) => {
    try {
      onEvent(JSON.parse(message.data));
    } catch (error) {
      console.error("bad case event", error);
    }
  });
  source.addEventListener("resync", () => onResync());
  source.addEventListener("error", () => {
    onStatus(source.readyState === EventSource.CLOSED ? "off" : "connecting");
  });
  return source;
}

export const LIVE_LABEL = { on: "实时", connecting: "连接中", off: "已断开" };

let toastTimer = null;
export function toast(text) {
  const node = document.getElementById("toast");
  if (!node) return;
  node.textContent = text;
  node.classList.add("show");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => node.classList.remove("show"), 3500);
}

/** The login form: the token typed once, then kept. */
export function loginView(root, { title, hint, error, onToken }) {
  const input = el("input", {
    type: "password",
    id: "token-input",
    placeholder: "gw_…",
    autocomplete: "off",
    "aria-label": "令牌",
  });
  const form = el(
    "form",
    {
      onsubmit: (event) => {
        event.preventDefault();
        if (input.value.trim()) onToken(input.value.trim());
      },
    },
    el("label", { for: "token-input" }, "登录令牌"),
    input,
    el("button", { type: "submit", id: "login" }, "登录"),
  );
  root.replaceChildren(
    el(
      "div",
      { class: "login" },
      el("h1", {}, title),
      el("p", { class: "muted" }, hint),
      error ? el("p", { class: "error", id: "login-error" }, error) : null,
      form,
    ),
  );
  input.focus();
}
