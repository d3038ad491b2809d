/* The duty board: open incidents by urgency with live countdowns, latest mentions, source health. */
"use strict";

(() => {
  const { api, el, time, dueText, gradeBadge, mentionCard, countdownNode, storyGroups } = YQ;
  const openAction = YQ.actionDialog(() => refreshIncidents());

  function deadlineRow(d) {
    return el("li", { class: "deadline", dataset: { deadlineId: d.id } }, [
      el("span", { class: "d-kind", text: d.kind_label }),
      el("span", { class: "muted small", text: "截止 " + dueText(d) + (d.provisional ? "（暂定）" : "") }),
      countdownNode(d),
    ]);
  }

  function incidentCard(i) {
    const ack = i.status === "detected"
      ? el("button", { class: "primary", text: "确认接警", onclick: async (ev) => {
          ev.target.disabled = true;
          try { await api("POST", "/api/v1/incidents/" + i.id + "/acknowledge"); } catch (e) { alert(e.message); }
          refreshIncidents();
        } })
      : null;
    const release = i.release
      ? el("span", { class: "chip", text: "关联发布：" + i.release.indicator_name +
          (i.release.period_label ? " " + i.release.period_label : "") })
      : null;
    return el("article", { class: "incident grade-edge-" + i.grade, dataset: { incidentId: i.id } }, [
      el("div", { class: "i-head" }, [
        gradeBadge(i.grade, i.grade_label),
        el("span", { class: "chip", text: i.category_label }),
        el("span", { class: "status status-" + i.status, text: i.status_label }),
        el("a", { class: "i-title", href: "/incidents/" + i.id, text: i.title }),
      ]),
      i.subtitle ? el("div", { class: "i-subtitle muted small", text: i.subtitle }) : null,
      i.situation && i.situation.length
        ? el("ul", { class: "situation small" }, i.situation.map((line) => el("li", { text: line }))) : null,
      el("div", { class: "muted small" }, [
        el("span", { text: "发现 " + time(i.opened_at) + " · 风险 " + i.risk.toFixed(0) + " · 信息 " + i.mention_count + " 条" +
          (i.owner ? " · 负责人 " + i.owner : "") }),
        release,
      ]),
      i.deadlines.length ? el("ul", { class: "deadlines" }, i.deadlines.map(deadlineRow))
        : el("p", { class: "muted small", text: "无回应时限" }),
      el("div", { class: "buttons" }, [
        ack,
        el("button", { text: "登记回应", onclick: () => openAction(i) }),
        el("a", { class: "button", href: "/incidents/" + i.id, text: "详情" }),
      ]),
    ]);
  }

  /** The posts behind a warning, copies of one story counted once: [first post, copies]. */
  function storyPreview(posts) {
    const seen = new Map();
    const out = [];
    for (const m of posts) {
      if (m.story_id != null && seen.has(m.story_id)) { seen.get(m.story_id)[1] += 1; continue; }
      const entry = [m, 1];
      if (m.story_id != null) seen.set(m.story_id, entry);
      out.push(entry);
    }
    return out;
  }

  function warningCard(w) {
    const act = (path, body) => async (ev) => {
      ev.target.disabled = true;
      try { await api("POST", "/api/v1/warnings/" + w.id + "/" + path, body); } catch (e) { alert(e.message); }
      refreshWarnings(); refreshIncidents();
    };
    return el("article", { class: "warning-card level-" + w.level, dataset: { warningId: w.id } }, [
      el("div", { class: "i-head" }, [
        el("span", { class: "level level-" + w.level, text: w.level_label }),
        el("strong", { text: w.label + " 舆情突增" }),
        el("span", { class: "muted small", text: time(w.detected_at) }),
      ]),
      el("div", { class: "small", text: w.reason }),
      el("ul", { class: "warning-posts small" }, storyPreview(w.posts).slice(0, 3).map(([m, n]) =>
        el("li", { text: (m.author ? m.author + "：" : "") + (m.text.length > 60 ? m.text.slice(0, 60) + "…" : m.text) +
          (n > 1 ? "（同一内容 " + n + " 条" + (m.story_earliest_publisher ? "，最早：" + m.story_earliest_publisher : "") + "）" : "") }))),
      el("div", { class: "buttons" }, [
        el("button", { class: "primary", text: "升级为事件", onclick: act("promote", {}) }),
        el("button", { text: "确认关注", onclick: act("acknowledge") }),
        el("button", { text: "排除", onclick: act("dismiss") }),
      ]),
    ]);
  }

  /** A deadline notice that could not be delivered: someone was NOT told. Shown until it gets through. */
  async function refreshAlarms() {
    const box = document.getElementById("delivery-alarm");
    const out = await api("GET", "/api/v1/notifications");
    if (!out) return;
    const alarms = out.alarms || [];
    box.hidden = !alarms.length;
    box.replaceChildren(...(alarms.length ? [
      el("strong", { text: "通知未送达：" + alarms.length + " 条时限提醒发送失败，仍在重试。" }),
      el("span", { text: " " + alarms.slice(0, 3).map((a) => a.subject + "（" + a.channel + "）").join("；") }),
      el("a", { href: "/notifications", text: " 查看通知" }),
    ] : []));
  }

  async function refreshWarnings() {
    const list = await api("GET", "/api/v1/warnings");
    if (!list) return;
    document.getElementById("warnings-panel").hidden = !list.length;
    document.getElementById("warning-count").textContent = list.length ? "（" + list.length + "）" : "";
    document.getElementById("warnings").replaceChildren(...list.map(warningCard));
  }

  async function refreshIncidents() {
    const list = await api("GET", "/api/v1/incidents");
    if (!list) return;
    const box = document.getElementById("incidents");
    box.replaceChildren(...(list.length ? list.map(incidentCard) : [el("p", { class: "muted", text: "当前没有待处置事件" })]));
    document.getElementById("incident-count").textContent = list.length ? "（" + list.length + "）" : "";
  }

  async function refreshMentions() {
    const f = document.getElementById("mention-filter").value;
    const q = f === "negative" ? "&sentiment=negative" : f === "risk50" ? "&min_risk=50" : "";
    const list = await api("GET", "/api/v1/mentions?limit=30" + q);
    if (!list) return;
    document.getElementById("mentions").replaceChildren(
      ...(list.length ? storyGroups(list, mentionCard) : [el("p", { class: "muted", text: "暂无信息" })]));
  }

  async function refreshSources() {
    const list = await api("GET", "/api/v1/sources");
    if (!list) return;
    const rows = list.map((s) => el("div", { class: "source" + (s.warnings.length ? " warn" : "") }, [
      el("span", { class: "src-status src-" + s.status, text: s.status_label }),
      el("span", { class: "src-name", text: s.name }),
      el("span", { class: "muted small", text: "上次成功 " + time(s.last_success_at) + " · 本轮 " + s.items_last_run +
        " 条 · 错误 " + s.error_count + " · 隔离 " + s.quarantined_count }),
      ...s.warnings.map((w) => el("div", { class: "warning small", text: "⚠ " + w })),
    ]));
    document.getElementById("sources").replaceChildren(
      ...(rows.length ? rows : [el("p", { class: "muted", text: "未配置采集源" })]));
  }

  async function refresh(kind) {
    const jobs = [];
    if (kind !== "mention") jobs.push(refreshIncidents(), refreshWarnings(), refreshAlarms());
    if (kind !== "deadline") jobs.push(refreshMentions());
    if (kind === "poll" || kind === "init") jobs.push(refreshSources());
    await Promise.allSettled(jobs);
  }

  document.getElementById("mention-filter").addEventListener("change", refreshMentions);
  refresh("init");
  YQ.live(refresh);
})();
