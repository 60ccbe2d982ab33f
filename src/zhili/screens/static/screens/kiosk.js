// The kiosk: rotate the slides on a timer, refresh them from the server now and then, and keep
// showing the last ones when the network is down (the page needs nothing else to run).
(function () {
  var stage = document.getElementById("kiosk-stage");
  var dots = document.getElementById("kiosk-dots");
  var config = JSON.parse(document.getElementById("kiosk-config").textContent);
  var index = 0;
  var timer = null;

  function slides() { return Array.prototype.slice.call(stage.querySelectorAll(".kiosk-slide")); }

  function drawDots() {
    dots.textContent = "";
    slides().forEach(function (_, i) {
      var d = document.createElement("span");
      if (i === index) d.className = "on";
      dots.appendChild(d);
    });
  }

  function show(i) {
    var all = slides();
    if (!all.length) return;
    index = i % all.length;
    all.forEach(function (s, j) { s.classList.toggle("active", j === index); });
    drawDots();
    clearTimeout(timer);
    var seconds = Number(all[index].dataset.seconds) || 15;
    timer = setTimeout(function () { show(index + 1); }, seconds * 1000);
  }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  function render(list) {
    if (!list.length) return;
    var frag = document.createDocumentFragment();
    list.forEach(function (s) {
      var sec = el("section", undefined, "kiosk-slide");
      sec.dataset.seconds = String(s.seconds || 15);
      sec.dataset.key = s.key;
      sec.appendChild(el("h1", s.title));
      (s.lines || []).forEach(function (line) { sec.appendChild(el("p", line)); });
      if (s.rows && s.rows.length) {
        var table = el("table");
        s.rows.forEach(function (r, i) {
          var tr = el("tr");
          r.forEach(function (c) { tr.appendChild(el(i === 0 ? "th" : "td", c)); });
          table.appendChild(tr);
        });
        sec.appendChild(table);
      }
      if (s.qr) {
        var fig = el("figure", undefined, "kiosk-qr");
        var img = el("img");
        img.src = s.qr;
        img.alt = "";
        fig.appendChild(img);
        fig.appendChild(el("figcaption", s.link));
        sec.appendChild(fig);
      }
      if (s.footer) sec.appendChild(el("footer", s.footer));
      frag.appendChild(sec);
    });
    stage.textContent = "";
    stage.appendChild(frag);
    show(0);
  }

  function poll() {
    fetch(config.url, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data && data.slides) render(data.slides); })
      .catch(function () { /* offline: keep the slides we have */ });
  }

  var clock = document.getElementById("kiosk-clock");
  function tick() {
    var now = new Date();
    clock.textContent = now.toLocaleDateString("zh-CN") + " " + now.toLocaleTimeString("zh-CN", { hour12: false, hour: "2-digit", minute: "2-digit" });
  }
  tick();
  setInterval(tick, 15000);
  show(0);
  setInterval(poll, (config.poll || 120) * 1000);
  // A cold reload while offline is served by the service worker (https or localhost only).
  if (config.sw && "serviceWorker" in navigator) {
    navigator.serviceWorker.register(config.sw).catch(function () { /* http on an IP: none */ });
  }
})();
