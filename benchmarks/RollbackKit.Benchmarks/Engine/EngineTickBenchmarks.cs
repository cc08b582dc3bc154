using System.Globalization;
using BenchmarkDotNet.Attributes;
using RollbackKit.Engine;
using RollbackKit.Metrics;
using RollbackKit.Triggers;

namespace RollbackKit.Benchmarks.Engine;

/// <summary>
/// One evaluation tick of 8 triggers over N targets, four ways: a canary analyzer as typically hand-written
/// (baseline), an expression interpreter (NCalc) evaluating the condition strings, a hand-written minimal loop over
/// double arrays (the practical limit), and the <see cref="EvaluationEngine"/>. Every variant applies the same 8
/// conditions, skips no-data (NaN), keeps a <c>for</c> timer per target and trigger and reports what fired.
/// <para>
/// Run: <c>dotnet run -c Release --project benchmarks/RollbackKit.Benchmarks -- --filter '*EngineTick*' --job short</c>.
/// </para>
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class EngineTickBenchmarks
{
    private const int TriggerCount = 8;
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(10);

    private static readonly string[] s_queries =
    [
        "canary_error_rate", "baseline_error_rate", "canary_p99", "baseline_p99", "success_rate", "canary_rps",
        "baseline_rps", "security_events", "memory_ratio", "breaker_trips", "db_errors",
    ];

    // Name, condition (engine syntax), NCalc condition, For.
    private static readonly (string Name, string Condition, string NCalc, TimeSpan For)[] s_triggers =
    [
        ("error-rate", "canary_error_rate > baseline_error_rate * 1.5", "canary_error_rate > baseline_error_rate * 1.5", TimeSpan.FromMinutes(5)),
        ("p99", "canary_p99 > baseline_p99 * 2", "canary_p99 > baseline_p99 * 2", TimeSpan.FromMinutes(5)),
        ("success", "success_rate < 0.95", "success_rate < 0.95", TimeSpan.FromMinutes(3)),
        ("throughput", "canary_rps < baseline_rps * 0.5", "canary_rps < baseline_rps * 0.5", TimeSpan.FromMinutes(10)),
        ("security", "security_events > 0", "security_events > 0", TimeSpan.Zero),
        ("memory", "memory_ratio > 95%", "memory_ratio > 0.95", TimeSpan.FromMinutes(5)),
        ("breaker", "breaker_trips > 10", "breaker_trips > 10", TimeSpan.Zero),
        ("db", "db_errors > 10", "db_errors > 10", TimeSpan.Zero),
    ];

    private double[][] _values = [];
    private DateTimeOffset _now;

    private EvaluationEngine _engine = null!;
    private TriggerVerdict[] _verdicts = [];

    private HandLoop _loop = null!;
    private NCalcInterpreter _ncalc = null!;
    private TypicalAnalyzer _typical = null!;

    /// <summary>Number of targets.</summary>
    [Params(1, 100, 10_000)]
    public int Targets { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _values = new double[s_queries.Length][];
        for (var q = 0; q < s_queries.Length; q++)
        {
            _values[q] = new double[Targets];
        }

        // Mostly healthy; about 5 % of targets regress, 1 % have no data.
        for (var t = 0; t < Targets; t++)
        {
            var bad = random.Next(100) < 5;
            _values[0][t] = bad ? 0.08 : 0.01 + (random.NextDouble() * 0.005);
            _values[1][t] = 0.01;
            _values[2][t] = bad ? 0.9 : 0.3 + (random.NextDouble() * 0.1);
            _values[3][t] = 0.35;
            _values[4][t] = bad ? 0.9 : 0.99;
            _values[5][t] = bad ? 20 : 100 + random.Next(20);
            _values[6][t] = 110;
            _values[7][t] = bad && random.Next(4) == 0 ? 1 : 0;
            _values[8][t] = bad ? 0.97 : 0.6;
            _values[9][t] = bad ? 12 : random.Next(5);
            _values[10][t] = bad ? 15 : random.Next(5);
            if (random.Next(100) == 0)
            {
                _values[random.Next(s_queries.Length)][t] = double.NaN;
            }
        }

        var targets = Enumerable.Range(0, Targets).Select(i => new RollbackTarget($"shop/app-{i}")).ToArray();
        var definitions = s_triggers.Select(t => new TriggerDefinition { Name = t.Name, Condition = t.Condition, For = t.For }).ToArray();
        _engine = new EvaluationEngine(targets, s_queries, definitions);
        for (var q = 0; q < s_queries.Length; q++)
        {
            _values[q].CopyTo(_engine.GetValues(q));
            var statuses = _engine.GetStatuses(q);
            statuses.Fill(MetricSampleStatus.Value);
        }

        _verdicts = new TriggerVerdict[_engine.VerdictCount];
        _loop = new HandLoop(_values, Targets);
        _ncalc = new NCalcInterpreter(_values, Targets);
        _typical = new TypicalAnalyzer(_values, targets);
        _now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    }

    [Benchmark(Baseline = true, Description = "Typical hand-written analyzer")]
    public int TypicalAnalyzerTick()
    {
        _now += Tick;
        return _typical.Analyze(_now).Count;
    }

    [Benchmark(Description = "NCalc interpreter")]
    public int NCalcTick()
    {
        _now += Tick;
        return _ncalc.Evaluate(_now.UtcTicks, _verdicts);
    }

    [Benchmark(Description = "Hand-written loop")]
    public int HandLoopTick()
    {
        _now += Tick;
        return _loop.Evaluate(_now.UtcTicks, _verdicts);
    }

    [Benchmark(Description = "EvaluationEngine")]
    public int EngineTick()
    {
        _now += Tick;
        return _engine.Evaluate(_now, _verdicts);
    }

    /// <summary>Per-target, per-trigger <c>for</c> state shared by the array-based variants.</summary>
    private sealed class ForState(int targets)
    {
        private readonly long[] _failingSince = new long[targets * TriggerCount];
        private readonly int[] _consecutive = new int[targets * TriggerCount];
        private readonly bool[] _fired = new bool[targets * TriggerCount];

        /// <summary>Applies one measurement (-1 no data, 0 pass, 1 fail) and writes the verdict.</summary>
        public int Apply(int target, int trigger, int measurement, long now, long forTicks, double actual, double threshold, Span<TriggerVerdict> verdicts)
        {
            var k = (target * TriggerCount) + trigger;
            var fired = false;
            VerdictOutcome outcome;
            if (measurement < 0)
            {
                outcome = VerdictOutcome.Inconclusive;
            }
            else if (measurement == 0)
            {
                outcome = VerdictOutcome.Pass;
                _failingSince[k] = 0;
                _consecutive[k] = 0;
                _fired[k] = false;
            }
            else
            {
                outcome = VerdictOutcome.Fail;
                if (_failingSince[k] == 0)
                {
                    _failingSince[k] = now;
                }

                _consecutive[k]++;
                if (!_fired[k] && now - _failingSince[k] >= forTicks)
                {
                    _fired[k] = fired = true;
                }
            }

            verdicts[k] = new TriggerVerdict
            {
                Outcome = outcome,
                Fired = fired,
                Actual = actual,
                Threshold = threshold,
                FailingSinceUtcTicks = _failingSince[k],
                ConsecutiveFailures = _consecutive[k],
            };
            return fired ? 1 : 0;
        }
    }

    /// <summary>The practical limit: the 8 conditions hard-coded over double arrays.</summary>
    private sealed class HandLoop(double[][] values, int targets)
    {
        private static readonly long[] s_for = [.. s_triggers.Select(t => t.For.Ticks)];
        private readonly ForState _state = new(targets);

        public int Evaluate(long now, Span<TriggerVerdict> verdicts)
        {
            var fired = 0;
            var v = values;
            for (var i = 0; i < targets; i++)
            {
                fired += Check(i, 0, v[0][i], v[1][i] * 1.5, greater: true, v[1][i], now, verdicts);
                fired += Check(i, 1, v[2][i], v[3][i] * 2, greater: true, v[3][i], now, verdicts);
                fired += Check(i, 2, v[4][i], 0.95, greater: false, 0, now, verdicts);
                fired += Check(i, 3, v[5][i], v[6][i] * 0.5, greater: false, v[6][i], now, verdicts);
                fired += Check(i, 4, v[7][i], 0, greater: true, 0, now, verdicts);
                fired += Check(i, 5, v[8][i], 0.95, greater: true, 0, now, verdicts);
                fired += Check(i, 6, v[9][i], 10, greater: true, 0, now, verdicts);
                fired += Check(i, 7, v[10][i], 10, greater: true, 0, now, verdicts);
            }

            return fired;
        }

        private int Check(int target, int trigger, double actual, double threshold, bool greater, double other, long now, Span<TriggerVerdict> verdicts)
        {
            var measurement = double.IsNaN(actual) || double.IsNaN(other) ? -1
                : (greater ? actual > threshold : actual < threshold) ? 1 : 0;
            return _state.Apply(target, trigger, measurement, now, s_for[trigger], actual, threshold, verdicts);
        }
    }

    /// <summary>An expression interpreter: NCalc evaluates each condition string with the target's values as parameters.</summary>
    private sealed class NCalcInterpreter
    {
        private readonly double[][] _values;
        private readonly int _targets;
        private readonly NCalc.Expression[] _expressions;
        private readonly int[][] _referenced;
        private readonly long[] _for;
        private readonly ForState _state;

        public NCalcInterpreter(double[][] values, int targets)
        {
            _values = values;
            _targets = targets;
            _expressions = [.. s_triggers.Select(t => new NCalc.Expression(t.NCalc))];
            _referenced = [.. s_triggers.Select(t => s_queries.Select((q, i) => (q, i)).Where(x => t.NCalc.Contains(x.q, StringComparison.Ordinal)).Select(x => x.i).ToArray())];
            _for = [.. s_triggers.Select(t => t.For.Ticks)];
            _state = new ForState(targets);
        }

        public int Evaluate(long now, Span<TriggerVerdict> verdicts)
        {
            var fired = 0;
            for (var i = 0; i < _targets; i++)
            {
                for (var t = 0; t < TriggerCount; t++)
                {
                    var expression = _expressions[t];
                    var noData = false;
                    foreach (var q in _referenced[t])
                    {
                        var value = _values[q][i];
                        noData |= double.IsNaN(value);
                        expression.Parameters[s_queries[q]] = value;
                    }

                    var measurement = noData ? -1 : (bool)expression.Evaluate()! ? 1 : 0;
                    fired += _state.Apply(i, t, measurement, now, _for[t], double.NaN, double.NaN, verdicts);
                }
            }

            return fired;
        }
    }

    /// <summary>
    /// A canary analyzer as typically hand-written: a dictionary of metrics and of thresholds per metric, a string
    /// reason built per check, a list of failures per target and timers keyed by strings.
    /// </summary>
    private sealed class TypicalAnalyzer(double[][] values, RollbackTarget[] targets)
    {
        private static readonly Check[] s_checks =
        [
            new("error-rate", "canary_error_rate", "baseline_error_rate", ">", TimeSpan.FromMinutes(5)),
            new("p99", "canary_p99", "baseline_p99", ">", TimeSpan.FromMinutes(5)),
            new("success", "success_rate", null, "<", TimeSpan.FromMinutes(3)),
            new("throughput", "canary_rps", "baseline_rps", "<", TimeSpan.FromMinutes(10)),
            new("security", "security_events", null, ">", TimeSpan.Zero),
            new("memory", "memory_ratio", null, ">", TimeSpan.FromMinutes(5)),
            new("breaker", "breaker_trips", null, ">", TimeSpan.Zero),
            new("db", "db_errors", null, ">", TimeSpan.Zero),
        ];

        private readonly Dictionary<string, double> _thresholds = new()
        {
            ["canary_error_rate"] = 1.5,
            ["canary_p99"] = 2,
            ["success_rate"] = 0.95,
            ["canary_rps"] = 0.5,
            ["security_events"] = 0,
            ["memory_ratio"] = 0.95,
            ["breaker_trips"] = 10,
            ["db_errors"] = 10,
        };

        private readonly Dictionary<string, DateTimeOffset> _failingSince = [];
        private readonly HashSet<string> _fired = [];

        public List<AnalysisResult> Analyze(DateTimeOffset now)
        {
            var results = new List<AnalysisResult>();
            for (var i = 0; i < targets.Length; i++)
            {
                var metrics = new Dictionary<string, double>();
                for (var q = 0; q < s_queries.Length; q++)
                {
                    metrics[s_queries[q]] = values[q][i];
                }

                var failures = new List<string>();
                foreach (var check in s_checks)
                {
                    var actual = metrics[check.Metric];
                    var threshold = check.BaselineMetric is null
                        ? _thresholds[check.Metric]
                        : metrics[check.BaselineMetric] * _thresholds[check.Metric];
                    var reason = string.Format(CultureInfo.InvariantCulture, "{0}: {1}={2:F4} {3} {4:F4}", check.Name, check.Metric, actual, check.Operator, threshold);
                    if (double.IsNaN(actual) || double.IsNaN(threshold))
                    {
                        continue;
                    }

                    var failed = check.Operator == ">" ? actual > threshold : actual < threshold;
                    var key = targets[i].Id + "/" + check.Name;
                    if (!failed)
                    {
                        _failingSince.Remove(key);
                        _fired.Remove(key);
                        continue;
                    }

                    if (!_failingSince.TryGetValue(key, out var since))
                    {
                        since = now;
                        _failingSince[key] = now;
                    }

                    if (now - since >= check.For && _fired.Add(key))
                    {
                        failures.Add(reason + " for " + (now - since));
                    }
                }

                results.Add(new AnalysisResult(targets[i].Id, failures));
            }

            return results;
        }

        private sealed record Check(string Name, string Metric, string? BaselineMetric, string Operator, TimeSpan For);
    }

    private sealed record AnalysisResult(string Target, List<string> Failures);
}
