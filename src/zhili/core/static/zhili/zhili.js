// Zhili's small page behaviours. Loaded with the CSP nonce; no inline handlers, no eval
// (htmx's hx-on needs 'unsafe-eval', which the CSP forbids, so behaviour lives here).
(function () {
  "use strict";

  // Destructive forms ask first: <form data-confirm="确定删除…？">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });

  // Area tree: the first click loads the children once (hx-trigger="click once");
  // every click toggles them open or closed.
  function setTreeOpen(button, open) {
    var list = document.getElementById(button.getAttribute("aria-controls"));
    if (!list) return;
    list.hidden = !open;
    button.setAttribute("aria-expanded", open ? "true" : "false");
    var label = button.dataset[open ? "labelClose" : "labelOpen"];
    if (label) button.setAttribute("aria-label", label);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".tree-toggle[aria-controls]");
    if (!button) return;
    if (button.dataset.retry) {
      delete button.dataset.retry;
      setTreeOpen(button, true);
      return;
    }
    setTreeOpen(button, button.getAttribute("aria-expanded") !== "true");
  });

  function inTree(elt) {
    return elt && elt.classList && elt.classList.contains("tree-toggle");
  }

  function showTreeError(button, message) {
    var list = document.getElementById(button.getAttribute("aria-controls"));
    if (!list) return;
    var item = document.createElement("li");
    item.className = "text-danger small";
    item.setAttribute("role", "alert");
    item.textContent = message;
    list.replaceChildren(item);
    // Let the next click try again (and keep the list open while it does).
    button.dataset.retry = "1";
    button.removeAttribute("hx-trigger");
    button.setAttribute("hx-trigger", "click");
    if (window.htmx) window.htmx.process(button);
  }

  // A session that expired meanwhile: htmx followed the redirect to the login page. Go there
  // as a whole page instead of pasting the login form into the tree.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr || !xhr.responseURL) return;
    var url = new URL(xhr.responseURL);
    if (url.pathname.replace(/\/$/, "") === "/login") {
      event.preventDefault();
      window.location.assign("/login/?next=" + encodeURIComponent(window.location.pathname + window.location.search));
    }
  });

  document.addEventListener("htmx:responseError", function (event) {
    if (!inTree(event.detail.elt)) return;
    var status = event.detail.xhr.status;
    var say = document.body.dataset;  // the words, translated by base.html (data-msg-*)
    showTreeError(event.detail.elt, status === 404
      ? say.msgTreeMissing || "该区域不存在或不在您的管辖范围内"
      : (say.msgTreeFailed || "加载失败（{status}），请点击重试").replace("{status}", status));
  });

  document.addEventListener("htmx:sendError", function (event) {
    if (inTree(event.detail.elt)) showTreeError(event.detail.elt, document.body.dataset.msgNetwork || "网络连接失败，请点击重试");
  });
})();
