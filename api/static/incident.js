/* One incident: header, deadlines with countdowns, handling forms, timeline, mentions, effect. */
"use strict";

(() => {
  const { api, el, time, gradeBadge, mentionCard, countdownNode } = YQ;
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
        el("td", { text: time(d.due_at) + (d.provisional ? "（暂定）" : "") }),
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
        const elapsedH = (Date.now() - new Date(r.at).getTime()) / 3600000;
        const watching = elapsedH < r.window_hours;
        return el("tr", { dataset: { actionId: r.action_id } }, [
          el("td", {}, [el("div", { text: kinds[r.action_id] || r.kind }), el("div", { class: "muted small", text: time(r.at) +
            (watching ? "（观察中，已过 " + Math.max(0, elapsedH).toFixed(1) + " 小时）" : "") })]),
          el("td", { class: "num", text: r.before.mentions + " → " + r.after.mentions }),
          el("td", { class: "num " + trend(r.change.mentions), text: signed(r.change.mentions, String) }),
          el("td", { class: "num", text: share(r.before.negative_share) + " → " + share(r.after.negative_share) }),
          el("td", { class: "num " + trend(r.change.negative_share), text: signed(r.change.negative_share, (v) => (v * 100).toFixed(0) + " 个百分点") }),
        ]);
      })),
    ]);
    return [table, el("p", { class: "muted small", text: "按回应前后各 " + hours + " 小时内的相关信息统计；观察中的回应，\"后\"的窗口尚未走完。" })];
  }

  // Refreshes overlap (a recorded response, the live feed, the 30 s poll): only the latest may paint,
  // or an answer fetched before the response committed would put "暂无回应" back on the page.
  let generation = 0;

  async function refresh() {
    const mine = ++generation;
    const effectRows = api("GET", base + "/effect").then((rows) => ({ rows }), (error) => ({ error }));
    const [i, mentions] = await Promise.all([api("GET", base), api("GET", base + "/mentions?limit=100")]);
    if (!i || mine !== generation) return;
    current = i;
    document.getElementById("incident-head").replaceChildren(...head(i).filter(Boolean));
    document.getElementById("deadlines").replaceChildren(...deadlines(i.deadlines));
    document.getElementById("timeline").replaceChildren(...timeline(i.timeline));
    document.getElementById("mentions").replaceChildren(
      ...(mentions.length ? mentions.map(mentionCard) : [el("p", { class: "muted", text: "暂无关联信息" })]));
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
