// Draws the backtest report's charts with uPlot from the JSON embedded in #backtest-data (the same document as
// `rollbackkit backtest --json`). All text from the data is set with textContent or DOM properties, never as HTML.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('backtest-data').textContent);
  var palette = ['#2563eb', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#be185d', '#4d7c0f', '#7c2d12'];
  var stateColours = { 'ok': '#86efac', 'breaching': '#fbbf24', 'fired': '#dc2626', 'no-data': '#cbd5e1', 'error': '#7c3aed', 'disabled': '#e2e8f0',
    'pass': '#86efac', 'marginal': '#fbbf24', 'fail': '#dc2626' };
  function stateColour(name) { return stateColours[name] || '#64748b'; }
  var report = { charts: [], data: data };
  window.rollbackkitReport = report;

  function seconds(text) { return Date.parse(text) / 1000; }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function queryNames(points) {
    var names = {};
    points.forEach(function (p) { Object.keys(p.values).forEach(function (k) { names[k] = true; }); });
    return Object.keys(names).sort();
  }

  function breaches(points, step) {
    var ranges = [];
    var start = null;
    points.forEach(function (p, i) {
      var t = seconds(p.at);
      if (p.failed && start === null) { start = t; }
      var last = i === points.length - 1;
      if (start !== null && (!p.failed || last)) {
        ranges.push([start, p.failed ? t + step : t]);
        start = null;
      }
    });
    return ranges;
  }

  function stateRuns(points, step) {
    var runs = [];
    points.forEach(function (p) {
      var t = seconds(p.at);
      var run = runs[runs.length - 1];
      if (run && run.state === p.state) { run.end = t + step; } else { runs.push({ state: p.state, start: t, end: t + step }); }
    });
    return runs;
  }

  function stepSeconds(points) {
    return points.length > 1 ? seconds(points[1].at) - seconds(points[0].at) : 1;
  }

  // Shades each [from, to] range (seconds) across the plot, clipped to the x scale.
  function shade(u, ranges) {
    var ctx = u.ctx;
    ctx.save();
    ctx.fillStyle = 'rgba(220, 38, 38, 0.13)';
    ranges.forEach(function (r) {
      var x0 = u.valToPos(r[0], 'x', true);
      var x1 = u.valToPos(Math.min(r[1], u.scales.x.max), 'x', true);
      ctx.fillRect(x0, u.bbox.top, Math.max(1, x1 - x0), u.bbox.height);
    });
    ctx.restore();
  }

  // A marker over the plot at each fire, carrying its time and decision.
  function markFires(u, fires) {
    fires.forEach(function (f) {
      var marker = el('div', 'fire-marker');
      marker.dataset.at = f.at;
      marker.dataset.decision = f.decision;
      marker.title = 'fired at ' + f.at + ': ' + f.decision;
      marker.style.left = u.valToPos(seconds(f.at), 'x') + 'px';
      u.over.appendChild(marker);
    });
  }

  function build(section, target, trigger) {
    var points = trigger.points;
    var fires = data.fires.filter(function (f) { return f.target === target.id && f.trigger === trigger.name; });
    var step = stepSeconds(points);
    var xs = points.map(function (p) { return seconds(p.at); });
    var names = queryNames(points);
    var columns = [xs];
    var series = [{ label: 'time (UTC)' }];
    names.forEach(function (name, i) {
      columns.push(points.map(function (p) { var v = p.values[name]; return v === null || v === undefined ? null : v; }));
      series.push({ label: name, stroke: palette[i % palette.length], width: 1.5, spanGaps: false, points: { show: false } });
    });
    var hasThreshold = points.some(function (p) { return p.threshold !== null && p.threshold !== undefined; });
    if (hasThreshold) {
      columns.push(points.map(function (p) { return p.threshold === undefined ? null : p.threshold; }));
      series.push({ label: 'threshold', stroke: '#b91c1c', width: 1.25, dash: [6, 4], points: { show: false } });
    }
    var ranges = breaches(points, step);
    var states = stateRuns(points, step);
    var stateNames = [];
    states.forEach(function (r) { if (stateNames.indexOf(r.state) < 0) { stateNames.push(r.state); } });

    var chartNode = section.querySelector('.chart');
    var width = Math.max(480, chartNode.clientWidth || 900);
    var options = {
      width: width,
      height: 260,
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'); },
      scales: { x: { time: true, min: xs[0], max: xs[xs.length - 1] } },
      series: series,
      axes: [{}, { size: 70 }],
      hooks: {
        drawClear: [function (u) { shade(u, ranges); }],
        ready: [function (u) {
          markFires(u, fires);
          timeline(section, u, states, stateNames, fires);
        }]
      }
    };
    if (xs.length === 0) { chartNode.appendChild(el('p', 'none', 'No steps in range.')); return; }
    var chart = new uPlot(options, columns, chartNode);
    chart.root.dataset.target = target.id;
    chart.root.dataset.trigger = trigger.name;
    report.charts.push(chart);
  }

  // A judge trigger: the score of each judgement against the pass and marginal scores; failed judgements shaded.
  function buildJudge(section, target, judge) {
    var points = judge.points;
    var fires = data.fires.filter(function (f) { return f.target === target.id && f.trigger === judge.name; });
    var step = stepSeconds(points);
    var xs = points.map(function (p) { return seconds(p.at); });
    var columns = [
      xs,
      points.map(function (p) { return p.score === null || p.score === undefined ? null : p.score; }),
      points.map(function () { return judge.passScore; }),
      points.map(function () { return judge.marginalScore; })
    ];
    var series = [
      { label: 'time (UTC)' },
      { label: 'score', stroke: palette[0], width: 1.5, spanGaps: false, points: { show: true, size: 4 } },
      { label: 'pass', stroke: '#16a34a', width: 1.25, dash: [6, 4], points: { show: false } },
      { label: 'marginal', stroke: '#d97706', width: 1.25, dash: [6, 4], points: { show: false } }
    ];
    var ranges = breaches(points.map(function (p) { return { at: p.at, failed: p.state === 'fail' }; }), step);
    var states = stateRuns(points, step);
    var stateNames = [];
    states.forEach(function (r) { if (stateNames.indexOf(r.state) < 0) { stateNames.push(r.state); } });
    var chartNode = section.querySelector('.chart');
    if (xs.length === 0) { chartNode.appendChild(el('p', 'none', 'No judgements in range.')); return; }
    var width = Math.max(480, chartNode.clientWidth || 900);
    var options = {
      width: width,
      height: 220,
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'); },
      scales: { x: { time: true, min: xs[0], max: Math.max(xs[xs.length - 1], xs[0] + 1) }, y: { range: [0, 105] } },
      series: series,
      axes: [{}, { size: 70 }],
      hooks: {
        drawClear: [function (u) { shade(u, ranges); }],
        ready: [function (u) {
          markFires(u, fires);
          timeline(section, u, states, stateNames, fires, 'Judgement:');
        }]
      }
    };
    var chart = new uPlot(options, columns, chartNode);
    chart.root.dataset.target = target.id;
    chart.root.dataset.trigger = judge.name;
    report.charts.push(chart);
  }

  function timeline(section, u, states, stateNames, fires, caption) {
    var node = section.querySelector('.timeline');
    var legendNode = u.root.querySelector('.u-legend');
    if (legendNode) { u.root.insertBefore(node, legendNode); } else { u.root.appendChild(node); }
    node.style.marginLeft = u.over.offsetLeft + 'px';
    node.style.width = u.over.clientWidth + 'px';
    states.forEach(function (run) {
      var band = el('div', 'band');
      var left = u.valToPos(run.start, 'x');
      var right = u.valToPos(Math.min(run.end, u.scales.x.max), 'x');
      band.style.left = left + 'px';
      band.style.width = Math.max(1, right - left) + 'px';
      band.style.background = stateColour(run.state);
      band.dataset.state = run.state;
      band.title = run.state + ' from ' + new Date(run.start * 1e3).toISOString();
      node.appendChild(band);
    });
    fires.forEach(function (f) {
      var pill = el('div', 'decision', f.decision);
      pill.style.left = u.valToPos(seconds(f.at), 'x') + 'px';
      pill.dataset.at = f.at;
      node.appendChild(pill);
    });
    var legend = section.querySelector('.state-legend');
    legend.appendChild(document.createTextNode(caption || 'Timer state:'));
    stateNames.forEach(function (name) {
      var swatch = el('span');
      swatch.style.background = stateColour(name);
      legend.appendChild(swatch);
      legend.appendChild(document.createTextNode(name));
    });
  }

  document.querySelectorAll('section.trigger').forEach(function (section) {
    var target = data.targets[Number(section.dataset.targetIndex)];
    build(section, target, target.triggers[Number(section.dataset.triggerIndex)]);
  });
  document.querySelectorAll('section.judge').forEach(function (section) {
    var target = data.targets[Number(section.dataset.targetIndex)];
    buildJudge(section, target, target.judges[Number(section.dataset.judgeIndex)]);
  });
  document.body.dataset.ready = 'true';
})();
