using System.Net;
using System.Text.Json;
using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Edits;
using NeuronKit.Web;

namespace NeuronKit.Tests.Web;

/// <summary>
/// What the server refuses: any file but those on its command line (paths, <c>../</c>, symlinks), a Host header that
/// is not its own (DNS rebinding), and answers larger than its caps; and the page works offline.
/// </summary>
public class ServerSecurityTests
{
    private static readonly string SeedConv = Fixtures.Path("pytorch/seed_conv.pt");

    [Theory]
    [InlineData("../pytorch/seed_conv.pt")]
    [InlineData("pytorch/seed_conv.pt")]
    [InlineData("/etc/passwd")]
    [InlineData("..%2Fseed_lstm.pt")]
    [InlineData("seed_lstm.pt")]
    [InlineData("1")]
    [InlineData("-1")]
    [InlineData("0x0")]
    public async Task A_file_parameter_that_is_not_a_served_index_or_name_is_refused(string file)
    {
        await using var served = await ServedFolder.Start([SeedConv]);

        var (status, body) = await served.Get($"/api/layers?file={file}");

        Assert.Equal(400, status);
        Assert.Contains("is not a served file", body);
        Assert.Contains("0 (seed_conv.pt)", body);
    }

    [Fact]
    public async Task An_absolute_path_to_a_served_file_is_refused_too()
    {
        await using var served = await ServedFolder.Start([SeedConv]);

        var (status, _) = await served.Get($"/api/layers?file={Uri.EscapeDataString(SeedConv)}");

        Assert.Equal(400, status);
    }

    [Fact]
    public async Task A_symlink_beside_a_served_file_is_not_served()
    {
        using var folder = new TempFolder();
        string served = Path.Combine(folder.Path, "model.pt");
        File.Copy(SeedConv, served);
        File.CreateSymbolicLink(Path.Combine(folder.Path, "secret.pt"), Fixtures.PyTorch("seed_lstm.pt"));
        await using var server = await ServedFolder.Start([served]);

        var (status, _) = await server.Get("/api/layers?file=secret.pt");
        var (ok, _) = await server.Get("/api/layers?file=model.pt");

        Assert.Equal(400, status);
        Assert.Equal(200, ok);
    }

    [Theory]
    [InlineData("evil.example")]
    [InlineData("127.0.0.1.evil.example")]
    [InlineData("localhost.evil.example")]
    public async Task A_request_for_another_host_name_is_refused(string host)
    {
        await using var served = await ServedFolder.Start([SeedConv]);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/layers?file=0");
        request.Headers.Host = $"{host}:{served.Server.Url.Port}";

        using var response = await served.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.MisdirectedRequest, response.StatusCode);
        Assert.Contains("is not this server", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_request_for_another_port_is_refused_and_localhost_or_the_address_are_served()
    {
        await using var served = await ServedFolder.Start([SeedConv]);
        int port = served.Server.Url.Port;

        Assert.Equal(HttpStatusCode.MisdirectedRequest, await StatusWithHost(served, $"127.0.0.1:{port + 1}"));
        Assert.Equal(HttpStatusCode.OK, await StatusWithHost(served, $"localhost:{port}"));
        Assert.Equal(HttpStatusCode.OK, await StatusWithHost(served, $"127.0.0.1:{port}"));
    }

    [Fact]
    public async Task A_neuron_with_more_values_than_the_cap_is_refused_with_what_to_ask_instead()
    {
        await using var served = await ServedFolder.Start([SeedConv], ServeOptions.Local with { MaxValues = 20 });

        var (tooLarge, body) = await served.Get("/api/show?file=0&layer=conv1&neuron=3");
        var (fits, _) = await served.Get("/api/show?file=0&layer=fc&neuron=3");

        Assert.Equal(413, tooLarge);
        Assert.Contains("has 28 values, more than the 20 one answer carries", body);
        Assert.Equal(200, fits);
    }

    [Fact]
    public async Task Stats_of_more_rows_than_the_cap_are_paged_by_top_and_sort_as_the_CLI_does()
    {
        await using var served = await ServedFolder.Start([SeedConv], ServeOptions.Local with { MaxRows = 5 });

        var (tooLarge, body) = await served.Get("/api/stats?file=0&layer=conv1");
        var (page, json) = await served.Get("/api/stats?file=0&layer=conv1&top=5&sort=l2:asc");

        Assert.Equal(413, tooLarge);
        Assert.Contains("top=", body);
        Assert.Equal(200, page);
        Assert.Equal(CliRun.Of("stats", SeedConv, "conv1", "--json", "--top", "5", "--sort", "l2:asc").Stdout, json);
    }

    [Fact]
    public async Task The_page_and_its_assets_are_served_from_the_assembly_and_fetch_nothing_from_elsewhere()
    {
        await using var served = await ServedFolder.Start([SeedConv]);

        foreach (string path in new[] { "/", "/assets/app.js", "/assets/app.css" })
        {
            var (status, body) = await served.Get(path);
            Assert.Equal(200, status);
            Assert.DoesNotMatch(@"(src|href)=""(https?:)?//|url\((https?:)?//|import\s.*https?:|fetch\(\s*[""']https?:", body);
        }
        Assert.Equal(404, (await served.Get("/assets/..%2FNeuronKit.Web.dll")).Status);
        Assert.Equal(404, (await served.Get("/assets/missing.js")).Status);
    }

    [Theory]
    [InlineData("/api/nothing")]
    [InlineData("/api/show/3")]
    [InlineData("/nothing")]
    public async Task An_address_that_is_not_the_page_or_an_API_is_a_404_that_says_so_in_json(string path)
    {
        await using var served = await ServedFolder.Start([SeedConv]);

        using var response = await served.Client.GetAsync(path);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"no page or API at '{path}'", error.RootElement.GetProperty("error").GetString());
        Assert.Contains("/api/files", error.RootElement.GetProperty("hints")[0].GetString());
    }

    [Theory]
    [InlineData("POST", "/api/show?file=0&layer=fc&neuron=0")]
    [InlineData("HEAD", "/")]
    public async Task A_method_other_than_GET_is_a_405_that_allows_GET(string method, string path)
    {
        await using var served = await ServedFolder.Start([SeedConv]);

        using var response = await served.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["GET"], response.Content.Headers.Allow);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_file_list_names_each_served_file_by_index_and_name_and_no_path()
    {
        await using var served = await ServedFolder.Start([SeedConv, Fixtures.PyTorch("seed_lstm.pt")]);

        var (status, body) = await served.Get("/api/files");

        Assert.Equal(200, status);
        Assert.Equal("""[{"index":0,"name":"seed_conv.pt"},{"index":1,"name":"seed_lstm.pt"}]""" + "\n", body);
    }

    private static async Task<HttpStatusCode> StatusWithHost(ServedFolder served, string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/layers?file=0");
        request.Headers.Host = host;
        using var response = await served.Client.SendAsync(request);
        return response.StatusCode;
    }
}
