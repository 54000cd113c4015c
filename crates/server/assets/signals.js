// Draws each temporal signal's weekly series with what the detector expected each week, and either the count at
// which the week would alarm (Farrington, EARS C1/C2) or, on a second axis, the detector's statistic and its
// alarm level (CUSUM, EWMA, GLR, EARS C3). The table on the page holds the same alarms.
(function () {
  var data = JSON.parse(document.getElementById('signal-data').textContent);
  data.charts.forEach(function (series, i) {
    var el = document.getElementById('signal-chart-' + i);
    if (!el) return;
    var onCounts = series.upper.some(function (v) { return v !== null; });
    var lines = [
      { name: data.observed, type: 'bar', data: series.observed.map(function (v, k) {
          return { value: v, itemStyle: { color: series.alarm[k] ? '#b42318' : '#5470c6' } }; }) },
      { name: data.expected, type: 'line', data: series.expected, symbol: 'none', lineStyle: { type: 'dotted' } }
    ];
    var axes = [{ type: 'value', minInterval: 1 }];
    if (onCounts) {
      lines.push({ name: data.upper, type: 'line', data: series.upper, symbol: 'none', lineStyle: { color: '#b42318', type: 'dashed' } });
    } else {
      axes.push({ type: 'value', splitLine: { show: false } });
      lines.push({ name: data.statistic, type: 'line', yAxisIndex: 1, data: series.statistic, symbol: 'none' });
      lines.push({ name: data.upper, type: 'line', yAxisIndex: 1, data: series.limit, symbol: 'none', lineStyle: { color: '#b42318', type: 'dashed' } });
    }
    echarts.init(el).setOption({
      title: { text: series.title, left: 'center', textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'axis' },
      legend: { data: lines.map(function (l) { return l.name; }), bottom: 0 },
      grid: { left: 40, right: 40, top: 40, bottom: 50 },
      xAxis: { type: 'category', data: series.weeks },
      yAxis: axes,
      series: lines
    });
  });
})();
