using RollbackKit.Judging.Internal;

namespace RollbackKit.Judging;

/// <summary>The alternative hypothesis of a <see cref="MannWhitneyU"/> test.</summary>
public enum MannWhitneyAlternative
{
    /// <summary>The distributions of the two samples differ (either way). Default.</summary>
    TwoSided = 0,

    /// <summary>The first sample's distribution is stochastically greater than the second's.</summary>
    Greater = 1,

    /// <summary>The first sample's distribution is stochastically less than the second's.</summary>
    Less = 2,
}

/// <summary>How a <see cref="MannWhitneyU"/> p-value is computed.</summary>
public enum MannWhitneyMethod
{
    /// <summary>
    /// <see cref="Exact"/> when one sample has at most 8 values and there are no ties, else <see cref="Asymptotic"/>
    /// (the rule of scipy's <c>method="auto"</c>). Default.
    /// </summary>
    Auto = 0,

    /// <summary>The exact null distribution of U (not corrected for ties).</summary>
    Exact = 1,

    /// <summary>The normal approximation with tie correction (and, optionally, continuity correction).</summary>
    Asymptotic = 2,
}

/// <summary>The result of a <see cref="MannWhitneyU"/> test.</summary>
/// <param name="Statistic">U of the first sample (scipy's <c>U1</c>): the number of pairs in which its value is greater, ties counting one half.</param>
/// <param name="PValue">The p-value for the chosen alternative, in [0, 1] (NaN when undefined, for example all values equal without continuity correction).</param>
/// <param name="Method">The method actually used (<see cref="MannWhitneyMethod.Exact"/> or <see cref="MannWhitneyMethod.Asymptotic"/>).</param>
public readonly record struct MannWhitneyUResult(double Statistic, double PValue, MannWhitneyMethod Method);

/// <summary>
/// The Mann-Whitney U rank test of two independent samples, computed as <c>scipy.stats.mannwhitneyu</c> (1.10) computes it:
/// average ranks for ties, tie-corrected normal approximation with optional continuity correction, and the exact null
/// distribution for small samples without ties. Allocation-free: sorting happens in pooled buffers.
/// </summary>
public static class MannWhitneyU
{
    /// <summary>Samples at most this large on one side (with no ties) are tested exactly by <see cref="MannWhitneyMethod.Auto"/>.</summary>
    public const int ExactThreshold = 8;

    /// <summary>Tests whether <paramref name="x"/> and <paramref name="y"/> come from the same distribution.</summary>
    /// <param name="x">The first sample (for a canary judgement: the canary); at least one value, no NaN.</param>
    /// <param name="y">The second sample (the baseline); at least one value, no NaN.</param>
    /// <param name="alternative">The alternative hypothesis. Default: <see cref="MannWhitneyAlternative.TwoSided"/>.</param>
    /// <param name="useContinuity">Whether the normal approximation subtracts one half from |U − mean| (scipy's default). Default: <see langword="true"/>.</param>
    /// <param name="method">How the p-value is computed. Default: <see cref="MannWhitneyMethod.Auto"/>.</param>
    /// <returns>U of <paramref name="x"/> and the p-value.</returns>
    /// <exception cref="ArgumentException">A sample is empty or holds NaN.</exception>
    public static MannWhitneyUResult Test(
        ReadOnlySpan<double> x,
        ReadOnlySpan<double> y,
        MannWhitneyAlternative alternative = MannWhitneyAlternative.TwoSided,
        bool useContinuity = true,
        MannWhitneyMethod method = MannWhitneyMethod.Auto)
    {
        Check(x, nameof(x));
        Check(y, nameof(y));
        var pool = JudgeBuffers.Pool;
        var bx = pool.Rent(x.Length);
        var by = pool.Rent(y.Length);
        try
        {
            var sx = bx.AsSpan(0, x.Length);
            var sy = by.AsSpan(0, y.Length);
            x.CopyTo(sx);
            y.CopyTo(sy);
            sx.Sort();
            sy.Sort();
            return TestSorted(sx, sy, alternative, useContinuity, method);
        }
        finally
        {
            pool.Return(bx);
            pool.Return(by);
        }
    }

    /// <summary>The test over two samples already sorted ascending, without NaN and not empty.</summary>
    internal static MannWhitneyUResult TestSorted(
        ReadOnlySpan<double> x,
        ReadOnlySpan<double> y,
        MannWhitneyAlternative alternative,
        bool useContinuity,
        MannWhitneyMethod method)
    {
        int n1 = x.Length, n2 = y.Length;

        // Walk both sorted samples in step: each run of equal values gets the average of the ranks it spans.
        double r1 = 0, tieTerm = 0;
        var ties = false;
        int i = 0, j = 0, rank = 0;
        while (i < n1 || j < n2)
        {
            var v = i < n1 && (j >= n2 || x[i] <= y[j]) ? x[i] : y[j];
            var cx = 0;
            while (i < n1 && x[i] == v)
            {
                i++;
                cx++;
            }

            var cy = 0;
            while (j < n2 && y[j] == v)
            {
                j++;
                cy++;
            }

            var t = cx + cy;
            r1 += cx * (rank + ((t + 1) * 0.5));
            if (t > 1)
            {
                ties = true;
                tieTerm += ((double)t * t * t) - t;
            }

            rank += t;
        }

        var u1 = r1 - (n1 * (n1 + 1.0) / 2);
        var u2 = ((double)n1 * n2) - u1;
        double u, factor;
        switch (alternative)
        {
            case MannWhitneyAlternative.Greater:
                (u, factor) = (u1, 1);
                break;
            case MannWhitneyAlternative.Less:
                (u, factor) = (u2, 1);
                break;
            default:
                (u, factor) = (Math.Max(u1, u2), 2);
                break;
        }

        if (method == MannWhitneyMethod.Auto)
        {
            method = (n1 > ExactThreshold && n2 > ExactThreshold) || ties ? MannWhitneyMethod.Asymptotic : MannWhitneyMethod.Exact;
        }

        double p;
        if (method == MannWhitneyMethod.Exact)
        {
            p = MannWhitneyDistribution.SurvivalFunction((long)u, n1, n2);
        }
        else
        {
            var mu = (double)n1 * n2 / 2;
            var n = (double)(n1 + n2);
            var s = Math.Sqrt((double)n1 * n2 / 12 * ((n + 1) - (tieTerm / (n * (n - 1)))));
            var numerator = u - mu;
            if (useContinuity)
            {
                numerator -= 0.5;
            }

            p = NormalDistribution.Cdf(-(numerator / s));
        }

        p *= factor;
        return new MannWhitneyUResult(u1, Math.Clamp(p, 0, 1), method);
    }

    private static void Check(ReadOnlySpan<double> sample, string name)
    {
        if (sample.IsEmpty)
        {
            throw new ArgumentException("The sample is empty.", name);
        }

        foreach (var value in sample)
        {
            if (double.IsNaN(value))
            {
                throw new ArgumentException("The sample holds NaN.", name);
            }
        }
    }
}
