// Draws the complaint statistics: a line over months, bars for the other groupings. The tables on the page hold
// the same figures.
(function () {
  var data = JSON.parse(document.getElementById('complaint-data').textContent);
  data.charts.forEach(function (chart, i) {
    var el = document.getElementById('complaint-chart-' + i);
    if (!el) return;
    var groups = chart.groups.slice(0, 40);
    var monthly = chart.group_by === 'month';
    echarts.init(el).setOption({
      tooltip: { trigger: 'axis' },
      grid: { left: 50, right: 20, top: 20, bottom: monthly ? 30 : 70 },
      xAxis: { type: 'category', data: groups.map(function (g) { return g.label; }),
               axisLabel: { rotate: monthly ? 0 : 40, interval: 0 } },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ type: monthly ? 'line' : 'bar', data: groups.map(function (g) { return g.count; }),
                 itemStyle: { color: '#5470c6' } }]
    });
  });
})();
