// 欠薪看板: open red and yellow warnings per district (data from the page, ECharts served locally).
(function () {
  var el = document.getElementById("wages-chart");
  var data = JSON.parse(document.getElementById("wages-data").textContent);
  if (!el || !window.echarts) return;
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: ["红色预警", "黄色预警"] },
    grid: { left: 40, right: 16, bottom: 60, containLabel: true },
    xAxis: { type: "category", data: data.districts, axisLabel: { rotate: 40 } },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: "红色预警", type: "bar", stack: "w", data: data.red, itemStyle: { color: "#d63939" } },
      { name: "黄色预警", type: "bar", stack: "w", data: data.yellow, itemStyle: { color: "#f59f00" } }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
