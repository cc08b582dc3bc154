using System.Runtime.CompilerServices;
using System.Text.Json;
using RollbackKit.Judging;

namespace RollbackKit.Tests.Judging;

/// <summary>
/// Matches <see cref="MannWhitneyU"/> against scipy.stats.mannwhitneyu 1.10.1 on the cases in Fixtures/mannwhitneyu.json
/// (written by eng/judge-fixtures/generate.py; the tests only read it).
/// </summary>
public class MannWhitneyUFixtureTests
{
    private const double Tolerance = 1e-9;

    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var c in Fixture.Value)
        {
            data.Add(c.Name);
        }

        return data;
    }

    [Fact]
    public void Fixture_CoversEveryKindOfCase()
    {
        var cases = Fixture.Value;
        Assert.True(cases.Count >= 60, $"only {cases.Count} cases");
        Assert.Contains(cases, c => c.ChosenMethod == "exact");
        Assert.Contains(cases, c => c.ChosenMethod == "asymptotic" && Math.Min(c.X.Length, c.Y.Length) > 100);
        Assert.Contains(cases, c => c.X.Length == 1 && c.Y.Length == 1);
        Assert.Contains(cases, c => c.X.Distinct().Count() == 1 && c.Y.Distinct().Count() == 1 && c.X[0] == c.Y[0] && c.X.Length > 1);
        Assert.Contains(cases, c => c.X.SequenceEqual(c.Y));
        foreach (var alternative in new[] { "two-sided", "greater", "less" })
        {
            Assert.Contains(cases, c => c.Alternative == alternative && c.ChosenMethod == "exact");
            Assert.Contains(cases, c => c.Alternative == alternative && c.ChosenMethod == "asymptotic");
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Test_MatchesScipy(string name)
    {
        var c = Fixture.Value.Single(c => c.Name == name);

        var result = MannWhitneyU.Test(c.X, c.Y, Alternative(c.Alternative), c.UseContinuity, Method(c.Method));

        Assert.Equal(Method(c.ChosenMethod), result.Method);
        Assert.True(Math.Abs(result.Statistic - c.Statistic) <= Tolerance, $"U {result.Statistic:R} vs scipy {c.Statistic:R}");
        if (c.PValue is not { } expected)
        {
            Assert.True(double.IsNaN(result.PValue), $"p {result.PValue:R} vs scipy NaN");
            return;
        }

        // Absolute for ordinary p-values, relative for tiny ones (1e-67 must not pass as 0).
        var difference = Math.Abs(result.PValue - expected);
        Assert.True(
            expected >= 1e-3 ? difference <= Tolerance : difference <= Tolerance * expected,
            $"p {result.PValue:R} vs scipy {expected:R} (difference {difference:R})");
    }

    [Fact]
    public void Test_EmptySample_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => MannWhitneyU.Test([], [1.0]));
        Assert.Equal("x", ex.ParamName);
    }

    [Fact]
    public void Test_NaN_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => MannWhitneyU.Test([1.0], [2.0, double.NaN]));
        Assert.Equal("y", ex.ParamName);
    }

    [Fact]
    public void Test_ExactWithLargeOtherSide_MatchesEnumeration()
    {
        // 3 values against 60 (exact: one side small, no ties), checked against all C(63, 3) rank subsets.
        var x = new[] { 30.5, 45.5, 58.5 };
        var y = Enumerable.Range(0, 60).Select(i => (double)i).ToArray();
        var u = 31 + 46 + 59.0;  // baseline values below each x
        long atLeast = 0, atMost = 0, total = 0;
        for (var a = 1; a <= 63; a++)
        {
            for (var b = a + 1; b <= 63; b++)
            {
                for (var c = b + 1; c <= 63; c++)
                {
                    var subsetU = a + b + c - 6;
                    total++;
                    atLeast += subsetU >= u ? 1 : 0;
                    atMost += subsetU <= u ? 1 : 0;
                }
            }
        }

        var greater = MannWhitneyU.Test(x, y, MannWhitneyAlternative.Greater);
        var less = MannWhitneyU.Test(x, y, MannWhitneyAlternative.Less);

        Assert.Equal(MannWhitneyMethod.Exact, greater.Method);
        Assert.Equal(u, greater.Statistic);
        Assert.Equal((double)atLeast / total, greater.PValue, 1e-12);
        Assert.Equal((double)atMost / total, less.PValue, 1e-12);
    }

    private static MannWhitneyAlternative Alternative(string text) => text switch
    {
        "two-sided" => MannWhitneyAlternative.TwoSided,
        "greater" => MannWhitneyAlternative.Greater,
        "less" => MannWhitneyAlternative.Less,
        _ => throw new ArgumentOutOfRangeException(nameof(text), text, null),
    };

    private static MannWhitneyMethod Method(string text) => text switch
    {
        "auto" => MannWhitneyMethod.Auto,
        "exact" => MannWhitneyMethod.Exact,
        "asymptotic" => MannWhitneyMethod.Asymptotic,
        _ => throw new ArgumentOutOfRangeException(nameof(text), text, null),
    };

    private static readonly Lazy<List<FixtureCase>> Fixture = new(Load);

    private static List<FixtureCase> Load()
    {
        var path = Path.Combine(Path.GetDirectoryName(SourcePath())!, "Fixtures", "mannwhitneyu.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var cases = new List<FixtureCase>();
        foreach (var sample in document.RootElement.GetProperty("samples").EnumerateArray())
        {
            var x = sample.GetProperty("x").EnumerateArray().Select(static v => v.GetDouble()).ToArray();
            var y = sample.GetProperty("y").EnumerateArray().Select(static v => v.GetDouble()).ToArray();
            foreach (var r in sample.GetProperty("results").EnumerateArray())
            {
                var alternative = r.GetProperty("alternative").GetString()!;
                var continuity = r.GetProperty("useContinuity").GetBoolean();
                var method = r.GetProperty("method").GetString()!;
                var p = r.GetProperty("pvalue");
                cases.Add(new FixtureCase(
                    $"{sample.GetProperty("name").GetString()} [{alternative}, continuity={continuity}, {method}]",
                    x,
                    y,
                    alternative,
                    continuity,
                    method,
                    r.GetProperty("chosenMethod").GetString()!,
                    r.GetProperty("statistic").GetDouble(),
                    p.ValueKind == JsonValueKind.Null ? null : p.GetDouble()));
            }
        }

        return cases;
    }

    private static string SourcePath([CallerFilePath] string path = "") => path;

    private sealed record FixtureCase(
        string Name,
        double[] X,
        double[] Y,
        string Alternative,
        bool UseContinuity,
        string Method,
        string ChosenMethod,
        double Statistic,
        double? PValue);
}
