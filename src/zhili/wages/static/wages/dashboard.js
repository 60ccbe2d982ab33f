// 欠薪看板: open red and yellow warnings per district (data from the page, ECharts served locally).
(function () {
  var el = document.getElementById("wages-chart");
  var data = JSON.parse(document.getElementById("wages-data").textContent);
  if (!el || !window.echarts) return;
  // The series names come translated from the page (data-red, data-yellow).
  var red = el.dataset.red || "红色预警", yellow = el.dataset.yellow || "黄色预警";
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: [red, yellow] },
    grid: { left: 40, right: 16, bottom: 60, containLabel: true },
    xAxis: { type: "category", data: data.districts, axisLabel: { rotate: 40 } },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: red, type: "bar", stack: "w", data: data.red, itemStyle: { color: "#d63939" } },
      { name: yellow, type: "bar", stack: "w", data: data.yellow, itemStyle: { color: "#f59f00" } }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
