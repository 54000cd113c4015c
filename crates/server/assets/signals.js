// Draws each temporal signal's weekly series against the threshold the detector set for each week; the table on
// the page holds the same alarms.
(function () {
  var data = JSON.parse(document.getElementById('signal-data').textContent);
  data.charts.forEach(function (series, i) {
    var el = document.getElementById('signal-chart-' + i);
    if (!el) return;
    var chart = echarts.init(el);
    chart.setOption({
      title: { text: series.title, left: 'center', textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'axis' },
      legend: { data: [data.observed, data.expected, data.upper], bottom: 0 },
      grid: { left: 40, right: 20, top: 40, bottom: 50 },
      xAxis: { type: 'category', data: series.weeks },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: data.observed, type: 'bar', data: series.observed.map(function (v, k) {
            return { value: v, itemStyle: { color: series.alarm[k] ? '#b42318' : '#5470c6' } }; }) },
        { name: data.expected, type: 'line', data: series.expected, symbol: 'none', lineStyle: { type: 'dotted' } },
        { name: data.upper, type: 'line', data: series.upper, symbol: 'none', lineStyle: { color: '#b42318', type: 'dashed' } }
      ]
    });
  });
})();
