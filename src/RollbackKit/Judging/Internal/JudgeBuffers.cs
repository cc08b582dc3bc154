using System.Buffers;

namespace RollbackKit.Judging.Internal;

/// <summary>
/// The judge's sample buffers: a pool of its own rather than <see cref="ArrayPool{T}.Shared"/>, which the runtime trims on
/// full garbage collections (and other code in the process drains), so that a judgement after warm-up allocates nothing
/// whatever the rest of the process does. Arrays up to 1,048,576 samples are pooled, 50 per size.
/// </summary>
internal static class JudgeBuffers
{
    /// <summary>The pool.</summary>
    public static ArrayPool<double> Pool { get; } = ArrayPool<double>.Create();
}
