using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Reference.AppHost.Tests.Publishing;

/// <summary>
/// Reads the block-style YAML the publisher writes (mappings, "- " sequences, plain and double-quoted scalars,
/// <c>{}</c>/<c>[]</c>, full-line comments, <c>---</c> separators) into dictionaries, lists and strings. Anything
/// else is a test failure: the reader is deliberately strict so that the writer cannot drift unnoticed.
/// </summary>
public static partial class YamlReader
{
    public static IReadOnlyList<Dictionary<string, object>> ReadDocuments(string text)
    {
        var documents = new List<Dictionary<string, object>>();
        var current = new List<(int Indent, string Text)>();
        foreach (var raw in text.Split('\n'))
        {
            if (raw == "---")
            {
                documents.Add(ReadDocument(current));
                current = [];
                continue;
            }

            var trimmed = raw.TrimStart(' ');
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
            {
                continue;
            }

            if (raw.Contains('\t', StringComparison.Ordinal))
            {
                throw new FormatException($"Tab in YAML line: {raw}");
            }

            current.Add((raw.Length - trimmed.Length, trimmed));
        }

        documents.Add(ReadDocument(current));
        return documents;
    }

    private static Dictionary<string, object> ReadDocument(List<(int Indent, string Text)> lines)
    {
        var index = 0;
        var node = ReadNode(lines, ref index, 0);
        if (index != lines.Count)
        {
            throw new FormatException($"Unexpected YAML line: {lines[index].Text}");
        }

        return node as Dictionary<string, object> ?? throw new FormatException("A document must be a mapping.");
    }

    private static object ReadNode(List<(int Indent, string Text)> lines, ref int index, int indent)
    {
        if (index >= lines.Count || lines[index].Indent != indent)
        {
            throw new FormatException($"Expected a node at indent {indent}.");
        }

        return lines[index].Text.StartsWith("- ", StringComparison.Ordinal) || lines[index].Text == "-"
            ? ReadSequence(lines, ref index, indent)
            : ReadMapping(lines, ref index, indent);
    }

    private static Dictionary<string, object> ReadMapping(List<(int Indent, string Text)> lines, ref int index, int indent)
    {
        var map = new Dictionary<string, object>(StringComparer.Ordinal);
        while (index < lines.Count && lines[index].Indent == indent && !lines[index].Text.StartsWith('-'))
        {
            var (key, rest) = SplitKey(lines[index].Text);
            index++;
            object value;
            if (rest.Length > 0)
            {
                value = Scalar(rest);
            }
            else if (index < lines.Count && lines[index].Indent > indent)
            {
                value = ReadNode(lines, ref index, lines[index].Indent);
            }
            else
            {
                throw new FormatException($"Key '{key}' has no value.");
            }

            if (!map.TryAdd(key, value))
            {
                throw new FormatException($"Duplicate key '{key}'.");
            }
        }

        if (index < lines.Count && lines[index].Indent > indent)
        {
            throw new FormatException($"Bad indentation: {lines[index].Text}");
        }

        return map;
    }

    private static List<object> ReadSequence(List<(int Indent, string Text)> lines, ref int index, int indent)
    {
        var list = new List<object>();
        while (index < lines.Count && lines[index].Indent == indent && lines[index].Text.StartsWith("- ", StringComparison.Ordinal))
        {
            var content = lines[index].Text[2..];
            if (LooksLikeKey(content))
            {
                // "- key: value": a mapping whose entries align two columns in.
                lines[index] = (indent + 2, content);
                list.Add(ReadMapping(lines, ref index, indent + 2));
            }
            else
            {
                list.Add(Scalar(content));
                index++;
            }
        }

        return list;
    }

    private static bool LooksLikeKey(string text)
    {
        if (text.StartsWith('"'))
        {
            var end = ClosingQuote(text);
            return end + 1 < text.Length && text[end + 1] == ':';
        }

        return text.EndsWith(':') || text.Contains(": ", StringComparison.Ordinal);
    }

    private static (string Key, string Value) SplitKey(string text)
    {
        if (text.StartsWith('"'))
        {
            var end = ClosingQuote(text);
            var key = JsonSerializer.Deserialize<string>(text[..(end + 1)])!;
            return text[end + 1] == ':' ? (key, text[(end + 2)..].Trim()) : throw new FormatException($"Bad key: {text}");
        }

        var colon = text.IndexOf(": ", StringComparison.Ordinal);
        if (colon < 0)
        {
            return text.EndsWith(':') ? (text[..^1], "") : throw new FormatException($"Not a mapping entry: {text}");
        }

        return (text[..colon], text[(colon + 2)..].Trim());
    }

    private static int ClosingQuote(string text)
    {
        for (var i = 1; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == '"')
            {
                return i;
            }
        }

        throw new FormatException($"Unterminated string: {text}");
    }

    private static object Scalar(string text) => text switch
    {
        "{}" => new Dictionary<string, object>(StringComparer.Ordinal),
        "[]" => new List<object>(),
        _ when text.StartsWith('"') => ClosingQuote(text) == text.Length - 1
            ? JsonSerializer.Deserialize<string>(text)!
            : throw new FormatException($"Text after a quoted string: {text}"),
        _ when text.StartsWith('\'') || text.StartsWith('{') || text.StartsWith('[') || text.StartsWith('&') || text.StartsWith('*')
            || text.StartsWith('|') || text.StartsWith('>') || text.Contains(" #", StringComparison.Ordinal)
            => throw new FormatException($"The publisher never writes this YAML form: {text}"),
        "true" or "false" => text == "true",
        _ when IntegerPattern().IsMatch(text) => long.Parse(text, CultureInfo.InvariantCulture),
        _ when Ambiguous.Contains(text) || NumberLikePattern().IsMatch(text)
            || double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
            => throw new FormatException($"Ambiguous plain scalar (YAML 1.1 readers would not see a string): {text}"),
        _ => text,
    };

    private static readonly HashSet<string> Ambiguous = new(StringComparer.OrdinalIgnoreCase)
    {
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", ".nan", ".inf", "-.inf", "+.inf",
    };

    [GeneratedRegex(@"^-?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?[0-9][0-9_:.eE+-]*$|^0[xXoO]")]
    private static partial Regex NumberLikePattern();
}

/// <summary>Navigation helpers over what <see cref="YamlReader"/> returns.</summary>
public static class YamlNode
{
    public static Dictionary<string, object> Map(this object node, string key) =>
        node is Dictionary<string, object> map && map.TryGetValue(key, out var value) && value is Dictionary<string, object> child
            ? child
            : throw new KeyNotFoundException($"No mapping at '{key}'.");

    public static Dictionary<string, object>? MapOrNull(this object node, string key) =>
        node is Dictionary<string, object> map && map.TryGetValue(key, out var value) ? value as Dictionary<string, object> : null;

    public static List<object> List(this object node, string key) =>
        node is Dictionary<string, object> map && map.TryGetValue(key, out var value) && value is List<object> child
            ? child
            : throw new KeyNotFoundException($"No sequence at '{key}'.");

    public static List<object> ListOrEmpty(this object node, string key) =>
        node is Dictionary<string, object> map && map.TryGetValue(key, out var value) && value is List<object> child ? child : [];

    public static string Str(this object node, string key) =>
        node is Dictionary<string, object> map && map.TryGetValue(key, out var value) && value is string s
            ? s
            : throw new KeyNotFoundException($"No scalar at '{key}'.");

    public static long Number(this object node, string key) =>
        node is Dictionary<string, object> map && map.TryGetValue(key, out var value) && value is long l
            ? l
            : throw new KeyNotFoundException($"No number at '{key}'.");

    public static bool Bool(this object node, string key) =>
        node is Dictionary<string, object> map && map.TryGetValue(key, out var value) && value is bool b
            ? b
            : throw new KeyNotFoundException($"No boolean at '{key}'.");

    public static string? StrOrNull(this object node, string key) =>
        node is Dictionary<string, object> map && map.TryGetValue(key, out var value) ? value as string : null;

    public static Dictionary<string, string> Strings(this Dictionary<string, object> map) =>
        map.ToDictionary(e => e.Key, e => e.Value as string ?? throw new FormatException($"'{e.Key}' is not a string."), StringComparer.Ordinal);
}
