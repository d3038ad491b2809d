/* 管理 page: revoke a token, log a user out everywhere. Requests carry the X-Yuqing-Request header
   (YQ.api in common.js); the lists are rendered by the server, autoescaped. */
"use strict";

(() => {
  const { api } = YQ;
  const liveBadge = document.getElementById("live-status");
  if (liveBadge) liveBadge.hidden = true;
  const error = document.getElementById("admin-error");
  const bind = (selector, path, confirmText) => document.querySelectorAll(selector).forEach((b) =>
    b.addEventListener("click", async () => {
      if (!confirm(confirmText)) return;
      b.disabled = true;
      try { await api("POST", path(b.dataset)); location.reload(); }
      catch (e) { error.textContent = e.message; b.disabled = false; }
    }));
  bind(".revoke-btn", (d) => "/api/v1/tokens/" + d.tokenId + "/revoke", "吊销该令牌？使用它的脚本将立即失效。");
  bind(".logout-btn", (d) => "/api/v1/users/" + d.userId + "/logout", "让该用户在所有浏览器上退出登录？");
})();
