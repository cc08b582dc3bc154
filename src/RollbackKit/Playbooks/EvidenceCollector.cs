using System.Collections.Concurrent;

namespace RollbackKit.Playbooks;

/// <summary>Collects the evidence items of one rollback, in the order added.</summary>
internal sealed class EvidenceCollector : IEvidenceSink
{
    private readonly ConcurrentQueue<KeyValuePair<string, string>> _items = new();

    public void Add(string name, string content)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _items.Enqueue(new(name, content ?? string.Empty));
    }

    public IReadOnlyList<KeyValuePair<string, string>> Items => _items.ToArray();

    /// <summary>Turns a step name into a safe folder name for evidence files.</summary>
    public static string SafeName(string name)
    {
        Span<char> buffer = stackalloc char[Math.Min(name.Length, 64)];
        for (var i = 0; i < buffer.Length; i++)
        {
            var c = name[i];
            buffer[i] = char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_';
        }

        return buffer.Length == 0 ? "step" : new string(buffer);
    }
}
