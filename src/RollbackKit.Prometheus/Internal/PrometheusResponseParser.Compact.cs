using System.Buffers;

namespace RollbackKit.Prometheus.Internal;

/// <summary>The fast path for the usual reply: a successful instant vector exactly as Prometheus writes it.</summary>
internal static partial class PrometheusResponseParser
{
    /// <summary>
    /// Reads <c>{"status":"success","data":{"resultType":"vector","result":[{"metric":{…},"value":[t,"v"]},…]}}</c>
    /// written without whitespace, with label names and values of printable ASCII without escapes (what Prometheus
    /// sends for ordinary labels). Every byte is checked against that layout; on the first byte that does not fit, or a
    /// number this path does not parse exactly, it returns false having emitted nothing (samples are collected first and
    /// emitted only once the whole reply was read), and the general parser reads the reply from the start.
    /// </summary>
    internal static bool TryParseCompactVector<TSink>(ReadOnlySpan<byte> json, ReadOnlySpan<byte> matchLabel, TSink sink, out PrometheusResponseInfo info)
        where TSink : IPrometheusSampleSink
    {
        info = default;
        var prefix = """{"status":"success","data":{"resultType":"vector","result":["""u8;
        if (!json.StartsWith(prefix))
        {
            return false;
        }

        var samples = ArrayPool<CompactSample>.Shared.Rent(64);
        try
        {
            var pos = prefix.Length;
            var count = 0;
            if (pos < json.Length && json[pos] == (byte)']')
            {
                pos++;
            }
            else
            {
                while (true)
                {
                    if (!TryReadSeries(json, ref pos, matchLabel, out var sample))
                    {
                        return false;
                    }

                    if (count == samples.Length)
                    {
                        var larger = ArrayPool<CompactSample>.Shared.Rent(count * 2);
                        samples.AsSpan(0, count).CopyTo(larger);
                        ArrayPool<CompactSample>.Shared.Return(samples);
                        samples = larger;
                    }

                    samples[count++] = sample;
                    if (pos >= json.Length)
                    {
                        return false;
                    }

                    if (json[pos] == (byte)',')
                    {
                        pos++;
                        continue;
                    }

                    if (json[pos] != (byte)']')
                    {
                        return false;
                    }

                    pos++;
                    break;
                }
            }

            if (!Take(json, ref pos, "}}"u8) || json[pos..].IndexOfAnyExcept(" \t\r\n"u8) >= 0)
            {
                return false;
            }

            for (var i = 0; i < count; i++)
            {
                ref readonly var sample = ref samples[i];
                var label = sample.LabelStart >= 0 && sample.LabelLength > 0 ? json.Slice(sample.LabelStart, sample.LabelLength) : default;
                sink.OnSample(i, label, sample.LabelStart >= 0, sample.Timestamp, sample.Value);
            }

            info = new PrometheusResponseInfo
            {
                IsSuccess = true,
                HasStatus = true,
                HasData = true,
                HasResult = true,
                ResultType = PrometheusResultType.Vector,
                SeriesCount = count,
            };
            return true;
        }
        finally
        {
            ArrayPool<CompactSample>.Shared.Return(samples);
        }
    }

    /// <summary>Reads <c>{"metric":{…},"value":[t,"v"]}</c> at <paramref name="pos"/>.</summary>
    private static bool TryReadSeries(ReadOnlySpan<byte> json, ref int pos, ReadOnlySpan<byte> matchLabel, out CompactSample sample)
    {
        sample = new CompactSample { LabelStart = -1 };
        if (!Take(json, ref pos, """{"metric":{"""u8))
        {
            return false;
        }

        if (pos < json.Length && json[pos] == (byte)'}')
        {
            pos++;
        }
        else
        {
            while (true)
            {
                if (!TryReadString(json, ref pos, out var nameStart, out var nameLength)
                    || !Take(json, ref pos, ":"u8)
                    || !TryReadString(json, ref pos, out var valueStart, out var valueLength)
                    || pos >= json.Length)
                {
                    return false;
                }

                if (!matchLabel.IsEmpty && json.Slice(nameStart, nameLength).SequenceEqual(matchLabel))
                {
                    sample.LabelStart = valueStart;
                    sample.LabelLength = valueLength;
                }

                var next = json[pos++];
                if (next == (byte)'}')
                {
                    break;
                }

                if (next != (byte)',')
                {
                    return false;
                }
            }
        }

        if (!Take(json, ref pos, ""","value":["""u8))
        {
            return false;
        }

        // The timestamp: a JSON number; only plain decimals are read here (Prometheus writes 1732550400.123).
        var numberEnd = pos;
        while (numberEnd < json.Length && json[numberEnd] is (byte)'-' or (byte)'.' or (>= (byte)'0' and <= (byte)'9'))
        {
            numberEnd++;
        }

        var number = json[pos..numberEnd];
        if (!IsJsonDecimal(number) || !TryParseShortDecimal(number, out sample.Timestamp))
        {
            return false;
        }

        pos = numberEnd;
        if (!Take(json, ref pos, ","u8)
            || !TryReadString(json, ref pos, out var textStart, out var textLength)
            || !TryParseValue(json.Slice(textStart, textLength), out sample.Value))
        {
            return false;
        }

        return Take(json, ref pos, "]}"u8);
    }

    /// <summary>Reads a string of printable ASCII without escapes; returns where its content is.</summary>
    private static bool TryReadString(ReadOnlySpan<byte> json, ref int pos, out int start, out int length)
    {
        start = pos + 1;
        length = 0;
        if (pos >= json.Length || json[pos] != (byte)'"')
        {
            return false;
        }

        var rest = json[start..];
        var end = rest.IndexOfAny((byte)'"', (byte)'\\');
        if (end < 0 || rest[end] != (byte)'"' || rest[..end].IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E) >= 0)
        {
            return false;
        }

        length = end;
        pos = start + end + 1;
        return true;
    }

    /// <summary>Whether <paramref name="number"/> is a JSON number without exponent: <c>-?(0|[1-9][0-9]*)(\.[0-9]+)?</c>.</summary>
    private static bool IsJsonDecimal(ReadOnlySpan<byte> number)
    {
        var i = 0;
        if (i < number.Length && number[i] == (byte)'-')
        {
            i++;
        }

        var integerStart = i;
        while (i < number.Length && char.IsAsciiDigit((char)number[i]))
        {
            i++;
        }

        var integerDigits = i - integerStart;
        if (integerDigits == 0 || (integerDigits > 1 && number[integerStart] == (byte)'0'))
        {
            return false;
        }

        if (i == number.Length)
        {
            return true;
        }

        if (number[i] != (byte)'.')
        {
            return false;
        }

        i++;
        var fractionStart = i;
        while (i < number.Length && char.IsAsciiDigit((char)number[i]))
        {
            i++;
        }

        return i == number.Length && i > fractionStart;
    }

    private static bool Take(ReadOnlySpan<byte> json, ref int pos, ReadOnlySpan<byte> expected)
    {
        if (!json[pos..].StartsWith(expected))
        {
            return false;
        }

        pos += expected.Length;
        return true;
    }

    /// <summary>One series read by the fast path: where its matched label value is (-1: no such label), its sample.</summary>
    private struct CompactSample
    {
        public int LabelStart;
        public int LabelLength;
        public double Timestamp;
        public double Value;
    }
}
