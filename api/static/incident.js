/* One incident: header, deadlines with countdowns, handling forms, timeline, mentions, effect. */
"use strict";

(() => {
  const { api, el, time, dueText, gradeBadge, mentionCard, countdownNode } = YQ;
  const id = document.querySelector(".incident-page").dataset.incidentId;
  const base = "/api/v1/incidents/" + id;
  let current = null;
  const openAction = YQ.actionDialog(() => refresh());
  const formError = document.getElementById("form-error");

  function head(i) {
    return [
      el("div", { class: "i-head" }, [
        gradeBadge(i.grade, i.grade_label),
        el("span", { class: "chip", text: i.category_label }),
        el("span", { class: "status status-" + i.status, text: i.status_label }),
      ]),
      el("h1", { text: i.title }),
      // the representative post under the generated title, then the three-line situation (issue 13)
      i.subtitle ? el("p", { class: "i-subtitle muted", text: "代表性信息：" + i.subtitle }) : null,
      i.situation && i.situation.length
        ? el("ul", { class: "situation", "aria-label": "态势摘要" }, i.situation.map((line) => el("li", { text: line }))) : null,
      i.summary ? el("p", { text: i.summary }) : null,
      el("p", { class: "muted", text: "发现 " + time(i.opened_at) + " · 风险 " + i.risk.toFixed(0) + " · 信息 " +
        i.mention_count + " 条 · 负责人 " + (i.owner || "未指定") + " · 开立 " + i.opened_by_label }),
      i.release ? el("p", { text: "关联数据发布：" + i.release.title + "（" + i.release.indicator_name + "）" }) : null,
    ];
  }

  function deadlines(list) {
    if (!list.length) return [el("p", { class: "muted", text: "无回应时限" })];
    return [el("table", { class: "deadline-table" }, [
      el("thead", {}, el("tr", {}, ["时限", "截止（北京时间）", "状态", "倒计时", "完成时间"].map((t) => el("th", { text: t })))),
      el("tbody", {}, list.map((d) => el("tr", { dataset: { deadlineId: d.id } }, [
        el("td", { text: d.kind_label }),
        el("td", { text: dueText(d) + (d.provisional ? "（暂定）" : "") }),
        el("td", { class: "d-state", text: d.state_label }),
        el("td", {}, countdownNode(d)),
        el("td", { text: d.met_at ? time(d.met_at) : (d.waived_reason ? "豁免：" + d.waived_reason : "—") }),
      ]))),
    ])];
  }

  function timeline(events) {
    return events.map((e) => el("li", {}, [
      el("span", { class: "muted small", text: time(e.at) + " · " + e.actor_label + " · " + e.kind_label }),
      el("div", { text: e.message }),
    ]));
  }

  const share = (v) => (v === null || v === undefined ? "—" : (v * 100).toFixed(0) + "%");
  const signed = (v, fmt) => (v === null || v === undefined ? "—" : (v > 0 ? "+" : v < 0 ? "−" : "±") + fmt(Math.abs(v)));
  const trend = (v) => (v > 0 ? "up" : v < 0 ? "down" : "");

  /** Volume and negative share in the window before and after each response, as a table. */
  function effect(rows, actions) {
    if (!rows.length) return [el("p", { class: "muted", text: "暂无回应" })];
    const kinds = Object.fromEntries(actions.map((a) => [a.id, a.kind_label]));
    const hours = rows[0].window_hours;
    const table = el("table", { class: "data-table effect-table" }, [
      el("thead", {}, el("tr", {}, ["回应", "声量 前→后", "变化", "负面占比 前→后", "变化"].map((t) => el("th", { text: t })))),
      el("tbody", {}, rows.map((r) => {
        const elapsedH = (YQ.serverNow() - new Date(r.at).getTime()) / 3600000;
        const watching = elapsedH < r.window_hours;
        return el("tr", { dataset: { actionId: r.action_id } }, [
          el("td", {}, [el("div", { text: kinds[r.action_id] || "回应" }), el("div", { class: "muted small", text: time(r.at) +
            (watching ? "（观察中，已过 " + Math.max(0, elapsedH).toFixed(1) + " 小时）" : "") })]),
          // Until the after-window has run its full length, the figures are partial: no change, no colour.
          el("td", { class: "num", text: r.before.mentions + " → " + r.after.mentions + (watching ? "（部分）" : "") }),
          watching ? el("td", { class: "num muted", text: "待窗口结束" })
            : el("td", { class: "num " + trend(r.change.mentions), text: signed(r.change.mentions, String) }),
          el("td", { class: "num", text: share(r.before.negative_share) + " → " + share(r.after.negative_share) + (watching ? "（部分）" : "") }),
          watching ? el("td", { class: "num muted", text: "待窗口结束" })
            : el("td", { class: "num " + trend(r.change.negative_share), text: signed(r.change.negative_share, (v) => (v * 100).toFixed(0) + " 个百分点") }),
        ]);
      })),
    ]);
    return [table, el("p", { class: "muted small", text: "按回应前后各 " + hours + " 小时内的相关信息统计；观察中的回应，\"后\"的窗口尚未走完。" })];
  }

  const SVG = "http://www.w3.org/2000/svg";
  function svg(tag, attrs = {}, children = []) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) if (k === "text") node.textContent = v; else node.setAttribute(k, v);
    for (const c of children) if (c) node.append(c);
    return node;
  }

  /** Bars of volume per bucket, the negative share as a line, release and responses as marked lines. */
  function chart(series) {
    const box = document.getElementById("chart");
    const note = document.getElementById("chart-note");
    if (!series.points.length) { box.replaceChildren(el("p", { class: "muted", text: "暂无数据" })); note.textContent = ""; return; }
    note.textContent = "每 " + (series.bucket_minutes >= 60 ? series.bucket_minutes / 60 + " 小时" : series.bucket_minutes + " 分钟") + "一格";
    const W = 900, H = 220, L = 40, R = 40, T = 14, B = 34;
    const pts = series.points;
    const t0 = new Date(pts[0].start).getTime(), step = series.bucket_minutes * 60000;
    const t1 = t0 + step * pts.length;
    const x = (ms) => L + ((ms - t0) / (t1 - t0)) * (W - L - R);
    const maxN = Math.max(1, ...pts.map((p) => p.mentions));
    const y = (n) => H - B - (n / maxN) * (H - T - B);
    const yShare = (v) => H - B - v * (H - T - B);
    const bw = Math.max(1, (W - L - R) / pts.length - 2);
    const items = [
      svg("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: "#9aa3af" }),
      svg("text", { x: 4, y: T + 4, "font-size": 11, fill: "#6b7280", text: String(maxN) + " 条" }),
      svg("text", { x: W - R + 4, y: T + 4, "font-size": 11, fill: "#c8102e", text: "100%" }),
    ];
    pts.forEach((p, i) => {
      const ms = t0 + i * step;
      const bar = svg("rect", { x: x(ms) + 1, y: y(p.mentions), width: bw, height: H - B - y(p.mentions), fill: "#9db7e0" });
      bar.append(svg("title", { text: time(p.start) + "：" + p.mentions + " 条，负面 " + p.negative + " 条" }));
      items.push(bar);
    });
    const line = pts.map((p, i) => (p.negative_share === null ? null : [x(t0 + i * step + step / 2), yShare(p.negative_share)])).filter(Boolean);
    if (line.length > 1) items.push(svg("polyline", { points: line.map((q) => q.join(",")).join(" "), fill: "none", stroke: "#c8102e", "stroke-width": 2 }));
    line.forEach(([cx, cy]) => items.push(svg("circle", { cx, cy, r: 2.5, fill: "#c8102e" })));
    const colours = { release: "#1f6fd1", opened: "#6b7280", action: "#1a8a4a" };
    series.markers.forEach((m, i) => {
      const mx = x(new Date(m.at).getTime());
      items.push(svg("line", { x1: mx, y1: T, x2: mx, y2: H - B, stroke: colours[m.kind] || "#333", "stroke-dasharray": "4 3" }));
      items.push(svg("text", { x: mx + 3, y: T + 10 + (i % 3) * 12, "font-size": 11, fill: colours[m.kind] || "#333", text: m.label }));
    });
    [0, Math.floor(pts.length / 2), pts.length - 1].forEach((i) => {
      items.push(svg("text", { x: x(t0 + i * step), y: H - 12, "font-size": 11, fill: "#6b7280", text: time(pts[i].start) }));
    });
    box.replaceChildren(svg("svg", { viewBox: "0 0 " + W + " " + H, width: "100%", preserveAspectRatio: "none", class: "chart-svg" }, items),
      el("p", { class: "muted small", text: "柱：每格信息条数；红线：负面占比；竖线：数据发布（蓝）、立案（灰）、回应（绿）" }));
  }

  let groupOffset = 0;
  const filterForm = document.getElementById("mention-filter");

  function groupCard(g) {
    const more = g.count > 1 || (g.story_size && g.story_size > 1);
    const head = el("div", { class: "group-head small" }, [
      el("strong", { text: g.count > 1 ? "同一内容 " + g.count + " 条" : "1 条" }),
      el("span", { class: "muted", text: " · " + Object.entries(g.platforms).map(([k, v]) => k + " " + v).join("、") +
        (g.earliest_publisher ? " · 最早：" + g.earliest_publisher + "（" + time(g.earliest_at) + "）" : "") +
        (g.negative ? " · 负面 " + g.negative : "") }),
    ]);
    const card = el("div", { class: "mention-group", dataset: { storyId: g.story_id ?? "" } }, [head, mentionCard(g.representative)]);
    if (more && g.story_id) {
      const btn = el("button", { class: "link-dark small", text: "展开该组全部信息", onclick: async () => {
        btn.disabled = true;
        const list = await api("GET", "/api/v1/mentions?limit=100&story_id=" + g.story_id);
        if (list) card.append(...list.filter((m) => m.id !== g.representative.id).map(mentionCard));
        btn.remove();
      } });
      card.append(btn);
    }
    return card;
  }

  async function loadGroups(append) {
    const f = new FormData(filterForm);
    const p = new URLSearchParams({ limit: "20", offset: String(append ? groupOffset : 0) });
    for (const k of ["platform", "sentiment", "min_risk", "since", "until"]) if (f.get(k)) p.set(k, f.get(k));
    try {
      const res = await api("GET", base + "/mention-groups?" + p);
      if (!res) return;
      const box = document.getElementById("mentions");
      const cards = res.groups.map(groupCard);
      if (append) box.append(...cards);
      else box.replaceChildren(...(cards.length ? cards : [el("p", { class: "muted", text: "暂无关联信息" })]));
      groupOffset = (append ? groupOffset : 0) + res.groups.length;
      document.getElementById("group-count").textContent = "（" + res.total_mentions + " 条，" + res.total_groups + " 组）";
      document.getElementById("more-groups").hidden = groupOffset >= res.total_groups;
    } catch (e) { formError.textContent = e.message; }
  }

  filterForm.addEventListener("submit", (ev) => { ev.preventDefault(); loadGroups(false); });
  document.getElementById("more-groups").addEventListener("click", () => loadGroups(true));

  function evaluationView(ev) {
    if (!ev) return [el("p", { class: "muted", text: "尚未评估。特别重大、重大事件关闭时自动记录时效与效果，可在此补充判断与经验教训。" })];
    const effect = ev.effects.length
      ? ev.effects.map((e) => "声量 " + e.before.mentions + " → " + e.after.mentions).join("；")
      : (ev.observing_responses ? "回应后的观察窗口尚未走完" : "无回应");
    return [el("dl", {}, [
      el("dt", { text: "时效" }), el("dd", { text: "按时 " + ev.on_time + " / " + ev.judged + "：" +
        ev.timeliness.map((t) => t.kind_label + " " + t.outcome_label).join("，") }),
      el("dt", { text: "针对性" }), el("dd", { text: ev.addressed_label || "未判断" }),
      el("dt", { text: "效果" }), el("dd", { text: effect }),
      el("dt", { text: "经验教训" }), el("dd", { text: ev.lessons || "未填写" }),
      el("dt", { text: "评估" }), el("dd", { class: "muted", text: ev.evaluated_by + " · " + time(ev.evaluated_at) }),
    ])];
  }

  async function loadCandidates() {
    let list;
    try { list = await api("GET", base + "/response-candidates"); } catch (e) { return; }
    const panel = document.getElementById("candidates-panel");
    panel.hidden = !list || !list.length;
    if (!list) return;
    document.getElementById("candidates").replaceChildren(...list.map((m) => el("div", { class: "candidate", dataset: { id: m.id } }, [
      mentionCard(m),
      el("button", { class: "primary", text: "确认为本事件的回应", onclick: async (ev) => {
        ev.target.disabled = true;
        if (await submit("/response-candidates/" + m.id + "/confirm")) loadCandidates();
        else ev.target.disabled = false;
      } }),
    ])));
  }

  async function loadEvaluation() {
    try {
      const ev = await api("GET", base + "/evaluation");
      document.getElementById("evaluation").replaceChildren(...evaluationView(ev));
      const form = document.getElementById("evaluation-form");
      if (ev) {
        form.elements.addressed_claims.checked = !!ev.addressed_claims;
        if (!form.elements.lessons.value) form.elements.lessons.value = ev.lessons || "";
      }
    } catch (e) { document.getElementById("evaluation").replaceChildren(el("p", { class: "error", text: e.message })); }
  }

  document.getElementById("evaluation-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = ev.target;
    if (await submit("/evaluation", { addressed_claims: f.elements.addressed_claims.checked,
      lessons: f.elements.lessons.value || null })) loadEvaluation();
  });

  // Refreshes overlap (a recorded response, the live feed, the 30 s poll): only the latest may paint,
  // or an answer fetched before the response committed would put "暂无回应" back on the page.
  let generation = 0;

  async function refresh() {
    const mine = ++generation;
    const effectRows = api("GET", base + "/effect").then((rows) => ({ rows }), (error) => ({ error }));
    const [i, series] = await Promise.all([api("GET", base), api("GET", base + "/series")]);
    if (!i || mine !== generation) return;
    current = i;
    document.getElementById("incident-head").replaceChildren(...head(i).filter(Boolean));
    document.getElementById("deadlines").replaceChildren(...deadlines(i.deadlines));
    document.getElementById("timeline").replaceChildren(...timeline(i.timeline));
    if (series) chart(series);
    loadEvaluation();
    loadCandidates();
    if (!groupOffset || groupOffset <= 20) loadGroups(false); // keep what the reader paged open
    document.getElementById("btn-ack").hidden = i.status !== "detected";
    document.getElementById("status-form").elements.status.value = i.status;
    const got = await effectRows;
    if (mine !== generation) return;
    document.getElementById("effect").replaceChildren(...(got.error
      ? [el("p", { class: "error", text: "回应效果加载失败：" + got.error.message })]
      : effect(got.rows || [], i.actions)));
  }

  async function submit(path, body) {
    formError.textContent = "";
    try { await api("POST", base + path, body); await refresh(); return true; }
    catch (e) { formError.textContent = e.message; return false; }
  }

  const bind = (formId, path, fields) => document.getElementById(formId).addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    const body = {};
    for (const k of fields) if (f.get(k)) body[k] = f.get(k);
    if (await submit(path, body)) ev.target.reset();
  });
  bind("status-form", "/status", ["status", "note"]);
  bind("assign-form", "/assign", ["owner"]);
  bind("grade-form", "/grade", ["grade", "reason"]);
  bind("note-form", "/notes", ["message"]);
  document.getElementById("btn-ack").addEventListener("click", () => submit("/acknowledge"));
  document.getElementById("btn-action").addEventListener("click", () => current && openAction(current));

  refresh();
  YQ.live((kind, data) => {
    if (kind === "poll" || !data || String(data.incident_id ?? data.id) === String(id) || kind === "deadline") {
      return refresh();
    }
    return Promise.resolve();
  });
})();
