// The metrics page's charts (ECharts, offline): daily trend, a bar per child area or unit (click to
// drill down), and a district choropleth of live overdue counts or satisfaction.
(function () {
  var dataEl = document.getElementById("metrics-data");
  if (!dataEl) return;
  var data = JSON.parse(dataEl.textContent);
  var words = data.words;  // translated by the page
  var charts = [];

  // Rows of the ranking table drill down like their link.
  document.querySelectorAll("tr.metrics-drill").forEach(function (tr) {
    tr.style.cursor = "pointer";
    tr.addEventListener("click", function (ev) {
      if (ev.target.closest("a")) return;
      window.location.href = tr.dataset.href;
    });
  });

  // Choosing a preset period clears the custom dates; typing a date selects "custom".
  var days = document.getElementById("m-days");
  var from = document.getElementById("m-from");
  var to = document.getElementById("m-to");
  if (days && from && to) {
    days.addEventListener("change", function () {
      if (days.value) { from.value = ""; to.value = ""; }
    });
    [from, to].forEach(function (input) {
      input.addEventListener("change", function () { if (input.value) days.value = ""; });
    });
  }

  if (!window.echarts) return;
  var narrow = window.matchMedia("(max-width: 576px)").matches;

  function init(id) {
    var el = document.getElementById(id);
    if (!el) return null;
    var chart = echarts.init(el);
    charts.push(chart);
    return chart;
  }

  var trend = init("metrics-trend");
  if (trend) {
    trend.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: [data.trend_label, words.closed], top: 0 },
      grid: { left: 36, right: 12, top: 32, bottom: 28 },
      xAxis: { type: "category", data: data.trend.map(function (t) { return t.day.slice(5); }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: data.trend_label, type: "line", data: data.trend.map(function (t) { return data.trend_key === "created" ? t.created : t.dispatched; }) },
        { name: words.closed, type: "line", data: data.trend.map(function (t) { return t.closed; }) }
      ]
    });
  }

  var bars = init("metrics-bars");
  if (bars) {
    // Rows with something to show, at most 30 (the table below lists them all).
    var rows = data.rows.filter(function (r) { return r.volume || r.closed || r.overdue; }).slice(0, 30);
    bars.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { data: [data.volume_label, words.closed, words.overdue], top: 0 },
      grid: { left: narrow ? 84 : 120, right: 12, top: 32, bottom: 20 },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: {
        type: "category", inverse: true,
        data: rows.map(function (r) { return r.name; }),
        axisLabel: { width: narrow ? 76 : 112, overflow: "truncate" }
      },
      series: [
        { name: data.volume_label, type: "bar", data: rows.map(function (r) { return r.volume; }) },
        { name: words.closed, type: "bar", data: rows.map(function (r) { return r.closed; }) },
        { name: words.overdue, type: "bar", data: rows.map(function (r) { return r.overdue; }) }
      ]
    });
    bars.getDom().style.height = Math.max(280, 60 + rows.length * 28) + "px";
    bars.resize();
    bars.on("click", function (p) {
      var row = rows[p.dataIndex];
      if (row && row.url) window.location.href = row.url;
    });
  }

  var mapEl = document.getElementById("metrics-map");
  if (mapEl && data.districts.length) {
    fetch(data.geojson, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (geo) {
        echarts.registerMap("zhili-metrics-districts", geo);
        var map = init("metrics-map");
        var byName = {};
        data.districts.forEach(function (d) { byName[d.name] = d; });
        function draw(measure) {
          var values = geo.features.map(function (f) {
            var d = byName[f.properties.name];
            var v = null;
            if (d) v = measure === "overdue" ? d.overdue : (d.satisfaction === null ? null : Math.round(d.satisfaction * 1000) / 10);
            return { name: f.properties.name, value: v };
          });
          var known = values.map(function (v) { return v.value; }).filter(function (v) { return v !== null; });
          var max = measure === "overdue" ? Math.max(1, Math.max.apply(null, known.concat([0]))) : 100;
          map.setOption({
            tooltip: {
              trigger: "item",
              formatter: function (p) {
                var name = echarts.format.encodeHTML(p.name);  // area names are data: never HTML
                if (p.value === undefined || p.value === null || isNaN(p.value)) return name + ": " + words.no_data;
                return name + ": " + p.value + (measure === "overdue" ? words.unit : "%");
              }
            },
            visualMap: {
              min: measure === "overdue" ? 0 : Math.min.apply(null, known.concat([80])),
              max: max, calculable: true, left: 8, bottom: 8, itemHeight: narrow ? 80 : 120,
              text: measure === "overdue" ? [words.many, words.few] : [words.high, words.low],
              inRange: { color: measure === "overdue" ? ["#fff5f5", "#d63939"] : ["#fff4e6", "#2fb344"] }
            },
            series: [{
              type: "map", map: "zhili-metrics-districts", roam: true,
              label: { show: !narrow, fontSize: 9 },
              itemStyle: { borderColor: "#206bc4", areaColor: "#f1f3f5" },
              data: values
            }]
          }, true);
        }
        draw("overdue");
        document.querySelectorAll("[data-map-measure]").forEach(function (btn) {
          btn.addEventListener("click", function () {
            document.querySelectorAll("[data-map-measure]").forEach(function (b) { b.classList.remove("active"); });
            btn.classList.add("active");
            draw(btn.dataset.mapMeasure);
          });
        });
      });
  }

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
