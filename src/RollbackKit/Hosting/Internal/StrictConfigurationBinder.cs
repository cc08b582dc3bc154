using System.Collections;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace RollbackKit.Internal;

/// <summary>
/// Binds a configuration section to an options object and reports, instead of skipping, every key it cannot use: a value
/// that does not convert (<c>RollbackKit:Triggers:0:Severity: 'Urgent' is not valid …</c>) and a key no property matches
/// (<c>RollbackKit:Trigers: unknown key; did you mean 'Triggers'?</c>). A list item whose value does not convert is kept
/// (and reported), never dropped. Durations go through <see cref="DurationParser"/>. Dictionaries keep free-form keys.
/// </summary>
internal static class StrictConfigurationBinder
{
    /// <summary>Binds <paramref name="section"/> to <paramref name="target"/>.</summary>
    /// <param name="section">The configuration to read.</param>
    /// <param name="target">The options instance.</param>
    /// <param name="path">The key path of <paramref name="section"/>, used in messages.</param>
    /// <param name="errors">Receives one message per problem.</param>
    /// <param name="allowedChildren">Extra child keys allowed at a path (sections bound by other options), or <see langword="null"/>.</param>
    public static void Bind(IConfiguration section, object target, string path, List<string> errors, Func<string, IReadOnlyCollection<string>>? allowedChildren = null)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(target);
        new Binder(errors, allowedChildren).BindObject(section, target, path);
    }

    private sealed class Binder(List<string> errors, Func<string, IReadOnlyCollection<string>>? allowedChildren)
    {
        public void BindObject(IConfiguration section, object target, string path)
        {
            var properties = BindableProperties(target.GetType());
            foreach (var child in section.GetChildren())
            {
                var key = child.Key;
                var childPath = path + ":" + key;
                var property = Array.Find(properties, p => string.Equals(p.Name, key, StringComparison.OrdinalIgnoreCase));
                if (property is null)
                {
                    var extra = allowedChildren?.Invoke(path);
                    if (extra is not null && extra.Contains(key, StringComparer.OrdinalIgnoreCase))
                    {
                        continue;
                    }

                    var known = properties.Select(static p => p.Name).Concat(extra ?? []);
                    var nearest = Nearest(key, known);
                    errors.Add(nearest is null
                        ? $"{childPath}: unknown key."
                        : $"{childPath}: unknown key; did you mean '{nearest}'?");
                    continue;
                }

                BindProperty(child, target, property, childPath);
            }
        }

        private void BindProperty(IConfigurationSection child, object target, PropertyInfo property, string path)
        {
            var type = property.PropertyType;
            if (IsScalar(type))
            {
                if (!property.CanWrite)
                {
                    errors.Add($"{path}: cannot be set from configuration.");
                    return;
                }

                if (ReadScalar(child, type, path, out var value))
                {
                    property.SetValue(target, value);
                }

                return;
            }

            if (child.Value is { Length: > 0 } text && !child.GetChildren().Any())
            {
                errors.Add($"{path}: '{text}' is not valid: expected a section, not a value.");
                return;
            }

            var existing = property.GetValue(target);
            var bound = BindComposite(child, type, existing, path);
            if (bound is not null && !ReferenceEquals(bound, existing))
            {
                if (property.CanWrite)
                {
                    property.SetValue(target, bound);
                }
                else
                {
                    errors.Add($"{path}: cannot be set from configuration.");
                }
            }
        }

        private object? BindComposite(IConfigurationSection section, Type type, object? existing, string path)
        {
            if (type.IsArray)
            {
                var elementType = type.GetElementType()!;
                var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(elementType))!;
                if (existing is IEnumerable old)
                {
                    foreach (var item in old)
                    {
                        list.Add(item);
                    }
                }

                BindList(section, list, elementType, path);
                var array = Array.CreateInstance(elementType, list.Count);
                list.CopyTo(array, 0);
                return array;
            }

            if (DictionaryValueType(type) is { } valueType)
            {
                var dictionary = existing as IDictionary ?? (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(typeof(string), valueType))!;
                foreach (var child in section.GetChildren())
                {
                    var childPath = path + ":" + child.Key;
                    if (ReadElement(child, valueType, dictionary.Contains(child.Key) ? dictionary[child.Key] : null, childPath, out var value))
                    {
                        dictionary[child.Key] = value;
                    }
                }

                return dictionary;
            }

            if (ListElementType(type) is { } element)
            {
                var list = existing as IList ?? (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
                BindList(section, list, element, path);
                return list;
            }

            if (type.IsInterface || type.IsAbstract || type == typeof(object) || typeof(Delegate).IsAssignableFrom(type))
            {
                errors.Add($"{path}: cannot be set from configuration.");
                return existing;
            }

            var instance = existing;
            if (instance is null)
            {
                if (type.GetConstructor(Type.EmptyTypes) is null)
                {
                    errors.Add($"{path}: cannot be set from configuration.");
                    return null;
                }

                instance = Activator.CreateInstance(type)!;
            }

            BindObject(section, instance, path);
            return instance;
        }

        private void BindList(IConfigurationSection section, IList list, Type elementType, string path)
        {
            var items = new List<(int Index, IConfigurationSection Section)>();
            foreach (var child in section.GetChildren())
            {
                if (int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    items.Add((index, child));
                }
                else
                {
                    errors.Add($"{path}:{child.Key}: unknown key; '{section.Key}' is a list, its items are numbered 0, 1, 2, ….");
                }
            }

            items.Sort(static (a, b) => a.Index.CompareTo(b.Index));
            foreach (var (_, child) in items)
            {
                // An item that does not convert is still added (with its default) and reported, so nothing disappears silently.
                _ = ReadElement(child, elementType, null, path + ":" + child.Key, out var value);
                list.Add(value ?? (elementType.IsValueType ? Activator.CreateInstance(elementType) : null));
            }
        }

        private bool ReadElement(IConfigurationSection child, Type type, object? existing, string path, out object? value)
        {
            if (IsScalar(type))
            {
                return ReadScalar(child, type, path, out value);
            }

            if (child.Value is { Length: > 0 } text && !child.GetChildren().Any())
            {
                errors.Add($"{path}: '{text}' is not valid: expected a section, not a value.");
                value = null;
                return false;
            }

            value = BindComposite(child, type, existing, path);
            return value is not null;
        }

        private bool ReadScalar(IConfigurationSection child, Type type, string path, out object? value)
        {
            value = null;
            if (child.GetChildren().Any())
            {
                errors.Add($"{path}: expected a value ({Describe(type)}), not a section.");
                return false;
            }

            if (child.Value is null)
            {
                return false;
            }

            if (TryConvert(child.Value, type, out value))
            {
                return true;
            }

            errors.Add($"{path}: '{child.Value}' is not valid: expected {Describe(type)}.");
            return false;
        }
    }

    internal static bool TryConvert(string text, Type type, out object? value)
    {
        value = null;
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null)
        {
            if (text.Length == 0)
            {
                return true;
            }

            type = underlying;
        }

        if (type == typeof(string))
        {
            value = text;
            return true;
        }

        if (type == typeof(TimeSpan))
        {
            var ok = DurationParser.TryParse(text, out var duration);
            value = duration;
            return ok;
        }

        if (type.IsEnum)
        {
            var name = text.Trim();
            if (name.Length > 0 && !char.IsAsciiDigit(name[0]) && name[0] != '-' && Enum.TryParse(type, name, ignoreCase: true, out var parsed)
                && (Enum.IsDefined(type, parsed!) || type.IsDefined(typeof(FlagsAttribute), inherit: false)))
            {
                value = parsed;
                return true;
            }

            return false;
        }

        if (type == typeof(bool))
        {
            var ok = bool.TryParse(text, out var flag);
            value = flag;
            return ok;
        }

        if (type == typeof(Uri))
        {
            var ok = Uri.TryCreate(text, UriKind.RelativeOrAbsolute, out var uri);
            value = uri;
            return ok;
        }

        try
        {
            if (type.IsPrimitive || type == typeof(decimal))
            {
                value = Convert.ChangeType(text, type, CultureInfo.InvariantCulture);
                return true;
            }

            var converter = TypeDescriptor.GetConverter(type);
            if (converter.CanConvertFrom(typeof(string)))
            {
                value = converter.ConvertFromInvariantString(text);
                return true;
            }
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or InvalidCastException or ArgumentException or NotSupportedException)
        {
            return false;
        }

        return false;
    }

    private static bool IsScalar(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
            || type == typeof(Uri) || type == typeof(DateTimeOffset) || type == typeof(DateTime) || type == typeof(Guid);
    }

    private static string Describe(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(TimeSpan))
        {
            return DurationParser.Expected;
        }

        if (type.IsEnum)
        {
            return "one of " + string.Join(", ", Enum.GetNames(type));
        }

        if (type == typeof(bool))
        {
            return "true or false";
        }

        if (type == typeof(int) || type == typeof(long) || type == typeof(short))
        {
            return "a whole number";
        }

        if (type == typeof(double) || type == typeof(float) || type == typeof(decimal))
        {
            return "a number";
        }

        return type == typeof(Uri) ? "a URI" : "a " + type.Name;
    }

    private static Type? DictionaryValueType(Type type)
    {
        foreach (var candidate in type.GetInterfaces().Prepend(type))
        {
            if (candidate.IsGenericType && candidate.GetGenericTypeDefinition() is var definition
                && (definition == typeof(IDictionary<,>) || definition == typeof(Dictionary<,>) || definition == typeof(IReadOnlyDictionary<,>))
                && candidate.GetGenericArguments()[0] == typeof(string))
            {
                return candidate.GetGenericArguments()[1];
            }
        }

        return null;
    }

    private static Type? ListElementType(Type type)
    {
        if (type == typeof(string))
        {
            return null;
        }

        foreach (var candidate in type.GetInterfaces().Prepend(type))
        {
            if (candidate.IsGenericType && candidate.GetGenericTypeDefinition() is var definition
                && (definition == typeof(IList<>) || definition == typeof(ICollection<>) || definition == typeof(IEnumerable<>)
                    || definition == typeof(IReadOnlyList<>) || definition == typeof(IReadOnlyCollection<>) || definition == typeof(List<>)))
            {
                return candidate.GetGenericArguments()[0];
            }
        }

        return null;
    }

    private static PropertyInfo[] BindableProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(static p => p.GetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0)
            .ToArray();

    /// <summary>The known key closest to <paramref name="key"/>, when close enough to be a likely typo.</summary>
    internal static string? Nearest(string key, IEnumerable<string> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var distance = Distance(key.ToUpperInvariant(), candidate.ToUpperInvariant());
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = candidate;
            }
        }

        return best is not null && bestDistance <= Math.Max(2, best.Length / 3) ? best : null;
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
