namespace RollbackKit.Judging.Internal;

/// <summary>
/// The exact null distribution of the Mann-Whitney U statistic. The number of arrangements of sizes (m, n) with U = k is
/// the coefficient of q^k in the Gaussian binomial [m+n choose m]_q, built factor by factor,
/// [n+i choose i]_q = [n+i−1 choose i−1]_q · (1 − q^(n+i)) / (1 − q^i), over the smaller sample (at most
/// <see cref="MannWhitneyU.ExactThreshold"/> when chosen automatically) and truncated at k: O(min(m, n) · k) time in one
/// pooled buffer. The same counts as scipy's recursion f(m, n, k) = f(m−1, n, k−n) + f(m, n−1, k), normalised and
/// summed the same way.
/// </summary>
internal static class MannWhitneyDistribution
{
    /// <summary>P(U ≥ <paramref name="u"/>) for samples of sizes <paramref name="m"/> and <paramref name="n"/> (by symmetry, the CDF at m·n − u).</summary>
    public static double SurvivalFunction(long u, int m, int n) => Cdf(((long)m * n) - u, m, n);

    /// <summary>P(U ≤ <paramref name="k"/>).</summary>
    public static double Cdf(long k, int m, int n)
    {
        if (k < 0)
        {
            return 0;
        }

        var max = (long)m * n;
        if (k >= max)
        {
            return 1;
        }

        var small = Math.Min(m, n);
        var large = Math.Max(m, n);
        var length = checked((int)k + 1);
        var buffer = JudgeBuffers.Pool.Rent(length);
        try
        {
            var c = buffer.AsSpan(0, length);
            c.Clear();
            c[0] = 1;
            for (var i = 1; i <= small; i++)
            {
                // Multiply by (1 − q^(large+i)), then divide by (1 − q^i): the coefficients stay those of [large+i choose i]_q.
                var shift = large + i;
                for (var j = length - 1; j >= shift; j--)
                {
                    c[j] -= c[j - shift];
                }

                for (var j = i; j < length; j++)
                {
                    c[j] += c[j - i];
                }
            }

            var total = Binomial(m + n, small);
            double cdf = 0;
            for (var j = 0; j < length; j++)
            {
                cdf += c[j] / total;
            }

            return cdf;
        }
        finally
        {
            JudgeBuffers.Pool.Return(buffer);
        }
    }

    /// <summary>C(<paramref name="n"/>, <paramref name="k"/>) as scipy's <c>special.binom</c> computes it for small integer k.</summary>
    internal static double Binomial(int n, int k)
    {
        if (k > n / 2.0)
        {
            k = n - k;
        }

        double numerator = 1, denominator = 1;
        for (var i = 1; i <= k; i++)
        {
            numerator *= i + n - k;
            denominator *= i;
            if (Math.Abs(numerator) > 1e50)
            {
                numerator /= denominator;
                denominator = 1;
            }
        }

        return numerator / denominator;
    }
}
