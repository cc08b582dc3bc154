using System.Text;

namespace RollbackKit.Prometheus.Internal;

/// <summary>
/// The lookup from a series' <c>GroupBy</c> label value (UTF-8, straight from the reply) to the targets it answers,
/// built once per target list and label and shared by every grouped query over them. A label value held by one target
/// (the usual case) maps straight to its index; the targets of a value several targets share sit in one array.
/// </summary>
internal sealed class TargetLabelMap
{
    // Label value -> target index (>= 0), or ~start of a run in _shared: _shared[start] = count, then the indexes.
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly int[] _shared;

    private TargetLabelMap(Dictionary<string, int> map, int[] shared)
    {
        _lookup = map.GetAlternateLookup<ReadOnlySpan<char>>();
        _shared = shared;
    }

    /// <summary>Maps each value of <paramref name="targetLabel"/> to the indexes of the targets that have it.</summary>
    public static TargetLabelMap Create(IReadOnlyList<RollbackTarget> targets, string targetLabel)
    {
        var map = new Dictionary<string, int>(targets.Count, StringComparer.Ordinal);
        Dictionary<string, List<int>>? several = null;
        for (var i = 0; i < targets.Count; i++)
        {
            var key = targets[i].GetLabel(targetLabel);
            if (key is null)
            {
                continue;
            }

            if (!map.TryAdd(key, i))
            {
                several ??= new Dictionary<string, List<int>>(StringComparer.Ordinal);
                if (!several.TryGetValue(key, out var list))
                {
                    several[key] = list = [map[key]];
                }

                list.Add(i);
            }
        }

        if (several is null)
        {
            map.TrimExcess();
            return new TargetLabelMap(map, []);
        }

        var shared = new List<int>();
        foreach (var (key, list) in several)
        {
            map[key] = ~shared.Count;
            shared.Add(list.Count);
            shared.AddRange(list);
        }

        map.TrimExcess();
        return new TargetLabelMap(map, [.. shared]);
    }

    /// <summary>
    /// The targets a series answers, looked up by its UTF-8 label value without allocating a string: returns how many
    /// (0 when none); one target is <paramref name="index"/>, several are <see cref="Targets"/>(<paramref name="index"/>, count).
    /// </summary>
    public int Find(ReadOnlySpan<byte> label, out int index)
    {
        Span<char> chars = label.Length <= 256 ? stackalloc char[label.Length] : new char[label.Length];
        var written = Encoding.UTF8.GetChars(label, chars);
        if (!_lookup.TryGetValue(chars[..written], out var value))
        {
            index = -1;
            return 0;
        }

        if (value >= 0)
        {
            index = value;
            return 1;
        }

        index = ~value + 1;
        return _shared[~value];
    }

    /// <summary>The indexes of a label value that several targets share, as <see cref="Find"/> located them.</summary>
    public ReadOnlySpan<int> Targets(int index, int count) => _shared.AsSpan(index, count);
}
