namespace NeuronKit.Tests.Web;

/// <summary>
/// A test driven in Debian's Chromium through Playwright (which cannot download browsers here): skipped, with how to
/// install it, where /usr/bin/chromium is missing. .ci/run installs it and fails on such a skip.
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public const string Chromium = "/usr/bin/chromium";

    public BrowserFactAttribute()
    {
        if (!File.Exists(Chromium)) Skip = $"{Chromium} is missing: apt-get install chromium (Debian's package; .ci/run installs it)";
    }
}
