/* 考核: the compliance report of a chosen period, from /api/v1/compliance, as tables. */
"use strict";

(() => {
  const { api, el, time } = YQ;
  const liveBadge = document.getElementById("live-status");
  if (liveBadge) liveBadge.hidden = true; // these pages do not stream; the badge would say "连接中" forever
  const form = document.getElementById("period-form");
  const OUTCOMES = [["on_time", "按时"], ["late", "逾期完成"], ["missed", "未回应"], ["waived", "豁免"], ["open", "未到期"]];
  const OUTCOME_NAMES = Object.fromEntries(OUTCOMES);

  const isoDay = (ms) => new Date(ms + 8 * 3600 * 1000).toISOString().slice(0, 10); // Beijing date
  const nextDay = (day) => isoDay(new Date(day + "T00:00:00+08:00").getTime() + 24 * 3600 * 1000);
  const rate = (r) => (r === null || r === undefined ? "—" : (r * 100).toFixed(1) + "%");

  /** [start, end) in Beijing time for the API; the end date is inclusive on the form. */
  function period() {
    const f = new FormData(form);
    return { start: f.get("start") + "T00:00", end: nextDay(f.get("end")) + "T00:00" };
  }

  function kindTable(report) {
    const rows = Object.entries(report.by_kind).map(([code, v]) => [v.label, code, v]);
    rows.push(["合计", "total", report.total]);
    return el("table", { class: "data-table", id: "kind-table" }, [
      el("thead", {}, el("tr", {}, ["类型", ...OUTCOMES.map((o) => o[1]), "合计", "按时率"].map((t) => el("th", { text: t, class: t === "类型" ? "" : "num" })))),
      el("tbody", {}, rows.map(([label, code, v]) => el("tr", { dataset: { kind: code }, class: code === "total" ? "total" : "" }, [
        el("td", { text: label }),
        ...OUTCOMES.map(([k]) => el("td", { class: "num" + ((k === "missed" || k === "late") && v[k] ? " bad" : ""), text: v[k] })),
        el("td", { class: "num", text: v.total }),
        el("td", { class: "num", text: rate(v.on_time_rate) }),
      ]))),
    ]);
  }

  function lateTable(list, labels) {
    if (!list.length) return el("p", { class: "muted", text: "本期没有逾期或未回应的时限。" });
    return el("table", { class: "data-table", id: "late-table" }, [
      el("thead", {}, el("tr", {}, ["时限", "类型", "关联", "截止", "完成", "结果"].map((t) => el("th", { text: t })))),
      el("tbody", {}, list.map((r) => el("tr", { class: "outcome-" + r.outcome }, [
        el("td", { text: r.deadline_id }),
        el("td", { text: labels[r.kind] || "未知（时限类型）" }),
        el("td", {}, r.incident_id ? el("a", { href: "/incidents/" + r.incident_id, text: "事件 " + r.incident_id })
          : el("a", { href: "/cases", text: "事项 " + r.case_id })),
        el("td", { text: time(r.due_at) }),
        el("td", { text: r.met_at ? time(r.met_at) : "—" }),
        el("td", { class: r.outcome === "missed" ? "bad" : "", text: OUTCOME_NAMES[r.outcome] || r.outcome }),
      ]))),
    ]);
  }

  /** 处置评估 of the grade I/II incidents closed in the period: each one's conclusion. */
  function evaluationTable(ev) {
    if (!ev.rows.length) return el("p", { class: "muted", text: "本期没有关闭的 I、II 级事件。" });
    return el("table", { class: "data-table", id: "evaluation-table" }, [
      el("thead", {}, el("tr", {}, ["事件", "级别", "责任人", "关闭", "评估状态", "时效", "针对性", "效果", "经验教训"].map((t) => el("th", { text: t })))),
      el("tbody", {}, ev.rows.map((r) => el("tr", { class: "evaluation-" + r.status, dataset: { incident: r.incident_id } }, [
        el("td", {}, el("a", { href: "/incidents/" + r.incident_id, text: r.title })),
        el("td", { text: r.grade_label }),
        el("td", { text: r.owner || "—" }),
        el("td", { text: time(r.closed_at) }),
        el("td", { class: r.status === "missing" ? "bad" : "", text: r.status_label }),
        el("td", { text: r.timeliness || "—" }),
        el("td", { class: r.addressed_claims === "no" ? "bad" : "", text: r.addressed_label || "—" }),
        el("td", { text: r.effect || "—" }),
        el("td", { text: r.lessons || "—" }),
      ]))),
    ]);
  }

  async function load() {
    const p = period();
    const q = "?start=" + encodeURIComponent(p.start) + "&end=" + encodeURIComponent(p.end);
    document.getElementById("csv-link").href = "/api/v1/compliance.csv" + q;
    document.getElementById("doc-link").href = "/api/v1/reports/scorecard?format=docx&start=" + form.elements.start.value + "&end=" + form.elements.end.value;
    document.getElementById("period-error").textContent = "";
    try {
      const report = await api("GET", "/api/v1/compliance" + q);
      if (!report) return;
      const labels = Object.fromEntries(Object.entries(report.by_kind).map(([k, v]) => [k, v.label]));
      document.getElementById("period-label").textContent =
        "考核期：" + report.start.slice(0, 16).replace("T", " ") + " 至 " + report.end.slice(0, 16).replace("T", " ") + "（北京时间；截止于结束日 24:00 的时限计入本期）";
      document.getElementById("by-kind").replaceChildren(
        Object.keys(report.by_kind).length ? kindTable(report) : el("p", { class: "muted", text: "本期没有到期的时限。" }));
      document.getElementById("late-list").replaceChildren(lateTable(report.late_or_missed, labels));
      const ev = report.evaluations;
      document.getElementById("evaluation-count").textContent = ev.summary;
      document.getElementById("evaluation-list").replaceChildren(evaluationTable(ev));
      history.replaceState(null, "", "?start=" + form.elements.start.value + "&end=" + form.elements.end.value);
    } catch (e) {
      document.getElementById("period-error").textContent = e.message;
    }
  }

  const params = new URLSearchParams(location.search);
  const today = isoDay(Date.now());
  form.elements.end.value = params.get("end") || today;
  form.elements.start.value = params.get("start") || isoDay(Date.now() - 29 * 24 * 3600 * 1000);
  form.addEventListener("submit", (ev) => { ev.preventDefault(); load(); });
  load();
})();
