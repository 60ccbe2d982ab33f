// District boundaries drawn with ECharts from the server's GeoJSON (no tile server, works offline).
(function () {
  var el = document.getElementById("boundary-map");
  if (!el || !window.echarts) return;
  fetch(el.dataset.src, { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (geo) {
      echarts.registerMap("zhili-districts", geo);
      var chart = echarts.init(el);
      chart.setOption({
        tooltip: { trigger: "item", formatter: function (p) { return p.name; } },
        series: [{
          type: "map", map: "zhili-districts", roam: true,
          label: { show: true, fontSize: 9 },
          itemStyle: { areaColor: "#e8f0fe", borderColor: "#206bc4" },
          emphasis: { itemStyle: { areaColor: "#fab005" } },
          data: geo.features.map(function (f) { return { name: f.properties.name }; })
        }]
      });
      window.addEventListener("resize", function () { chart.resize(); });
    });
})();
