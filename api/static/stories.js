/* 转载聚合: stories (a post with its reposts and syndicated copies), the largest spreading first. */
"use strict";

(() => {
  const { api, el, time } = YQ;
  const form = document.getElementById("story-form");
  const live = document.getElementById("live-status");
  if (live) live.hidden = true;
  const PLATFORMS = { news: "新闻", weibo: "微博", weibo_hot: "微博热搜", tieba: "贴吧", discuz: "论坛" };

  async function load() {
    const size = new FormData(form).get("min_size") || "1";
    const list = await api("GET", "/api/v1/stories?limit=200&min_size=" + encodeURIComponent(size));
    if (!list) return;
    list.sort((a, b) => b.size - a.size || b.risk - a.risk);
    document.querySelector("#story-table tbody").replaceChildren(...(list.length ? list.map((s) => el("tr", { dataset: { storyId: s.id } }, [
      el("td", { class: "case-title" }, el("a", { href: "/search?q=" + encodeURIComponent((s.title || "").slice(0, 12).replace(/["()]/g, " ")),
        text: s.title || "（无标题）" })),
      el("td", { class: "num", text: s.size }),
      el("td", { text: Object.entries(s.platforms).map(([k, v]) => (PLATFORMS[k] || "其他") + " " + v).join("、") }),
      el("td", { text: (s.earliest_publisher || "—") + " · " + time(s.earliest_published_at) }),
      el("td", { class: "num", text: s.risk.toFixed(0) }),
      el("td", { text: time(s.updated_at) }),
    ])) : [el("tr", {}, el("td", { colspan: "6", class: "muted", text: "没有符合条件的转载聚合" }))]));
  }
  form.addEventListener("submit", (ev) => { ev.preventDefault(); load(); });
  load();
})();
