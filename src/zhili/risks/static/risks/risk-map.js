// Districts coloured by open red (weight 3) and orange (weight 1) risks; ECharts, offline.
(function () {
  var el = document.getElementById("risk-map");
  if (!el || !window.echarts) return;
  Promise.all([
    fetch(el.dataset.geo, { credentials: "same-origin" }).then(function (r) { return r.json(); }),
    fetch(el.dataset.src, { credentials: "same-origin" }).then(function (r) { return r.json(); })
  ]).then(function (res) {
    var geo = res[0], counts = res[1].districts || {};
    echarts.registerMap("zhili-risk", geo);
    var data = geo.features.map(function (f) {
      var c = counts[f.properties.code] || { red: 0, orange: 0 };
      return { name: f.properties.name, value: c.red * 3 + c.orange, red: c.red, orange: c.orange };
    });
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: { formatter: function (p) { var d = p.data || {}; return echarts.format.encodeHTML(p.name) + "<br>" + echarts.format.encodeHTML(el.dataset.red) + " " + (d.red || 0) + " · " + echarts.format.encodeHTML(el.dataset.orange) + " " + (d.orange || 0); } },
      visualMap: { min: 0, max: Math.max(3, Math.max.apply(null, data.map(function (d) { return d.value; }))),
        inRange: { color: ["#f1f5f9", "#fab005", "#d63939"] }, text: [el.dataset.high, el.dataset.low], calculable: true, left: 8, bottom: 8 },
      series: [{ type: "map", map: "zhili-risk", roam: true, label: { show: true, fontSize: 9 }, data: data }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
