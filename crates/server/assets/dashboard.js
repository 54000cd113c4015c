// Draws the pass-rate dashboard from the JSON embedded in the page; the tables beside each chart hold the same
// figures for readers without JavaScript.
(function () {
  var data = JSON.parse(document.getElementById('chart-data').textContent);
  var target = data.target;
  function intervalBars(el, title, rows) {
    if (!el || !rows.length) return;
    var chart = echarts.init(el);
    var names = rows.map(function (r) { return r.label; });
    chart.setOption({
      title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
      grid: { left: 50, right: 60, bottom: 90, top: 40 },
      tooltip: { trigger: 'axis', formatter: function (p) {
        var r = rows[p[0].dataIndex];
        return r.label + '<br>' + r.rate.toFixed(1) + '% [' + r.lower.toFixed(1) + ', ' + r.upper.toFixed(1) + '] n=' + r.samples;
      } },
      xAxis: { type: 'category', data: names, axisLabel: { rotate: 45, interval: 0 } },
      yAxis: { type: 'value', min: Math.max(0, Math.floor(Math.min.apply(null, rows.map(function (r) { return r.lower; })) / 5) * 5 - 5), max: 100, name: '%' },
      series: [
        { type: 'bar', data: rows.map(function (r) { return r.rate; }), itemStyle: { color: '#5470c6' },
          markLine: { symbol: 'none', data: [{ yAxis: target, lineStyle: { color: '#b42318', type: 'dashed' }, label: { formatter: data.targetLabel } }] } },
        { type: 'custom', name: 'interval', data: rows.map(function (r, i) { return [i, r.lower, r.upper]; }),
          renderItem: function (params, api) {
            var x = api.coord([api.value(0), api.value(1)])[0];
            var lo = api.coord([api.value(0), api.value(1)])[1];
            var hi = api.coord([api.value(0), api.value(2)])[1];
            var w = 4;
            var style = { stroke: '#1f2328', lineWidth: 1.5 };
            return { type: 'group', children: [
              { type: 'line', shape: { x1: x, y1: lo, x2: x, y2: hi }, style: style },
              { type: 'line', shape: { x1: x - w, y1: lo, x2: x + w, y2: lo }, style: style },
              { type: 'line', shape: { x1: x - w, y1: hi, x2: x + w, y2: hi }, style: style }] };
          }, z: 10 }
      ]
    });
  }
  function trend(el, title, rows) {
    if (!el || !rows.length) return;
    var chart = echarts.init(el);
    chart.setOption({
      title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
      grid: { left: 50, right: 60, bottom: 40, top: 40 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: rows.map(function (r) { return r.label; }) },
      yAxis: { type: 'value', min: Math.max(0, Math.floor(Math.min.apply(null, rows.map(function (r) { return r.lower; })) / 5) * 5 - 5), max: 100, name: '%' },
      series: [
        { name: 'lower', type: 'line', data: rows.map(function (r) { return r.lower; }), lineStyle: { opacity: 0 }, stack: 'band', symbol: 'none' },
        { name: 'interval', type: 'line', data: rows.map(function (r) { return r.upper - r.lower; }), lineStyle: { opacity: 0 }, areaStyle: { color: '#c6d3f5' }, stack: 'band', symbol: 'none' },
        { name: data.rateLabel, type: 'line', data: rows.map(function (r) { return r.rate; }), itemStyle: { color: '#5470c6' },
          markLine: { symbol: 'none', data: [{ yAxis: target, lineStyle: { color: '#b42318', type: 'dashed' }, label: { formatter: data.targetLabel } }] } }
      ]
    });
  }
  intervalBars(document.getElementById('chart-category'), data.categoryTitle, data.categories);
  intervalBars(document.getElementById('chart-region'), data.regionTitle, data.regions);
  trend(document.getElementById('chart-trend'), data.trendTitle, data.trend);
})();
