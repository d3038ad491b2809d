/* 事件: every incident, closed ones too, with keyword, grade, status and date filters. */
"use strict";

(() => {
  const { api, el, time, gradeBadge } = YQ;
  const form = document.getElementById("filter-form");
  const live = document.getElementById("live-status");
  if (live) live.hidden = true;
  const nextDay = (day) => new Date(new Date(day + "T00:00:00+08:00").getTime() + 86400000 + 8 * 3600000)
    .toISOString().slice(0, 10);

  function summary(deadlines) {
    if (!deadlines.length) return "—";
    return deadlines.map((d) => d.kind_label + "：" + d.state_label).join("；");
  }

  async function load() {
    const f = new FormData(form);
    const p = new URLSearchParams({ include_closed: "true", limit: "500" });
    if (f.get("q")) p.set("q", f.get("q"));
    if (f.get("grade")) p.append("grade", f.get("grade"));
    if (f.get("status")) p.append("status", f.get("status"));
    if (f.get("since")) p.set("opened_since", f.get("since") + "T00:00");
    if (f.get("until")) p.set("opened_until", nextDay(f.get("until")) + "T00:00");
    document.getElementById("filter-error").textContent = "";
    try {
      const list = await api("GET", "/api/v1/incidents?" + p);
      if (!list) return;
      const rows = list.map((i) => el("tr", { dataset: { incidentId: i.id } }, [
        el("td", {}, gradeBadge(i.grade, i.grade_label)),
        el("td", {}, el("a", { href: "/incidents/" + i.id, text: i.title })),
        el("td", { text: i.status_label }),
        el("td", { text: time(i.opened_at) }),
        el("td", { class: "num", text: i.mention_count }),
        el("td", { text: i.owner || "未指定" }),
        el("td", { class: "small", text: summary(i.deadlines) }),
      ]));
      document.querySelector("#incident-table tbody").replaceChildren(
        ...(rows.length ? rows : [el("tr", {}, el("td", { colspan: "7", class: "muted", text: "没有符合条件的事件" }))]));
      history.replaceState(null, "", "?" + new URLSearchParams([...f].filter(([, v]) => v)));
    } catch (e) { document.getElementById("filter-error").textContent = e.message; }
  }

  const params = new URLSearchParams(location.search);
  for (const [k, v] of params) if (form.elements[k]) form.elements[k].value = v;
  form.addEventListener("submit", (ev) => { ev.preventDefault(); load(); });
  load();
})();
