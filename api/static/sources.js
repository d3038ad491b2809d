/* 采集源: health of every source, its last error, the quarantine with the true reasons, and the documents
   kept out of mentions as off-topic with the reason (analysis/relevance.py). */
"use strict";

(() => {
  const { api, el, time } = YQ;
  const live = document.getElementById("live-status");
  if (live) live.hidden = true;
  const KINDS = { news_rss: "新闻订阅", news_site: "新闻网站", weibo_search: "微博搜索", weibo_hot: "微博热搜",
    tieba: "百度贴吧", discuz: "论坛（Discuz!）", releases: "数据发布" };
  const canRelease = document.querySelector(".sources-page").dataset.canRelease === "1";
  const STAGES = { crawl: "采集", fetch: "抓取", parse: "解析" };

  async function load() {
    const [sources, quarantine, offTopic] = await Promise.all([api("GET", "/api/v1/sources"),
      api("GET", "/api/v1/quarantine?limit=100"), api("GET", "/api/v1/off-topic?limit=100")]);
    if (!sources || !quarantine || !offTopic) return;
    const names = Object.fromEntries(sources.map((s) => [s.id, s.name]));
    document.querySelector("#off-topic-table tbody").replaceChildren(...(offTopic.length ? offTopic.map((d) =>
      el("tr", { dataset: { documentId: d.id } }, [
        el("td", { text: time(d.published_at || d.analysed_at) }),
        el("td", { text: names[d.source_id] || "—" }),
        el("td", { class: "case-title" }, [
          d.title ? el("div", { class: "src-name", text: d.title }) : null,
          el("div", { class: "small", text: d.text.length > 120 ? d.text.slice(0, 120) + "…" : d.text }),
          d.url && /^https?:\/\//.test(d.url)
            ? el("a", { class: "small", href: d.url, target: "_blank", rel: "noopener noreferrer nofollow", text: "原文" }) : null,
        ]),
        el("td", { class: "off-topic-reason", text: d.reason || "—" }),
        el("td", { class: "num", text: d.relevance == null ? "—" : d.relevance.toFixed(2) }),
      ])) : [el("tr", {}, el("td", { colspan: "5", class: "muted", text: "暂无判为无关的文档" }))]));
    document.querySelector("#source-table tbody").replaceChildren(...(sources.length ? sources.map((s) =>
      el("tr", { class: s.warnings.length ? "warn" : "", dataset: { sourceId: s.id } }, [
        el("td", {}, el("span", { class: "src-status src-" + s.status, text: s.status_label })),
        el("td", {}, [el("div", { class: "src-name", text: s.name }), el("div", { class: "muted small", text: s.url })]),
        el("td", { text: KINDS[s.kind] || "其他来源" }),
        el("td", { text: time(s.last_run_at) }),
        el("td", { text: time(s.last_success_at) }),
        el("td", { class: "num", text: s.items_last_run }),
        el("td", { class: "num", text: s.total_items }),
        el("td", { class: "num", text: s.error_count }),
        el("td", { class: "num", text: s.quarantined_count }),
        el("td", { class: "small" }, [
          ...s.warnings.map((w) => el("div", { class: "warning", text: "⚠ " + w })),
          s.last_error ? el("div", { class: "muted", text: "最近错误（" + time(s.last_error_at) + "）：" + s.last_error.slice(0, 200) }) : null,
        ]),
      ])) : [el("tr", {}, el("td", { colspan: "10", class: "muted", text: "未配置采集源" }))]));
    document.querySelector("#quarantine-table tbody").replaceChildren(...(quarantine.length ? quarantine.map((q) =>
      el("tr", {}, [
        el("td", { text: time(q.created_at) }),
        el("td", { text: q.source_name || "—" }),
        el("td", { text: STAGES[q.stage] || "其他环节" }),
        el("td", { class: "case-title", text: q.reason }),
        el("td", { class: "case-title small", text: q.url || "—" }),
        el("td", { class: "num", text: q.body_bytes }),
        el("td", { class: "small" }, [
          el("div", { text: q.state || "需人工处理" }),
          canRelease && q.state && !q.state.startsWith("已放行") ? el("button", { class: "link-dark", text: "放行重取",
            onclick: async (ev) => {
              ev.target.disabled = true;
              try { await api("POST", "/api/v1/quarantine/" + q.id + "/release"); load(); }
              catch (e) { ev.target.disabled = false; alert(e.message); }
            } }) : null,
        ]),
      ])) : [el("tr", {}, el("td", { colspan: "7", class: "muted", text: "隔离区为空" }))]));
  }
  load();
})();
