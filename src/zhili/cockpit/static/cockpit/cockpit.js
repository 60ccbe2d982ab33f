// The cockpit's charts (ECharts, served locally): a district choropleth of a chosen figure (the
// city level, where district polygons exist) or bars per child area, camera points on the map,
// and the trends. Area names and labels are escaped before they reach a tooltip's HTML.
(function () {
  var el = document.getElementById("cockpit-data");
  if (!el || !window.echarts) return;
  var data = JSON.parse(el.textContent);
  var dark = document.body.classList.contains("cockpit-screen");
  var theme = dark ? "dark" : null;
  var charts = [];

  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function shown(f, v) {
    if (v === null || v === undefined) return "—";
    if (f.kind === "rate") return (v * 100).toFixed(1) + "%";
    return String(Math.round(v * 100) / 100) + (f.unit ? " " + f.unit : "");
  }
  function init(id) {
    var node = document.getElementById(id);
    if (!node) return null;
    var c = echarts.init(node, theme);
    charts.push(c);
    return c;
  }

  var figures = [];
  data.sections.forEach(function (s) {
    s.figures.forEach(function (f) { if (f.map) figures.push({ section: s.title, f: f }); });
  });
  var select = document.getElementById("cockpit-map-figure");
  if (select) {
    figures.forEach(function (x, i) {
      var o = document.createElement("option");
      o.value = String(i);
      o.textContent = x.section + " · " + x.f.label;
      select.appendChild(o);
    });
  }
  var names = {};
  data.children.forEach(function (c) { names[c.code] = c.name; });
  var map = init("cockpit-map");
  var geo = null;
  var isCity = data.area.level === "city";

  function drill(code) {
    if (!code) return;
    var params = new URLSearchParams(window.location.search);
    params.set("area", code);
    window.location.href = window.location.pathname + "?" + params.toString();
  }

  function draw() {
    if (!map || !figures.length) return;
    var x = figures[Number(select ? select.value : 0) || 0];
    var f = x.f;
    var cams = (data.cameras || []).map(function (p) {
      return { name: p.name, value: [p.lng, p.lat], status: p.status_label, owner: p.owner };
    });
    if (isCity && geo) {
      var values = geo.features.map(function (feat) {
        var code = feat.properties.code;
        var v = f.children[code];
        return { name: feat.properties.name, code: code, value: v === undefined ? null : v };
      });
      var known = values.map(function (v) { return v.value; }).filter(function (v) { return v !== null; });
      map.setOption({
        backgroundColor: "transparent",
        tooltip: {
          trigger: "item",
          formatter: function (p) {
            if (p.seriesType === "scatter") {
              return esc(document.getElementById("cockpit-map").dataset.cameras) + " · " + esc(p.name) + "<br>" + esc(p.data.status) + " · " + esc(p.data.owner);
            }
            return esc(p.name) + "<br>" + esc(f.label) + "：" + esc(shown(f, p.data ? p.data.value : null));
          }
        },
        visualMap: {
          min: known.length ? Math.min.apply(null, known) : 0,
          max: known.length ? Math.max.apply(null, known) || 1 : 1,
          left: 8, bottom: 8, calculable: true,
          inRange: { color: f.higher_is_better ? ["#fde0dd", "#2fb344"] : ["#e8f5e9", "#d63939"] },
          textStyle: { color: dark ? "#dbe6ff" : "#333" }
        },
        geo: { map: "zhili-cockpit", roam: true, silent: true, itemStyle: { areaColor: "transparent" } },
        series: [
          { type: "map", map: "zhili-cockpit", geoIndex: 0, data: values, nameProperty: "name" },
          { type: "scatter", coordinateSystem: "geo", data: cams, symbolSize: 6, itemStyle: { color: "#4fd1ff" } }
        ]
      }, true);
      map.off("click");
      map.on("click", function (p) { if (p.seriesType === "map" && p.data) drill(p.data.code); });
      return;
    }
    var rows = data.children.map(function (c) {
      var v = f.children[c.code];
      return { code: c.code, name: c.name, value: v === undefined ? (f.kind === "count" ? 0 : null) : v };
    }).slice(0, 40);
    map.setOption({
      backgroundColor: "transparent",
      tooltip: { trigger: "item", formatter: function (p) { return esc(p.name) + "<br>" + esc(f.label) + "：" + esc(shown(f, p.value)); } },
      grid: { left: 90, right: 16, top: 16, bottom: 24 },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: { width: 80, overflow: "truncate" } },
      series: [{ type: "bar", data: rows.map(function (r) { return { value: r.value, code: r.code }; }) }]
    }, true);
    map.off("click");
    map.on("click", function (p) { if (p.data) drill(p.data.code); });
  }

  if (select) select.addEventListener("change", draw);
  if (map && isCity) {
    fetch(data.geojson, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (g) {
        if (g && g.features && g.features.length) { geo = g; echarts.registerMap("zhili-cockpit", g); }
        draw();
      })
      .catch(draw);
  } else {
    draw();
  }

  // Trends: series sharing an axis form a group (the matters' days, the indicators' months);
  // with more than one group a select beside the chart switches between them.
  var trend = init("cockpit-trend");
  if (trend) {
    var groups = [];
    data.sections.forEach(function (s) {
      s.trends.forEach(function (t) {
        if (!t.points.length) return;
        var axis = t.points.map(function (p) { return p[0]; });
        var key = axis.join("|");
        var group = groups.filter(function (g) { return g.key === key; })[0];
        if (!group) {
          group = { key: key, axis: axis, title: s.title, series: [] };
          groups.push(group);
        }
        group.series.push({ name: s.title + "·" + t.label, type: "line", data: t.points.map(function (p) { return p[1]; }) });
      });
    });
    var drawTrend = function (i) {
      var g = groups[i] || { axis: [], series: [] };
      trend.setOption({
        backgroundColor: "transparent",
        tooltip: { trigger: "axis" },
        // Left of the period's choice, which sits in the top right corner when there are several.
        legend: { top: 0, left: 8, right: groups.length > 1 ? 280 : 8, type: "scroll" },
        grid: { left: 40, right: 16, top: 36, bottom: 28 },
        xAxis: { type: "category", data: g.axis },
        yAxis: { type: "value", minInterval: 1 },
        series: g.series
      }, true);
    };
    if (groups.length > 1) {
      var pick = document.createElement("select");
      pick.id = "cockpit-trend-group";
      pick.className = "form-select form-select-sm cockpit-select";
      var trendNode = document.getElementById("cockpit-trend");
      pick.setAttribute("aria-label", trendNode.dataset.pick);
      groups.forEach(function (g, i) {
        var o = document.createElement("option");
        o.value = String(i);
        o.textContent = g.title + trendNode.dataset.since.replace("{start}", g.axis[0]);
        pick.appendChild(o);
      });
      var holder = document.getElementById("cockpit-trend");
      holder.parentNode.insertBefore(pick, holder);
      pick.addEventListener("change", function () { drawTrend(Number(pick.value)); });
    }
    drawTrend(0);
  }

  var clock = document.getElementById("screen-clock");
  if (clock) {
    // The city's time, as the period above it is (a screen's own clock may be set to another zone).
    var tick = function () { clock.textContent = new Date().toLocaleTimeString("zh-CN", { hour12: false, timeZone: "Asia/Shanghai" }); };
    tick();
    setInterval(tick, 1000);
  }
  // The wall screen: no one scrolls it, so a card column taller than the screen scrolls itself,
  // slowly down, a pause at each end, and back to the top (every section is shown in turn).
  var column = document.querySelector(".cockpit-screen .screen-cards");
  if (column) {
    var pause = 0;
    setInterval(function () {
      var room = column.scrollHeight - column.clientHeight;
      if (room <= 0) { return; }
      if (pause > 0) { pause -= 1; return; }
      if (column.scrollTop >= room - 1) { column.scrollTop = 0; pause = 100; return; }
      column.scrollTop += 1;
      if (column.scrollTop >= room - 1) { pause = 100; }
    }, 50);
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
