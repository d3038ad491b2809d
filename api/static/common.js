/* Shared by every page: API calls, Beijing-time formatting, countdowns, the live feed.
   Crawled text only ever goes into the page through textContent (el() below). */
"use strict";

const YQ = (() => {
  const CSRF = document.querySelector('meta[name="csrf-header"]')?.content || "X-Yuqing-Request";
  let offsetMs = 0; // server clock minus browser clock

  async function api(method, path, body) {
    const headers = { Accept: "application/json", [CSRF]: "1" };
    const init = { method, headers, credentials: "same-origin" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const res = await fetch(path, init);
    if (res.status === 401) { location.href = "/login?next=" + encodeURIComponent(location.pathname); return null; }
    const data = res.headers.get("content-type")?.includes("json") ? await res.json() : null;
    if (!res.ok) {
      let msg = data && data.detail;
      if (Array.isArray(msg)) msg = msg.map((d) => (d.loc || []).slice(-1)[0] + "：" + d.msg).join("；");
      throw new Error(msg || "请求失败（" + res.status + "）");
    }
    return data;
  }

  /** el("div", {class: "x", text: untrusted}, [children]) — never innerHTML. */
  function el(tag, attrs = {}, children = []) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "text") node.textContent = String(v);
      else if (k === "class") node.className = v;
      else if (k === "dataset") Object.assign(node.dataset, v);
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of [].concat(children)) if (c) node.append(c);
    return node;
  }

  const fmt = new Intl.DateTimeFormat("zh-CN", {
    timeZone: "Asia/Shanghai", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false,
  });
  const fmtClock = new Intl.DateTimeFormat("zh-CN", {
    timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
  });
  const time = (iso) => (iso ? fmt.format(new Date(iso)).replace(/\//g, "-") : "—");
  const serverNow = () => Date.now() + offsetMs;

  function hms(totalSeconds) {
    const s = Math.max(0, Math.floor(totalSeconds));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    const pad = (n) => String(n).padStart(2, "0");
    if (h >= 48) return Math.floor(h / 24) + "天 " + pad(h % 24) + ":" + pad(m) + ":" + pad(sec);
    return pad(h) + ":" + pad(m) + ":" + pad(sec);
  }

  /** Text and class of one countdown, from its deadline's state and due time.
      Working-day clocks count working days, not hours: amber on the last working day. */
  function countdown(state, dueIso, dueSoonSeconds = 3600, workingDaysLeft = null) {
    if (state === "met") return ["已完成", "met"];
    if (state === "waived") return ["已豁免", "waived"];
    const left = (new Date(dueIso).getTime() - serverNow()) / 1000;
    if (left <= 0 || state === "breached") return ["已超时 " + hms(-left), "breached"];
    if (workingDaysLeft !== null && workingDaysLeft !== undefined && workingDaysLeft !== "") {
      const n = Number(workingDaysLeft);
      if (n <= 0) return ["今日到期 · 剩余 " + hms(left), "due-soon"];
      return ["剩余 " + n + " 个工作日", "running"];
    }
    if (left <= dueSoonSeconds || state === "due_soon") return ["剩余 " + hms(left), "due-soon"];
    return ["剩余 " + hms(left), "running"];
  }

  function countdownNode(d) {
    const data = { due: d.due_at, state: d.state };
    if (d.basis === "working_days" && d.working_days_left !== null && d.working_days_left !== undefined) {
      data.wd = String(d.working_days_left);
    }
    const node = el("span", { class: "countdown", dataset: data });
    paint(node);
    return node;
  }

  /** "截止 12-01 24:00": the server's reading of the due time (working-day windows end at 24:00). */
  const dueText = (d) => d.due_label || time(d.due_at);

  function paint(node) {
    const [text, cls] = countdown(node.dataset.state, node.dataset.due, 3600, node.dataset.wd);
    if (node.textContent !== text) node.textContent = text;
    node.className = "countdown " + cls;
  }

  function tick() {
    document.querySelectorAll(".countdown[data-due]").forEach(paint);
    const clock = document.getElementById("clock");
    if (clock) clock.textContent = "北京时间 " + fmtClock.format(new Date(serverNow()));
  }

  async function syncClock() {
    try {
      const t0 = Date.now();
      const h = await api("GET", "/api/v1/health");
      const t1 = Date.now();
      offsetMs = new Date(h.now).getTime() - (t0 + t1) / 2;
    } catch (e) { /* keep the browser's clock */ }
  }

  /** Calls refresh() on every pushed change; polls every 30 s as well, in case the stream is cut.
      A dropped stream is shown at once (断线重连中) and the page keeps polling until it is back. */
  function live(refresh) {
    const status = document.getElementById("live-status");
    const set = (text, cls) => {
      if (status) { status.textContent = text; status.className = "live " + cls; }
      document.body.classList.toggle("stream-lost", cls === "lost");
    };
    let timer = null;
    const schedule = () => { clearTimeout(timer); timer = setTimeout(() => refresh("poll").finally(schedule), 30000); };
    schedule();
    if (!window.EventSource) { set("轮询", "poll"); return; }
    const es = new EventSource("/api/v1/stream");
    es.addEventListener("hello", () => set("实时", "ok"));
    for (const name of ["incident", "deadline", "mention", "delivery_alarm"]) {
      es.addEventListener(name, (ev) => {
        refresh(name, JSON.parse(ev.data));
        if (name !== "mention") alarm.check();
        schedule();
      });
    }
    es.onerror = () => { set("断线重连中…", "lost"); refresh("poll"); };
    es.onopen = () => set("实时", "ok");
  }

  /** Arrival alarm: the tab title counts open grade I/II incidents, and a new one beeps and raises a
      desktop notification, unless this user muted the sound (kept per user in this browser). */
  const alarm = (() => {
    const who = document.body.dataset.user || "";
    const muteKey = "yuqing.mute." + who;
    const baseTitle = document.title;
    let known = null; // ids of open I/II incidents already announced
    const muted = () => localStorage.getItem(muteKey) === "1";

    function beep() {
      if (muted()) return;
      try {
        const ctx = new (window.AudioContext || window.webkitAudioContext)();
        [0, 0.35].forEach((at) => {
          const osc = ctx.createOscillator(), gain = ctx.createGain();
          osc.frequency.value = 880; osc.connect(gain); gain.connect(ctx.destination);
          gain.gain.setValueAtTime(0.2, ctx.currentTime + at);
          osc.start(ctx.currentTime + at); osc.stop(ctx.currentTime + at + 0.25);
        });
        document.body.dataset.lastAlarm = String(Date.now());
      } catch (e) { /* no audio device: the title and the notification still tell */ }
    }

    function notify(i) {
      if (!("Notification" in window) || Notification.permission !== "granted" || muted()) return;
      const n = new Notification("【" + (i.grade_label || i.grade) + "】" + i.title, {
        body: "新事件，请立即确认接警。", tag: "incident-" + i.id, requireInteraction: true,
      });
      n.onclick = () => { window.focus(); location.href = "/incidents/" + i.id; };
    }

    async function check() {
      let list;
      try { list = await api("GET", "/api/v1/incidents"); } catch (e) { return; }
      if (!list) return;
      const severe = list.filter((i) => i.grade === "I" || i.grade === "II");
      const top = severe.slice().sort((a, b) => a.grade.length - b.grade.length)[0];
      document.title = severe.length
        ? "(" + severe.length + ")【" + top.grade + "级】" + top.title + " · " + baseTitle : baseTitle;
      const ids = new Set(severe.map((i) => i.id));
      if (known !== null) {
        const fresh = severe.filter((i) => !known.has(i.id));
        if (fresh.length) { beep(); fresh.forEach(notify); }
      }
      known = ids;
      document.body.dataset.severeCount = String(severe.length);
    }

    function paintButton(btn) {
      btn.textContent = muted() ? "提醒音已关" : "提醒音已开";
      btn.setAttribute("aria-pressed", muted() ? "true" : "false");
    }

    function bind() {
      const btn = document.getElementById("mute-toggle");
      if (btn) {
        paintButton(btn);
        btn.addEventListener("click", () => {
          localStorage.setItem(muteKey, muted() ? "0" : "1");
          paintButton(btn);
          if (!muted() && "Notification" in window && Notification.permission === "default") {
            Notification.requestPermission();
          }
        });
      }
    }
    return { check, bind, muted };
  })();

  function gradeBadge(grade, label) {
    return el("span", { class: "grade grade-" + grade, text: label || grade, title: "事件等级" });
  }

  function chips(labels, cls = "chip") {
    return el("span", { class: "chips" }, labels.map((t) => el("span", { class: cls, text: t })));
  }

  const SENTIMENT_LABELS = { negative: "负面", neutral: "中性", positive: "正面" };

  /** 更正: an analyst's relabelling, stored with who and when; the next `yuqing train` learns from it. */
  function correction(m, badge) {
    if (document.body.dataset.canRelabel !== "1") return null;
    const select = el("select", { class: "relabel", "aria-label": "更正倾向", title: "判断有误时更正，用于模型再训练" }, [
      el("option", { value: "", text: "更正倾向…" }),
      ...Object.entries(SENTIMENT_LABELS).filter(([k]) => k !== m.sentiment)
        .map(([k, v]) => el("option", { value: k, text: "改为" + v })),
    ]);
    select.addEventListener("change", async () => {
      if (!select.value) return;
      select.disabled = true;
      try {
        const out = await api("POST", "/api/v1/mentions/" + m.id + "/sentiment", { label: select.value });
        badge.textContent = out.sentiment_label;
        badge.className = "sent sent-" + out.sentiment;
        select.replaceWith(el("span", { class: "muted", text: "已更正为" + out.sentiment_label }));
      } catch (e) { select.disabled = false; alert(e.message); }
    });
    return select;
  }

  function mentionCard(m) {
    const head = el("div", { class: "m-head" }, [
      el("span", { class: "sent sent-" + m.sentiment, text: m.sentiment_label }),
      el("span", { class: "risk", text: "风险 " + m.risk.toFixed(0) }),
      el("span", { class: "muted", text: m.platform_label + (m.author ? " · " + m.author : "") }),
      el("span", { class: "muted", text: time(m.published_at || m.analysed_at) }),
    ]);
    const title = m.title ? el("div", { class: "m-title", text: m.title }) : null;
    const body = el("div", { class: "m-text", text: m.text.length > 160 ? m.text.slice(0, 160) + "…" : m.text });
    const probs = el("div", { class: "muted small", text:
      "负面 " + m.p_negative.toFixed(2) + " · 中性 " + m.p_neutral.toFixed(2) + " · 正面 " + m.p_positive.toFixed(2) });
    const link = m.url && /^https?:\/\//.test(m.url)
      ? el("a", { href: m.url, target: "_blank", rel: "noopener noreferrer nofollow", text: "原文" }) : null;
    return el("article", { class: "mention", dataset: { id: m.id } }, [
      head, title, body, chips(m.risk_factors.map((f) => f.label), "chip factor"),
      chips(m.sensitive_topic_labels, "chip topic"), probs,
      el("div", { class: "m-foot small" }, [link, correction(m, head.firstChild)]),
    ]);
  }

  /**
   * Copies folded into their story (转载聚合): items of one story_id become one entry showing the first
   * (in list order), how many copies the list holds, the story's size and its earliest publisher; the
   * others open on demand, each a full card (with its 更正). `card(item)` draws one; `mentionOf(item)`
   * gives the mention (search hits wrap it).
   */
  function storyGroups(items, card, mentionOf = (x) => x) {
    const groups = [];
    const byStory = new Map();
    for (const item of items) {
      const sid = mentionOf(item).story_id;
      if (sid != null && byStory.has(sid)) { byStory.get(sid).push(item); continue; }
      const g = [item];
      if (sid != null) byStory.set(sid, g);
      groups.push(g);
    }
    return groups.map((g) => {
      const m = mentionOf(g[0]);
      if (g.length === 1 && !(m.story_size > 1)) return card(g[0]);
      const size = m.story_size && m.story_size > g.length ? "，聚合共 " + m.story_size + " 条" : "";
      const first = m.story_earliest_publisher
        ? " · 最早：" + m.story_earliest_publisher + (m.story_earliest_at ? "（" + time(m.story_earliest_at) + "）" : "") : "";
      const head = el("div", { class: "group-head small" }, [
        el("strong", { text: "同一内容 " + g.length + " 条" }), el("span", { class: "muted", text: size + first }),
      ]);
      const box = el("div", { class: "mention-group", dataset: { storyId: m.story_id ?? "" } }, [head, card(g[0])]);
      if (g.length > 1) {
        const rest = el("div", { class: "group-rest", hidden: true }, g.slice(1).map(card));
        const toggle = el("button", { type: "button", class: "link-dark small", text: "展开其余 " + (g.length - 1) + " 条" });
        toggle.addEventListener("click", () => {
          rest.hidden = !rest.hidden;
          toggle.textContent = rest.hidden ? "展开其余 " + (g.length - 1) + " 条" : "收起";
        });
        box.append(toggle, rest);
      }
      return box;
    });
  }

  /** The record-response dialog, shared by the board and the incident page. */
  function actionDialog(onDone) {
    const dialog = document.getElementById("action-dialog");
    const form = document.getElementById("action-form");
    const error = document.getElementById("action-error");
    document.getElementById("action-cancel").addEventListener("click", () => dialog.close());
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const f = new FormData(form);
      const body = { kind: f.get("kind"), at: f.get("at") };
      for (const k of ["evidence_url", "place", "description"]) if (f.get(k)) body[k] = f.get(k);
      try {
        await api("POST", "/api/v1/incidents/" + f.get("incident_id") + "/actions", body);
        dialog.close();
        onDone();
      } catch (e) { error.textContent = e.message; }
    });
    return (incident) => {
      form.reset();
      error.textContent = "";
      form.elements.incident_id.value = incident.id;
      document.getElementById("action-incident-title").textContent = incident.title;
      const local = new Date(serverNow() + 8 * 3600 * 1000).toISOString().slice(0, 16); // Beijing wall time
      form.elements.at.value = local;
      form.elements.at.max = local;
      const next = incident.deadlines.find((d) => ["pending", "due_soon", "breached"].includes(d.state));
      if (next && [...form.elements.kind.options].some((o) => o.value === next.kind)) form.elements.kind.value = next.kind;
      dialog.showModal();
    };
  }

  syncClock().then(tick);
  setInterval(tick, 1000);
  if (document.getElementById("live-status")) { alarm.bind(); alarm.check(); }
  return {
    api, el, time, dueText, serverNow, hms, countdown, countdownNode, tick, live, alarm, gradeBadge, chips, mentionCard,
    actionDialog, storyGroups, correction,
  };
})();
