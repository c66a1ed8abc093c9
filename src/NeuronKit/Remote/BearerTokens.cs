namespace NeuronKit.Remote;

/// <summary>
/// The bearer token sent to a host, from the environment: <c>NEURONKIT_TOKEN</c> for any host, else <c>HF_TOKEN</c> for
/// the Hugging Face hub's hosts. It goes only to the host the user named, never to the host a redirect leads to, and is
/// never printed.
/// </summary>
public static class BearerTokens
{
    /// <summary>The variable whose token goes to any host.</summary>
    public const string Variable = "NEURONKIT_TOKEN";

    /// <summary>The Hugging Face hub's own variable, used for its hosts when <see cref="Variable"/> is not set.</summary>
    public const string HubVariable = "HF_TOKEN";

    private static readonly string[] HubHosts = ["huggingface.co", "hf.co"];

    /// <summary>The token for <paramref name="url"/>'s host and the variable it came from, or null.</summary>
    public static (string Token, string Variable)? For(Uri url)
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } token) return (token.Trim(), Variable);
        bool hub = HubHosts.Any(h => url.Host.Equals(h, StringComparison.OrdinalIgnoreCase)
            || url.Host.EndsWith("." + h, StringComparison.OrdinalIgnoreCase));
        if (hub && Environment.GetEnvironmentVariable(HubVariable) is { Length: > 0 } hubToken) return (hubToken.Trim(), HubVariable);
        return null;
    }
}
