namespace RollbackKit.Groups;

/// <summary>
/// Checks <c>RollbackKit:Groups</c> at start: every group has a unique id that is not a target id, at least one member, members
/// that are configured targets listed once and in no other group, and an order that fits its <c>Sequence</c>. Each message
/// starts with the key path and names the value.
/// </summary>
internal static class GroupOptionsValidation
{
    public static void Validate(RollbackKitOptions options, List<string> errors, string prefix)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        var targetIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var target in options.Targets)
        {
            if (target is not null && !string.IsNullOrWhiteSpace(target.Id))
            {
                targetIds.Add(target.Id);
            }
        }

        var groupIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var memberOf = new Dictionary<string, (string Group, string Key)>(StringComparer.Ordinal);
        for (var g = 0; g < options.Groups.Count; g++)
        {
            var group = options.Groups[g];
            var key = $"{prefix}:Groups:{g}";
            if (group is null)
            {
                errors.Add($"{key}: is empty.");
                continue;
            }

            var id = group.Id;
            if (string.IsNullOrWhiteSpace(id))
            {
                errors.Add($"{key}:Id: is required.");
            }
            else if (groupIds.TryGetValue(id, out var first))
            {
                errors.Add($"{key}:Id: duplicate group id '{id}' (already used by {prefix}:Groups:{first}).");
            }
            else
            {
                groupIds[id] = g;
                if (targetIds.Contains(id))
                {
                    errors.Add($"{key}:Id: '{id}' is also a target id; a group id must differ from every target id.");
                }
            }

            var label = string.IsNullOrWhiteSpace(id) ? key : $"'{id}'";
            if (group.Targets.Count == 0)
            {
                errors.Add($"{key}:Targets: group {label} is empty; list at least one target id.");
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var t = 0; t < group.Targets.Count; t++)
            {
                var member = group.Targets[t];
                var memberKey = $"{key}:Targets:{t}";
                if (string.IsNullOrWhiteSpace(member))
                {
                    errors.Add($"{memberKey}: is empty.");
                    continue;
                }

                if (!targetIds.Contains(member))
                {
                    errors.Add($"{memberKey}: unknown target '{member}' (not in {prefix}:Targets).");
                    continue;
                }

                if (!seen.Add(member))
                {
                    errors.Add($"{memberKey}: target '{member}' is listed twice in group {label}.");
                    continue;
                }

                if (memberOf.TryGetValue(member, out var other))
                {
                    errors.Add($"{memberKey}: target '{member}' is already in group '{other.Group}' ({other.Key}); a target can be in one group only.");
                    continue;
                }

                memberOf[member] = (string.IsNullOrWhiteSpace(id) ? key : id, memberKey);
            }

            ValidateOrder(group, key, seen, errors);
        }
    }

    private static void ValidateOrder(RollbackGroupDefinition group, string key, HashSet<string> members, List<string> errors)
    {
        var order = GroupCatalog.OrderOf(group);
        if (order != RollbackGroupOrder.Explicit)
        {
            if (group.Sequence.Count > 0)
            {
                errors.Add($"{key}:Sequence: is only used with Order Explicit (Order is {order}); remove Sequence or set {key}:Order to Explicit.");
            }

            return;
        }

        if (group.Sequence.Count == 0)
        {
            errors.Add($"{key}:Sequence: is required with Order Explicit; list every member of the group once, in rollback order.");
            return;
        }

        var sequenced = new HashSet<string>(StringComparer.Ordinal);
        for (var s = 0; s < group.Sequence.Count; s++)
        {
            var id = group.Sequence[s];
            if (string.IsNullOrWhiteSpace(id) || !members.Contains(id))
            {
                errors.Add($"{key}:Sequence:{s}: '{id}' is not a member of the group (members: {string.Join(", ", members)}).");
            }
            else if (!sequenced.Add(id))
            {
                errors.Add($"{key}:Sequence:{s}: '{id}' is listed twice.");
            }
        }

        foreach (var member in members)
        {
            if (!sequenced.Contains(member))
            {
                errors.Add($"{key}:Sequence: member '{member}' is missing; list every member of the group once.");
            }
        }
    }
}
