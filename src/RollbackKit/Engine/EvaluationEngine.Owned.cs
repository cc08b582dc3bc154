namespace RollbackKit.Engine;

/// <summary>A run of consecutive engine target indexes <c>[Start, End)</c>.</summary>
/// <param name="Start">The first target index.</param>
/// <param name="End">One past the last target index.</param>
internal readonly record struct TargetRange(int Start, int End)
{
    /// <summary>The number of targets in the run.</summary>
    public int Length => End - Start;

    /// <summary>Merges ascending, distinct target indexes into the fewest runs (<c>0, 1, 2, 5</c> gives <c>[0, 3), [5, 6)</c>).</summary>
    /// <param name="indexes">Target indexes in ascending order, without repeats.</param>
    /// <returns>The runs, in ascending order.</returns>
    /// <exception cref="ArgumentException">The indexes are not ascending and distinct.</exception>
    public static TargetRange[] FromIndexes(ReadOnlySpan<int> indexes)
    {
        var runs = new List<TargetRange>();
        var i = 0;
        while (i < indexes.Length)
        {
            var start = indexes[i];
            var end = start + 1;
            i++;
            while (i < indexes.Length && indexes[i] == end)
            {
                end++;
                i++;
            }

            if (i < indexes.Length && indexes[i] < end)
            {
                throw new ArgumentException("Target indexes must be ascending and distinct.", nameof(indexes));
            }

            runs.Add(new TargetRange(start, end));
        }

        return [.. runs];
    }
}

/// <summary>Evaluation of some of the targets (the ones a replica owns when the targets are sharded).</summary>
internal sealed partial class EvaluationEngine
{
    /// <summary>
    /// Largest gap, in targets, between two runs whose column programs (conditions of no fast shape) run as one span in
    /// <see cref="EvaluateOwned"/>. Running a program over a few targets outside the runs only writes scratch and result
    /// columns nobody reads for them (no state, no verdicts), costs little vectorized, and saves the per-run start-up, so
    /// the program work stays at most <c>(ProgramGap + 1) × owned targets</c>.
    /// </summary>
    internal const int ProgramGap = 16;

    /// <summary>
    /// Runs one tick at <paramref name="now"/> over the targets in <paramref name="runs"/> only, exactly as
    /// <see cref="Evaluate"/> would for them: same programs, same per-target pass, same verdicts at the same places
    /// (<c>verdicts[target * triggerCount + trigger]</c>, engine index = configuration index). The verdicts and timing state
    /// of every other target are neither read nor written, so the work is proportional to the targets in the runs, not
    /// to the fleet. Allocates nothing.
    /// </summary>
    /// <remarks>
    /// Targets keep their configuration order (other components address them by that index), so owned targets hashed
    /// into shards are scattered: the caller passes them as runs of consecutive indexes
    /// (<see cref="TargetRange.FromIndexes"/>, computed once per ownership change). Column programs run over spans of runs
    /// at most <see cref="ProgramGap"/> apart; the per-target pass runs run by run, so scattered single targets pay a
    /// small fixed cost per run and trigger on top of the per-target work. Captured baselines update as in
    /// <see cref="Evaluate"/>; a target outside the runs should have its query statuses cleared so a capture in
    /// progress does not count stale values.
    /// </remarks>
    /// <param name="now">The evaluation time.</param>
    /// <param name="runs">The targets to evaluate, as ascending, non-overlapping runs of engine indexes.</param>
    /// <param name="verdicts">Caller-provided memory of at least <see cref="VerdictCount"/> items.</param>
    /// <returns>The number of verdicts (of these targets) with <see cref="TriggerVerdict.Fired"/> or <see cref="TriggerVerdict.ErrorLimitReached"/> set.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A run is empty, out of order, overlaps the one before or lies outside the targets.</exception>
    public int EvaluateOwned(DateTimeOffset now, ReadOnlySpan<TargetRange> runs, Span<TriggerVerdict> verdicts)
    {
        if (verdicts.Length < VerdictCount)
        {
            throw new ArgumentException($"Needs room for {VerdictCount} verdicts, got {verdicts.Length}.", nameof(verdicts));
        }

        var previousEnd = 0;
        foreach (var run in runs)
        {
            if (run.Start < previousEnd || run.End <= run.Start || run.End > _count)
            {
                throw new ArgumentOutOfRangeException(nameof(runs), $"Run [{run.Start}, {run.End}) is not within [{previousEnd}, {_count}): runs must be non-empty, ascending and apart.");
            }

            previousEnd = run.End;
        }

        var nowTicks = now.UtcTicks;
        foreach (var baseline in _baselines)
        {
            baseline.Update(nowTicks, _values, _statuses);
        }

        var reported = 0;
        var first = 0;
        while (first < runs.Length)
        {
            // Runs separated by small gaps share one program span (see ProgramGap); the pass still goes run by run.
            var spanStart = runs[first].Start;
            var spanEnd = runs[first].End;
            var last = first + 1;
            while (last < runs.Length && runs[last].Start - spanEnd <= ProgramGap && runs[last].End - spanStart <= BlockSize)
            {
                spanEnd = runs[last].End;
                last++;
            }

            // A run longer than a block is split as Evaluate splits the fleet (see BlockSize).
            for (var start = spanStart; start < spanEnd; start += BlockSize)
            {
                var length = Math.Min(BlockSize, spanEnd - start);
                foreach (var t in _general)
                {
                    _plans[t].Program!.Run(start, length);
                }
            }

            for (var r = first; r < last; r++)
            {
                for (var start = runs[r].Start; start < runs[r].End; start += BlockSize)
                {
                    reported += Pass(nowTicks, start, Math.Min(runs[r].End, start + BlockSize), verdicts);
                }
            }

            first = last;
        }

        return reported;
    }
}
