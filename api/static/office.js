/* The press office pages (工单、通知、报告): forms that change things through /api/v1.
   Lists are rendered by the server (autoescaped); countdowns are repainted by common.js.
   Every request carries the X-Yuqing-Request header (YQ.api; upload() below for files). */
"use strict";

(() => {
  const { api } = YQ;
  const liveBadge = document.getElementById("live-status");
  if (liveBadge) liveBadge.hidden = true; // these pages do not stream; the badge would say "连接中" forever
  const $ = (id) => document.getElementById(id);
  const CSRF = document.querySelector('meta[name="csrf-header"]')?.content || "X-Yuqing-Request";

  /** Beijing wall time now, as a datetime-local value (YYYY-MM-DDTHH:MM). */
  const beijingNow = () => new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 16);

  /** The detail of a refusal as one sentence (FastAPI errors, or our {message, errors}). */
  function message(detail, status) {
    if (!detail) return "请求失败（" + status + "）";
    if (typeof detail === "string") return detail;
    if (Array.isArray(detail)) return detail.map((d) => (d.loc || []).slice(-1)[0] + "：" + d.msg).join("；");
    const lines = (detail.errors || []).map((e) => "第 " + e.line + " 行：" + e.message);
    return [detail.message || "", ...lines].filter(Boolean).join("\n");
  }

  async function upload(path, formData) {
    const res = await fetch(path, {
      method: "POST", body: formData, credentials: "same-origin",
      headers: { Accept: "application/json", [CSRF]: "1" },
    });
    if (res.status === 401) { location.href = "/login?next=" + encodeURIComponent(location.pathname); return null; }
    const data = res.headers.get("content-type")?.includes("json") ? await res.json() : null;
    if (!res.ok) throw new Error(message(data && data.detail, res.status));
    return data;
  }

  /** Submit handler: build the body, call the API, show the error in `errorId` or reload. */
  function onSubmit(formId, errorId, send) {
    const form = $(formId);
    if (!form) return;
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const button = form.querySelector("button[type=submit]");
      $(errorId).textContent = "";
      if (button) button.disabled = true;
      try {
        if ((await send(new FormData(form), form)) !== false) location.reload();
      } catch (e) {
        $(errorId).textContent = e.message;
      } finally {
        if (button) button.disabled = false;
      }
    });
  }

  const optional = (f, keys) => Object.fromEntries(keys.filter((k) => f.get(k)).map((k) => [k, f.get(k)]));

  // 工单: create a case, record a reply, import a CSV.
  onSubmit("case-form", "case-error", (f) => api("POST", "/api/v1/cases", {
    kind: f.get("kind"), title: f.get("title"), received_at: f.get("received_at"), complex: f.get("complex") === "1",
    ...optional(f, ["body", "channel", "contact", "external_ref"]),
  }));

  const replyDialog = $("reply-dialog");
  if (replyDialog) {
    const form = $("reply-form");
    $("reply-cancel").addEventListener("click", () => replyDialog.close());
    document.querySelectorAll(".reply-btn").forEach((b) => b.addEventListener("click", () => {
      form.reset();
      $("reply-error").textContent = "";
      form.elements.case_id.value = b.dataset.caseId;
      form.elements.kind.value = b.dataset.actionKind;
      $("reply-case-title").textContent = b.dataset.title;
      form.elements.at.value = form.elements.at.max = beijingNow();
      replyDialog.showModal();
    }));
    onSubmit("reply-form", "reply-error", (f) => api("POST", "/api/v1/cases/" + f.get("case_id") + "/actions", {
      kind: f.get("kind"), at: f.get("at"), ...optional(f, ["evidence_url", "description"]),
    }));
  }

  onSubmit("import-form", "import-error", async (f) => {
    const r = await upload("/api/v1/cases/import", f);
    if (!r) return false;
    const refused = r.refused.map((e) => "第 " + e.line + " 行未导入：" + e.message);
    $("import-result").textContent = ["已导入 " + r.created.length + " 条事项", ...refused].join("\n");
    if (refused.length) return false; // keep the refusals on screen; the imported rows show on reload
  });

  // 通知: silences and dead letters.
  onSubmit("silence-form", "silence-error", (f) => {
    const raw = String(f.get("value")).trim();
    const matcher = { [f.get("field")]: /^\d+$/.test(raw) ? Number(raw) : raw };
    if (f.get("press_only")) matcher.audience = "press"; // only leaders may mute notices to leadership
    return api("POST", "/api/v1/silences", {
      matcher,
      starts_at: f.get("starts_at"), ends_at: f.get("ends_at"), reason: f.get("reason"),
    });
  });

  const buttonAction = (selector, path, confirmText) => document.querySelectorAll(selector).forEach((b) =>
    b.addEventListener("click", async () => {
      if (confirmText && !confirm(confirmText)) return;
      b.disabled = true;
      try { await api("POST", path(b.dataset)); location.reload(); }
      catch (e) { $("notify-error").textContent = e.message; b.disabled = false; }
    }));
  buttonAction(".expire-btn", (d) => "/api/v1/silences/" + d.silenceId + "/expire", "提前结束该静默？");
  buttonAction(".retry-btn", (d) => "/api/v1/notifications/" + d.notificationId + "/retry");

  // 报告: generate today's briefing.
  const generate = $("generate-briefing");
  if (generate) generate.addEventListener("click", async () => {
    generate.disabled = true;
    $("report-error").textContent = "";
    $("report-status").textContent = "正在生成…";
    try { await api("POST", "/api/v1/reports/briefings"); location.reload(); }
    catch (e) { $("report-error").textContent = e.message; $("report-status").textContent = ""; generate.disabled = false; }
  });
})();
