using NeuronKit.Remote;
using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Remote;

/// <summary>
/// Over HTTP as from a folder, a file reaches only what it may: an index or external data cannot name anything outside
/// its base URL, and the bearer token goes only to the host the user named, never printed and never after a redirect
/// to another host.
/// </summary>
[Collection(RemoteCollection.Name)]
public class RemoteSecurityTests
{
    private const string Token = "nk-secret-token-4711";

    [Theory]
    [InlineData("safetensors/shard_dotdot/model.safetensors.index.json", "../seed_linear.safetensors")]
    [InlineData("safetensors/shard_absolute/model.safetensors.index.json", null)]
    [InlineData("onnx/external_parent.onnx", null)]
    [InlineData("onnx/external_absolute.onnx", null)]
    public async Task An_index_or_external_data_that_points_outside_its_base_URL_is_refused_as_by_path(string file, string? outside)
    {
        // Given a model whose index or external data names '..' or an absolute path, served over HTTP
        await using var server = await RangeServer.Start();

        // When it is opened by URL
        var byUrl = CliRun.Of("layers", server.Url($"f/{file}"));
        var byPath = CliRun.Of("layers", Fixtures.Path(file));

        // Then it is refused with the same message as by path, and nothing but the model itself was fetched
        Assert.Equal(3, byUrl.Exit);
        Assert.Equal(byPath.Exit, byUrl.Exit);
        Assert.Equal(byPath.Stderr, byUrl.Stderr);
        Assert.All(server.Paths, p => Assert.Equal("/f/" + file, p));
        if (outside is not null) Assert.DoesNotContain(server.Paths, p => p.EndsWith(Path.GetFileName(outside), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("http://127.0.0.1:1/secret.safetensors")]
    [InlineData("/secret.safetensors")]
    [InlineData("..%2Fsecret.safetensors")]
    public async Task An_index_naming_a_URL_an_absolute_path_or_an_escaped_parent_is_refused_or_stays_under_the_base(string shard)
    {
        // Given an index, served under /t/, that places a tensor in a shard named like a way out
        await using var server = await RangeServer.Start();
        File.Copy(Fixtures.Path("safetensors/seed_linear.safetensors"), Path.Combine(server.Folder, "secret.safetensors"));
        Directory.CreateDirectory(Path.Combine(server.Folder, "model"));
        File.WriteAllText(Path.Combine(server.Folder, "model", "model.safetensors.index.json"),
            "{\"metadata\": {}, \"weight_map\": {\"fc.weight\": \"" + shard + "\"}}");

        // When it is opened by URL
        var run = CliRun.Of("layers", server.Url("t/model/model.safetensors.index.json"));

        // Then it fails, and the file outside the index's folder was never asked for
        Assert.Equal(3, run.Exit);
        Assert.DoesNotContain(server.Paths, p => p == "/t/secret.safetensors");
        Assert.All(server.Paths, p => Assert.StartsWith("/t/model/", p));
    }

    [Theory]
    [InlineData("show", "{0}", "0", "1", "--json")]
    [InlineData("show", "{0}", "0", "1")]
    [InlineData("layers", "{0}")]
    [InlineData("layers", "{0}", "--json")]
    [InlineData("tensors", "{0}", "--json")]
    [InlineData("tensors", "{0}")]
    [InlineData("stats", "{0}", "--json")]
    [InlineData("diff", "{0}", "{0}")]
    [InlineData("diff", "{0}", "{0}", "--json")]
    public async Task A_URL_s_query_which_may_carry_a_signature_is_never_printed(params string[] arguments)
    {
        // Given a file served at a URL whose query signs it (as a presigned S3 or Azure URL does), with a '/' in it
        await using var server = await RangeServer.Start();
        string file = "safetensors/seed_linear.safetensors";
        string url = server.Url($"f/{file}") + "?X-Amz-Signature=nk-signed-4711&next=/a/b/other.bin";

        // When a command reads it by URL
        var byUrl = CliRun.Of([.. arguments.Select(a => a.Replace("{0}", url))]);

        // Then it prints what it prints by path, naming the file seed_linear.safetensors, and never the query
        var byPath = CliRun.Of([.. arguments.Select(a => a.Replace("{0}", Fixtures.Path(file)))]);
        Assert.True(byUrl.Exit == 0, byUrl.Stderr);
        Assert.Equal(byPath.Stdout, byUrl.Stdout);
        Assert.DoesNotContain("nk-signed-4711", byUrl.Stdout + byUrl.Stderr);
        Assert.Contains("seed_linear.safetensors", byUrl.Stdout);
    }

    [Fact]
    public async Task The_token_goes_to_the_named_host_only_never_after_a_redirect_to_another_and_is_never_printed()
    {
        // Given NEURONKIT_TOKEN, and a URL on 127.0.0.1 that redirects to the same file on localhost (another host)
        await using var server = await RangeServer.Start();
        string file = "safetensors/seed_linear.safetensors";
        using var token = new EnvironmentVariable(BearerTokens.Variable, Token);

        // When a neuron is shown through the redirect, with everything --verbose prints
        var run = CliRun.Of("show", server.Url($"redirect/f/{file}"), "0", "1", "--json", "--verbose", "--stats-requests");

        // Then the answer is the file's; 127.0.0.1 got the token, localhost never did; no output holds it
        SameRun.Assert(CliRun.Of("show", Fixtures.Path(file), "0", "1", "--json"), run with { Stderr = "" });
        var sent = server.Authorizations.ToList();
        Assert.Contains(("127.0.0.1", "Bearer " + Token), sent);
        Assert.Contains(sent, s => s.Host == "localhost");
        Assert.All(sent.Where(s => s.Host == "localhost"), s => Assert.Equal("", s.Authorization));
        Assert.DoesNotContain(Token, run.Stdout + run.Stderr);
        Assert.Matches(@"^requests: \d+, bytes: [\d,]+ \(of [\d,]+\)", run.Stderr);
    }

    [Fact]
    public async Task A_URL_opened_again_after_the_token_was_set_sends_the_token_rather_than_joining_the_tokenless_session()
    {
        // Given a file opened by URL with no token set, and still open
        await using var server = await RangeServer.Start();
        string url = server.Url("f/safetensors/seed_linear.safetensors");
        using var none = new EnvironmentVariable(BearerTokens.Variable, null);
        using var first = Model.Open(url);

        // When NEURONKIT_TOKEN is set and the URL is opened again
        using (new EnvironmentVariable(BearerTokens.Variable, Token))
        {
            using var second = Model.Open(url);
        }

        // Then the second open asked the server itself, with the token
        Assert.Equal([("127.0.0.1", ""), ("127.0.0.1", "Bearer " + Token)], server.Authorizations);
    }

    [Fact]
    public async Task A_refused_token_is_named_by_its_variable_not_its_value()
    {
        // Given a server path that does not exist and a token (a hub answers 401 or 404 alike for private files)
        await using var server = await RangeServer.Start();
        using var token = new EnvironmentVariable(BearerTokens.Variable, Token);

        var run = CliRun.Of("layers", server.Url("t/private.safetensors"), "--verbose");

        Assert.Equal(3, run.Exit);
        Assert.DoesNotContain(Token, run.Stdout + run.Stderr);
    }

    [Fact]
    public async Task A_refusal_by_the_host_named_says_the_token_was_sent_to_it()
    {
        // Given NEURONKIT_TOKEN, and a URL on 127.0.0.1 that answers 403
        await using var server = await RangeServer.Start();
        using var token = new EnvironmentVariable(BearerTokens.Variable, Token);

        var run = CliRun.Of("layers", server.Url("forbidden/f/safetensors/seed_linear.safetensors"));

        // Then the refusal is the host's own, and the token was sent to it
        Assert.Equal(3, run.Exit);
        Assert.Contains($"error: {server.Url("forbidden/f/safetensors/seed_linear.safetensors")} refused access (HTTP 403 Forbidden)", run.Stderr);
        Assert.Contains("hint: the token in NEURONKIT_TOKEN was sent; check that it may read this file", run.Stderr);
        Assert.Equal([("127.0.0.1", "Bearer " + Token)], server.Authorizations);
    }

    [Fact]
    public async Task A_refusal_after_a_redirect_to_another_origin_says_the_token_was_withheld_from_it_and_what_to_do()
    {
        // Given NEURONKIT_TOKEN, and a URL on 127.0.0.1 that redirects to localhost (another origin), which answers 403
        await using var server = await RangeServer.Start();
        string url = server.Url("redirect/forbidden/f/safetensors/seed_linear.safetensors"), other = $"http://localhost:{server.Root.Port}";
        using var token = new EnvironmentVariable(BearerTokens.Variable, Token);

        // When its layers are asked for, with the token and without
        var withToken = CliRun.Of("layers", url);
        CliRun withoutToken;
        using (new EnvironmentVariable(BearerTokens.Variable, null)) withoutToken = CliRun.Of("layers", url);

        // Then the refusal names the origin that refused, says the token was withheld from it, and what to do
        Assert.Equal(3, withToken.Exit);
        Assert.Contains($"error: {url} redirected to {other}, which refused access (HTTP 403 Forbidden)", withToken.Stderr);
        Assert.Contains($"hint: the token in NEURONKIT_TOKEN was withheld from {other}: a token goes only to the origin of the URL given " +
            $"(http://127.0.0.1:{server.Root.Port}), never to one a redirect leads to", withToken.Stderr);
        Assert.Contains($"hint: use a signed URL of the file, which needs no token, or open {other}/forbidden/f/safetensors/seed_linear.safetensors " +
            "itself, to which the token in NEURONKIT_TOKEN is sent", withToken.Stderr);
        Assert.DoesNotContain("was sent", withToken.Stderr);
        Assert.Contains($"hint: no token is sent to {other}: a token goes only to the origin of the URL given", withoutToken.Stderr);
        Assert.Contains($"set NEURONKIT_TOKEN to a token {other} accepts and open {other}/forbidden/f/safetensors/seed_linear.safetensors itself",
            withoutToken.Stderr);
        Assert.DoesNotContain(Token, withToken.Stdout + withToken.Stderr);
    }

    [Fact]
    public void HF_TOKEN_goes_to_the_hub_only_and_NEURONKIT_TOKEN_to_any_host_first()
    {
        using var hub = new EnvironmentVariable(BearerTokens.HubVariable, "hf_hub_token");
        using (new EnvironmentVariable(BearerTokens.Variable, null))
        {
            Assert.Equal(("hf_hub_token", BearerTokens.HubVariable), BearerTokens.For(new Uri("https://huggingface.co/org/model/resolve/main/model.safetensors")));
            Assert.Equal(("hf_hub_token", BearerTokens.HubVariable), BearerTokens.For(new Uri("https://hf.co/org/model")));
            Assert.Null(BearerTokens.For(new Uri("https://example.com/model.safetensors")));
            Assert.Null(BearerTokens.For(new Uri("https://nothuggingface.co/model.safetensors")));
        }
        using (new EnvironmentVariable(BearerTokens.Variable, "own"))
        {
            Assert.Equal(("own", BearerTokens.Variable), BearerTokens.For(new Uri("https://huggingface.co/x")));
            Assert.Equal(("own", BearerTokens.Variable), BearerTokens.For(new Uri("https://example.com/x")));
        }
    }

    [Fact]
    public void A_URL_with_a_password_in_it_is_refused()
    {
        var run = CliRun.Of("layers", "https://user:pass@example.com/model.safetensors");

        Assert.Equal(2, run.Exit);
        Assert.DoesNotContain("pass@", run.Stderr);
        Assert.Contains(BearerTokens.Variable, run.Stderr);
    }

    // Sets an environment variable for a test's duration (the Remote collection runs alone), then puts it back.
    private sealed class EnvironmentVariable : IDisposable
    {
        private readonly string _name;
        private readonly string? _old;

        public EnvironmentVariable(string name, string? value)
        {
            _name = name;
            _old = Environment.GetEnvironmentVariable(name);
            Environment.SetEnvironmentVariable(name, value);
        }

        public void Dispose() => Environment.SetEnvironmentVariable(_name, _old);
    }
}
