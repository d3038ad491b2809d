/* 检索: full-text search with highlights (DOM <mark> nodes, never HTML), copies folded into their story,
   更正 on every hit, export, paging. */
"use strict";

(() => {
  const { api, el, time, storyGroups, correction } = YQ;
  const form = document.getElementById("search-form");
  const live = document.getElementById("live-status");
  if (live) live.hidden = true;
  const errorBox = document.getElementById("search-error");
  const more = document.getElementById("more");
  let params = null, nextBefore = null, total = 0;

  /** The text with the [start, end) spans wrapped in <mark>, built from text nodes. */
  function marked(text, spans, max = 300) {
    const parts = [];
    let at = 0;
    const first = spans.length ? Math.max(0, spans[0][0] - 60) : 0;
    const from = text.length > max ? first : 0;
    const to = Math.min(text.length, from + max);
    if (from > 0) parts.push("…");
    at = from;
    for (const [a, b] of spans) {
      if (b <= at || a >= to) continue;
      if (a > at) parts.push(text.slice(at, a));
      parts.push(el("mark", { text: text.slice(Math.max(a, at), Math.min(b, to)) }));
      at = Math.min(b, to);
    }
    if (at < to) parts.push(text.slice(at, to));
    if (to < text.length) parts.push("…");
    return parts;
  }

  function hitCard(h) {
    const m = h.mention;
    const link = m.url && /^https?:\/\//.test(m.url)
      ? el("a", { href: m.url, target: "_blank", rel: "noopener noreferrer nofollow", text: "原文" }) : null;
    const badge = el("span", { class: "sent sent-" + m.sentiment, text: m.sentiment_label });
    return el("article", { class: "mention", dataset: { id: m.id, storyId: m.story_id ?? "" } }, [
      el("div", { class: "m-head" }, [
        badge,
        el("span", { class: "risk", text: "风险 " + m.risk.toFixed(0) }),
        el("span", { class: "muted", text: m.platform_label + (m.author ? " · " + m.author : "") }),
        el("span", { class: "muted", text: time(m.published_at || m.analysed_at) }),
      ]),
      m.title ? el("div", { class: "m-title" }, marked(m.title, h.title_spans, 120)) : null,
      el("div", { class: "m-text" }, marked(m.text, h.text_spans)),
      el("div", { class: "m-foot small" }, [link, correction(m, badge)]),
    ]);
  }

  function groups(list) {
    if (!list.length) return [el("p", { class: "muted", text: "无" })];
    return [el("ul", { class: "story-groups" }, list.map((g) => el("li", {}, [
      el("strong", { text: g.story_id ? (g.title || "转载聚合 " + g.story_id) : "未归入转载聚合" }),
      el("span", { class: "muted", text: " · 本页 " + g.count + " 条" + (g.size ? "，聚合共 " + g.size + " 条" : "") +
        (g.earliest_publisher ? " · 最早发布：" + g.earliest_publisher : "") }),
    ])))];
  }

  function query() {
    const f = new FormData(form);
    const p = new URLSearchParams();
    for (const k of ["q", "since", "until", "platform", "sentiment", "min_risk"]) if (f.get(k)) p.set(k, f.get(k));
    return p;
  }

  async function run(append) {
    errorBox.textContent = "";
    const p = new URLSearchParams(params);
    p.set("limit", "50");
    if (append && nextBefore) p.set("before_id", nextBefore);
    try {
      const res = await api("GET", "/api/v1/search?" + p);
      if (!res) return;
      const box = document.getElementById("results");
      // copies of one story fold into one entry within each page of results
      const cards = storyGroups(res.items, hitCard, (h) => h.mention);
      if (append) box.append(...cards); else box.replaceChildren(...(cards.length ? cards : [el("p", { class: "muted", text: "没有找到匹配的信息" })]));
      if (!append) { total = 0; document.getElementById("groups").replaceChildren(...groups(res.groups)); }
      total += res.items.length;
      nextBefore = res.next_before_id;
      more.hidden = !nextBefore;
      document.getElementById("search-summary").textContent = "已显示 " + total + " 条" +
        (nextBefore ? "，还有更早的结果" : "") + (res.complete ? "" : "（本次检查的候选已达上限，可继续加载）");
      for (const [id, fmt] of [["csv-link", "csv"], ["xlsx-link", "xlsx"]]) {
        const a = document.getElementById(id);
        a.href = "/api/v1/search." + fmt + "?" + params; a.hidden = false;
      }
      const save = document.getElementById("save-form");
      if (save) save.hidden = false;
    } catch (e) { errorBox.textContent = e.message; }
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    params = query();
    nextBefore = null;
    history.replaceState(null, "", "?" + params);
    run(false);
  });
  more.addEventListener("click", () => run(true));
  const save = document.getElementById("save-form");
  if (save) save.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      await api("POST", "/api/v1/watch-topics", { name: new FormData(save).get("name"), expression: params.get("q") });
      errorBox.textContent = "";
      document.getElementById("search-summary").textContent = "已保存为监测专题，新采集的信息将按此检索式标注。";
      save.reset();
    } catch (e) { errorBox.textContent = e.message; }
  });

  const initial = new URLSearchParams(location.search);
  for (const [k, v] of initial) if (form.elements[k]) form.elements[k].value = v;
  if (initial.get("q")) { params = query(); run(false); }
})();
