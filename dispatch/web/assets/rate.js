// The resident rating page: what the link rates, 1-5 stars and a comment, sent once.
import { STATE_LABEL, api, el } from "./common.js";

const root = document.getElementById("app");
const token = decodeURIComponent(location.pathname.replace(/^\/rate\//, "").replace(/\/$/, ""));
const base = `/api/v1/public/ratings/${encodeURIComponent(token)}`;
const WORDS = ["", "很不满意", "不满意", "一般", "满意", "很满意"];

function fail(text) {
  root.replaceChildren(el("section", { class: "section" }, el("p", { class: "error", id: "rate-error" }, text)));
}

async function start() {
  let info;
  try {
    info = await api(base);
  } catch (error) {
    return fail(`此评价链接不可用：${error.detail || error.message}`);
  }
  let score = 0;
  const word = el("p", { class: "muted", id: "score-word" }, "请点击星星打分");
  const stars = [1, 2, 3, 4, 5].map((n) =>
    el("button", { type: "button", class: "star", "aria-label": `${n} 星`, dataset: { score: n }, onclick: () => pick(n) }, "★"),
  );
  const comment = el("textarea", { id: "comment", placeholder: "您的意见（选填）", maxlength: "2000" });
  const send = el("button", { id: "submit", disabled: true }, "提交评价");
  const message = el("p", { class: "error", id: "submit-error", role: "alert" });
  function pick(n) {
    score = n;
    stars.forEach((star, i) => star.classList.toggle("on", i < n));
    word.textContent = WORDS[n];
    send.disabled = false;
  }
  send.addEventListener("click", async () => {
    send.disabled = true;
    message.textContent = "";
    try {
      await api(base, { method: "POST", json: { score, comment: comment.value.trim() || null } });
      root.replaceChildren(el("section", { class: "section" }, el("h3", { id: "thanks" }, "感谢您的评价！"), el("p", { class: "muted" }, "您的意见将用于改进城市管理服务。")));
    } catch (error) {
      send.disabled = false;
      message.textContent = `提交失败：${error.detail || error.message}`;
    }
  });
  root.replaceChildren(
    el(
      "section",
      { class: "section" },
      el("h3", {}, `${info.class_name}`),
      el("p", { class: "muted" }, info.place),
      el("p", {}, "处理状态：", STATE_LABEL[info.state] || info.state),
      el("p", {}, "您对这次处理满意吗？"),
      el("div", { class: "stars", id: "stars" }, stars),
      word,
      comment,
      el("p", {}, send),
      message,
    ),
  );
}

start();
