// The 打表 table: mark the cell whose history is open, close the side panel (button or Esc).
(function () {
  "use strict";
  var panel = document.getElementById("cell-panel");
  var table = document.getElementById("tt");
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
  // On a phone the filters fold away unless some are in use, so the table comes first.
  var box = document.getElementById("table-filters-box");
  if (box && window.matchMedia("(max-width: 576px)").matches && !window.location.search) {
    box.removeAttribute("open");
  }
  if (!panel) return;
  function close() {
    panel.innerHTML = "";
    var sel = document.querySelector(".tt td.sel");
    if (sel) { sel.classList.remove("sel"); var a = sel.querySelector("a"); if (a) a.focus(); }
  }
  if (table) {
    table.addEventListener("click", function (e) {
      var a = e.target.closest("td > a");
      if (!a) return;
      var old = document.querySelector(".tt td.sel");
      if (old) old.classList.remove("sel");
      a.parentElement.classList.add("sel");
    });
  }
  panel.addEventListener("click", function (e) {
    if (e.target.closest("[data-close-panel]")) { e.preventDefault(); close(); }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && panel.innerHTML.trim()) close();
  });
  document.body.addEventListener("htmx:afterSwap", function (e) {
    if (e.detail.target === panel) {
      var h = panel.querySelector("h2, h3");
      if (h) { h.setAttribute("tabindex", "-1"); h.focus(); }
    }
  });
})();
