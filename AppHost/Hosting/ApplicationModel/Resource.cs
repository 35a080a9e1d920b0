namespace Reference.AppHost.Hosting;

/// <summary>A named part of the distributed application: a process, a server or a parameter.</summary>
public abstract class Resource
{
    /// <summary>Creates a resource.</summary>
    /// <param name="name">The resource name, also its service-discovery name (lower case letters, digits and dashes).</param>
    protected Resource(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!IsValidName(name))
        {
            throw new ArgumentException(
                $"Resource name '{name}' is invalid: use lower case letters, digits and dashes, starting with a letter.", nameof(name));
        }

        Name = name;
    }

    /// <summary>The resource name.</summary>
    public string Name { get; }

    /// <summary>A short type name shown in the resource table (Project, Executable, Redis, Parameter).</summary>
    public abstract string ResourceType { get; }

    /// <inheritdoc />
    public override string ToString() => $"{ResourceType} '{Name}'";

    private static bool IsValidName(string name) =>
        char.IsAsciiLetterLower(name[0]) && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
}
