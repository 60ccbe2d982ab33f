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

// Pickers (core.pickers): an <input data-picker="area|people"> gets a 选择 button and a panel of
// choices read from /api/v1/pick/…; typing searches, 下级 walks down the area tree. The input
// keeps a plain text value ("上级 · 名称（代码）", "姓名（账号）") that the server resolves again,
// so without this script the same input takes a typed name or code.
(function () {
  "use strict";

  var TEXTS = {
    pick: "选择", down: "下级", up: "返回上级", empty: "没有找到，请换个名称或代码",
    failed: "加载失败，可直接输入名称或代码", login: "登录已过期，请重新登录", close: "关闭"
  };

  function texts(input) {
    try {
      return Object.assign({}, TEXTS, JSON.parse(input.dataset.pickerTexts || "{}"));
    } catch (e) {
      return TEXTS;
    }
  }

  function url(input, q, parent) {
    var params = new URLSearchParams();
    var base;
    if (input.dataset.picker === "area") {
      base = "/api/v1/pick/areas";
      params.set("for", input.dataset.pickerFor || "");
      if (input.dataset.pickerLevels) params.set("levels", input.dataset.pickerLevels);
      if (parent) params.set("parent", parent);
    } else {
      base = "/api/v1/pick/people/" + encodeURIComponent(input.dataset.pickerKind || "");
      if (input.dataset.pickerArea) params.set("area", input.dataset.pickerArea);
      var unit = input.dataset.pickerUnit && document.getElementById(input.dataset.pickerUnit);
      if (unit && unit.value) params.set("unit", unit.value);
    }
    if (q) params.set("q", q);
    return base + "?" + params.toString();
  }

  function setup(input) {
    if (input.dataset.pickerReady) return;
    input.dataset.pickerReady = "1";
    var t = texts(input);
    var wrap = document.createElement("div");
    wrap.className = "picker";
    input.parentNode.insertBefore(wrap, input);
    var row = document.createElement("div");
    row.className = "input-group";
    wrap.appendChild(row);
    row.appendChild(input);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn picker-open";
    button.textContent = t.pick;
    row.appendChild(button);
    var panel = document.createElement("div");
    panel.className = "picker-panel card";
    panel.hidden = true;
    panel.id = (input.id || input.name) + "-picker";
    panel.setAttribute("role", "region");
    panel.setAttribute("aria-label", t.pick);
    wrap.appendChild(panel);
    button.setAttribute("aria-controls", panel.id);
    button.setAttribute("aria-expanded", "false");
    var trail = []; // the areas walked down through: [{code, label}]
    var timer = null;
    var asked = 0;

    function open(on) {
      panel.hidden = !on;
      button.setAttribute("aria-expanded", on ? "true" : "false");
    }

    function line(text, cls) {
      var p = document.createElement("div");
      p.className = "picker-note " + (cls || "text-secondary");
      p.setAttribute("role", cls === "text-danger" ? "alert" : "status");
      p.textContent = text;
      return p;
    }

    function choose(item) {
      input.value = item.value;
      input.setCustomValidity("");
      input.dispatchEvent(new Event("change", { bubbles: true }));
      open(false);
      trail = [];
    }

    function render(data) {
      var list = document.createElement("div");
      list.className = "list-group list-group-flush";
      if (trail.length) {
        var up = document.createElement("button");
        up.type = "button";
        up.className = "list-group-item list-group-item-action picker-up";
        up.textContent = "‹ " + t.up + " · " + trail[trail.length - 1].label;
        up.addEventListener("click", function () {
          trail.pop();
          load("", trail.length ? trail[trail.length - 1].code : "");
        });
        list.appendChild(up);
      }
      (data.items || []).forEach(function (item) {
        var entry = document.createElement("div");
        entry.className = "list-group-item picker-item";
        var pick = document.createElement("button");
        pick.type = "button";
        pick.className = "picker-choice";
        pick.textContent = item.label || item.name;
        var small = document.createElement("small");
        small.className = "text-secondary ms-2";
        small.textContent = item.level_label || item.unit || item.username || "";
        pick.appendChild(small);
        var selectable = item.selectable !== false;
        if (selectable) {
          pick.addEventListener("click", function () { choose(item); });
        } else {
          pick.disabled = !item.has_children;
        }
        entry.appendChild(pick);
        if (item.has_children) {
          var down = document.createElement("button");
          down.type = "button";
          down.className = "btn btn-sm picker-down";
          down.textContent = t.down + " ›";
          down.setAttribute("aria-label", t.down + "：" + item.name);
          var walk = function () {
            trail.push({ code: item.code, label: item.name });
            load("", item.code);
          };
          down.addEventListener("click", walk);
          if (!selectable) pick.addEventListener("click", walk);
          entry.appendChild(down);
        }
        list.appendChild(entry);
      });
      panel.replaceChildren(list);
      if (!(data.items || []).length) panel.appendChild(line(t.empty));
    }

    function load(q, parent) {
      var mine = ++asked;
      open(true);
      fetch(url(input, q, parent), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (mine !== asked) return null;
          if (response.status === 401) throw new Error(t.login);
          if (!response.ok) {
            return response.json().then(
              function (body) { throw new Error(body.message || t.failed); },
              function () { throw new Error(t.failed); }
            );
          }
          return response.json();
        })
        .then(function (data) { if (data && mine === asked) render(data); })
        .catch(function (error) {
          if (mine !== asked) return;
          panel.replaceChildren(line(error.message || t.failed, "text-danger"));
        });
    }

    button.addEventListener("click", function () {
      if (!panel.hidden) { open(false); return; }
      trail = [];
      var typed = input.value.trim();
      // A picked value ("…（代码）") is not a search: show the tree again.
      load(/[（(][0-9A-Za-z_.-]+[)）]$/.test(typed) ? "" : typed, "");
    });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      timer = setTimeout(function () {
        trail = [];
        if (q) load(q, ""); else open(false);
      }, 250);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") open(false);
    });
    document.addEventListener("click", function (event) {
      if (!wrap.contains(event.target)) open(false);
    });
  }

  function setupAll(root) {
    (root || document).querySelectorAll("input[data-picker]").forEach(setup);
  }
  setupAll(document);
  document.addEventListener("htmx:afterSwap", function (event) { setupAll(event.target); });
})();
