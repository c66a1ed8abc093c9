using NeuronKit.Remote;

namespace NeuronKit.Tests.Remote;

/// <summary>
/// Which redirects a range request follows: to http and https addresses only, and never from https down to http, where the
/// rest of the file would travel in clear text and could be altered on the way. (The test server has no TLS, so the
/// decision is tested where it is made.)
/// </summary>
public class RedirectsTests
{
    private const string Address = "https://example.com/model.safetensors";

    [Theory]
    [InlineData("https://example.com/model.safetensors", "http://cdn.example.com/model.safetensors?X-Amz-Signature=nk-signed-4711")]
    [InlineData("https://example.com/model.safetensors", "http://example.com/model.safetensors")]
    [InlineData("https://example.com:8443/a/model.safetensors", "http://example.com:8443/b/model.safetensors")]
    public void A_redirect_from_https_to_http_is_refused_naming_the_downgrade(string from, string location)
    {
        var error = Assert.Throws<CheckpointException>(() => Redirects.Follow(new Uri(from), new Uri(location), Address));

        Assert.StartsWith($"{Address} redirects from https to http (", error.Message);
        Assert.Contains("refused", error.Message);
        Assert.DoesNotContain("nk-signed-4711", error.Message);
        Assert.NotEmpty(error.Hints);
    }

    [Theory]
    [InlineData("http://example.com/model.safetensors", "https://cdn.example.com/model.safetensors", "https://cdn.example.com/model.safetensors")]
    [InlineData("http://example.com/model.safetensors", "http://cdn.example.com/model.safetensors", "http://cdn.example.com/model.safetensors")]
    [InlineData("https://example.com/a/model.safetensors", "https://cdn.example.com/x?sig=1", "https://cdn.example.com/x?sig=1")]
    [InlineData("https://example.com/a/model.safetensors", "b/model.safetensors", "https://example.com/a/b/model.safetensors")]
    public void A_redirect_that_keeps_or_gains_encryption_is_followed(string from, string location, string expected)
    {
        var target = Redirects.Follow(new Uri(from), new Uri(location, UriKind.RelativeOrAbsolute), Address);

        Assert.Equal(new Uri(expected), target);
    }

    [Fact]
    public void A_redirect_to_another_scheme_is_refused()
    {
        var error = Assert.Throws<CheckpointException>(() =>
            Redirects.Follow(new Uri("http://example.com/model.safetensors"), new Uri("file:///etc/passwd"), Address));

        Assert.Equal($"{Address} redirects to a file: address; only http and https are followed", error.Message);
    }
}
