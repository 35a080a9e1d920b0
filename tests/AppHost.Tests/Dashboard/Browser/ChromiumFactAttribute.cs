namespace Reference.AppHost.Tests.Dashboard.Browser;

/// <summary>A fact that is skipped, with the reason shown by the runner, when no Chromium can be found.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (ChromiumSession.FindExecutable() is null)
        {
            Skip = "Chromium not found (install Debian's chromium: apt-get install -y chromium, or set CHROMIUM_PATH); the browser test needs it.";
        }
    }
}
