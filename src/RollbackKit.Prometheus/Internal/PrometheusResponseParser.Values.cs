using System.Buffers.Text;
using System.Globalization;

namespace RollbackKit.Prometheus.Internal;

/// <summary>Sample value parsing.</summary>
internal static partial class PrometheusResponseParser
{
    /// <summary>Parses a sample value: a JSON string such as <c>"1.5"</c>, <c>"1e-05"</c>, <c>"NaN"</c>, <c>"+Inf"</c>, <c>"-Inf"</c>.</summary>
    public static bool TryParseValue(ReadOnlySpan<byte> text, out double value)
    {
        if (TryParseShortDecimal(text, out value))
        {
            return true;
        }

        if (Utf8Parser.TryParse(text, out value, out var consumed) && consumed == text.Length)
        {
            return true;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }

        if (text.SequenceEqual("+Inf"u8) || text.SequenceEqual("Inf"u8))
        {
            value = double.PositiveInfinity;
            return true;
        }

        if (text.SequenceEqual("-Inf"u8))
        {
            value = double.NegativeInfinity;
            return true;
        }

        value = double.NaN;
        return false;
    }

    /// <summary>
    /// Fast path for plain decimals (<c>-12.345</c>) with at most 15 significant digits: the mantissa and the power of
    /// ten are both exact doubles, so one multiplication or division gives the correctly rounded result.
    /// </summary>
    private static bool TryParseShortDecimal(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
        var i = 0;
        var negative = false;
        if (text.Length > 0 && text[0] == (byte)'-')
        {
            negative = true;
            i = 1;
        }

        if (i >= text.Length || text.Length - i > 17)
        {
            return false;
        }

        long mantissa = 0;
        var digits = 0;
        var fractionDigits = -1;
        for (; i < text.Length; i++)
        {
            var c = text[i];
            var digit = (uint)(c - (byte)'0');
            if (digit <= 9)
            {
                mantissa = (mantissa * 10) + digit;
                digits++;
                if (fractionDigits >= 0)
                {
                    fractionDigits++;
                }
            }
            else if (c == (byte)'.' && fractionDigits < 0)
            {
                fractionDigits = 0;
            }
            else
            {
                return false;
            }
        }

        if (digits == 0 || digits > 15 || fractionDigits == 0)
        {
            return false;
        }

        var result = (double)mantissa;
        if (fractionDigits > 0)
        {
            result /= s_powersOfTen[fractionDigits];
        }

        value = negative ? -result : result;
        return true;
    }

    private static readonly double[] s_powersOfTen =
        [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
}
