using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Reference.AppHost.Publishing.Yaml;

/// <summary>
/// Writes the block-style YAML subset Kubernetes manifests need: mappings, sequences, strings, integers and
/// booleans, plus full-line comments. A string is written plain only when it cannot be read back as anything
/// else (a number, a boolean, null, a flow collection, a comment); otherwise it is double-quoted with JSON
/// escapes, which YAML's double-quoted style accepts as is.
/// </summary>
internal static partial class YamlWriter
{
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", "nan", ".nan", "inf", ".inf", "-.inf", "+.inf",
    };

    /// <summary>Writes documents separated by <c>---</c>; each may start with comment lines.</summary>
    public static string WriteDocuments(IEnumerable<(IReadOnlyList<string> Comments, YamlMap Root)> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var builder = new StringBuilder();
        var first = true;
        foreach (var (comments, root) in documents)
        {
            if (!first)
            {
                builder.Append("---\n");
            }

            first = false;
            foreach (var comment in comments)
            {
                foreach (var line in comment.Split('\n'))
                {
                    builder.Append(line.Length == 0 ? "#" : "# " + line).Append('\n');
                }
            }

            WriteMap(builder, root, indent: 0);
        }

        return builder.ToString();
    }

    public static string Write(YamlMap root) => WriteDocuments([([], root)]);

    /// <summary>The scalar as it appears in YAML.</summary>
    public static string Scalar(object value) => value switch
    {
        string s => QuoteIfNeeded(s),
        bool b => b ? "true" : "false",
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        _ => throw new ArgumentException($"Cannot write a {value.GetType().Name} as a YAML scalar.", nameof(value)),
    };

    private static void WriteMap(StringBuilder builder, YamlMap map, int indent)
    {
        foreach (var (key, value) in map)
        {
            builder.Append(' ', indent).Append(QuoteIfNeeded(key)).Append(':');
            WriteValueAfterKey(builder, value, indent);
        }
    }

    private static void WriteValueAfterKey(StringBuilder builder, object value, int indent)
    {
        switch (value)
        {
            case YamlMap { Count: 0 }:
                builder.Append(" {}\n");
                break;
            case YamlMap nested:
                builder.Append('\n');
                WriteMap(builder, nested, indent + 2);
                break;
            case System.Collections.IList { Count: 0 }:
                builder.Append(" []\n");
                break;
            case System.Collections.IList list:
                builder.Append('\n');
                WriteList(builder, list, indent + 2);
                break;
            default:
                builder.Append(' ').Append(Scalar(value)).Append('\n');
                break;
        }
    }

    private static void WriteList(StringBuilder builder, System.Collections.IList list, int indent)
    {
        foreach (var item in list)
        {
            builder.Append(' ', indent).Append('-');
            switch (item)
            {
                case YamlMap { Count: > 0 } map:
                    // The first entry shares the dash's line; the others align with it.
                    var first = true;
                    foreach (var (key, value) in map)
                    {
                        if (!first)
                        {
                            builder.Append(' ', indent + 2);
                        }
                        else
                        {
                            builder.Append(' ');
                        }

                        first = false;
                        builder.Append(QuoteIfNeeded(key)).Append(':');
                        WriteValueAfterKey(builder, value, indent + 2);
                    }

                    break;
                case YamlMap:
                    builder.Append(" {}\n");
                    break;
                case System.Collections.IList:
                    throw new ArgumentException("Nested sequences are not needed by any manifest and are not supported.");
                case null:
                    throw new ArgumentException("Null sequence items are not supported.");
                default:
                    builder.Append(' ').Append(Scalar(item)).Append('\n');
                    break;
            }
        }
    }

    private static string QuoteIfNeeded(string value) =>
        IsPlainSafe(value) ? value : JsonSerializer.Serialize(value, QuotingOptions);

    private static readonly JsonSerializerOptions QuotingOptions = new()
    {
        // Keep the text readable: only what JSON (and so YAML double-quoted style) must escape is escaped.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static bool IsPlainSafe(string value) =>
        value.Length > 0
        && PlainPattern().IsMatch(value)
        && !Reserved.Contains(value)
        && !value.EndsWith(':')
        && !value.Contains(": ", StringComparison.Ordinal)
        && !value.Contains(" #", StringComparison.Ordinal)
        && !LooksNumeric(value);

    private static bool LooksNumeric(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
        || value.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
        || value.StartsWith("0o", StringComparison.OrdinalIgnoreCase)
        || NumericLikePattern().IsMatch(value);

    // Starts with a letter, digit, '/' or '.'; then only characters with no YAML meaning in a plain block scalar.
    [GeneratedRegex(@"^[A-Za-z0-9/.][A-Za-z0-9_./:@+=$()-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex PlainPattern();

    // YAML 1.1 readers also take 1_000, 12:30 (sexagesimal) and dates as non-strings.
    [GeneratedRegex(@"^[-+]?[0-9][0-9_:.eE+-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex NumericLikePattern();
}
