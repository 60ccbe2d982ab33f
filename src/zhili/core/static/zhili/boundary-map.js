// District boundaries drawn with ECharts from the server's GeoJSON (no tile server, works offline).
(function () {
  "use strict";
  var el = document.getElementById("boundary-map");
  if (!el || !window.echarts) return;

  function say(text) {
    el.classList.add("map-empty", "text-secondary");
    el.textContent = text;
  }

  // On a touch screen a draggable map traps the finger that wants to scroll the page.
  var coarse = window.matchMedia && window.matchMedia("(pointer: coarse)").matches;

  fetch(el.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    })
    .then(function (geo) {
      if (!geo.features || !geo.features.length) {
        say(el.dataset.empty || "您的管辖范围内没有边界。");
        return;
      }
      echarts.registerMap("zhili-districts", geo);
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption({
        tooltip: { trigger: "item", formatter: function (p) { return echarts.format.encodeHTML(p.name); } },
        series: [{
          type: "map", map: "zhili-districts", roam: !coarse,
          layoutCenter: ["50%", "50%"], layoutSize: "100%",
          label: { show: true, fontSize: 9, color: "#1d273b" },
          labelLayout: { hideOverlap: true },
          itemStyle: { areaColor: "#e8f0fe", borderColor: "#206bc4" },
          emphasis: { itemStyle: { areaColor: "#fab005" }, label: { show: true } },
          select: { disabled: true },
          data: geo.features.map(function (f) {
            return { name: f.properties.name, code: f.properties.code };
          })
        }]
      });
      // A tap or click on a district opens its page.
      chart.on("click", function (p) {
        if (p.data && p.data.code && el.dataset.detail) {
          window.location.assign(el.dataset.detail.replace("CODE", encodeURIComponent(p.data.code)));
        }
      });
      el.dataset.ready = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    })
    .catch(function () { say(el.dataset.error || "地图加载失败。"); });
})();
