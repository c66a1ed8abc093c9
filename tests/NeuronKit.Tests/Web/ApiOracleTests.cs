using System.Text.Json;
using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Oracle;

namespace NeuronKit.Tests.Web;

/// <summary>
/// <c>/api/</c> answers exactly what the CLI prints with --json, byte for byte: every oracle query of every format's
/// fixtures through /api/show (with and without outgoing parts), every fixture's /api/layers and /api/stats, and every
/// oracle error as a 4xx whose text is the CLI's error line.
/// </summary>
public class ApiOracleTests
{
    public static TheoryData<string> Folders() => ["pytorch", "safetensors", "onnx", "gguf", "numpy", "torchsharp", "keras", "flax"];

    [Theory]
    [MemberData(nameof(Folders))]
    public async Task Every_oracle_query_answers_the_CLIs_json(string folder)
    {
        var queries = FixtureOracle.Queries(folder).ToList();
        string[] files = [.. queries.Select(q => q.File).Distinct()];
        await using var served = await ServedFolder.Start(files.Select(f => FixtureOracle.FilePath(folder, f)));

        foreach (var q in queries)
        {
            string path = FixtureOracle.FilePath(folder, q.File);
            await AssertSame(served, $"/api/show?file={Array.IndexOf(files, q.File)}&layer={Uri.EscapeDataString(q.Layer)}&neuron={q.Index}",
                ["show", path, q.Layer, q.Index.ToString(), "--json"]);
            // By name where no other served file has it, else by index.
            string name = Path.GetFileName(q.File);
            string byName = files.Count(f => Path.GetFileName(f) == name) == 1 ? name : Array.IndexOf(files, q.File).ToString();
            await AssertSame(served, $"/api/show?file={Uri.EscapeDataString(byName)}&layer={Uri.EscapeDataString(q.Layer)}&neuron={q.Index}&outgoing=true",
                ["show", path, q.Layer, q.Index.ToString(), "--json", "--outgoing"]);
        }
        for (int i = 0; i < files.Length; i++)
        {
            string path = FixtureOracle.FilePath(folder, files[i]);
            await AssertSame(served, $"/api/layers?file={i}", ["layers", path, "--json"]);
            await AssertSame(served, $"/api/stats?file={i}", ["stats", path, "--json"]);
        }
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public async Task Every_oracle_error_is_a_4xx_with_the_CLIs_error_text(string folder)
    {
        var errors = FixtureOracle.Errors(folder).ToList();
        string[] files = [.. errors.Select(e => e.File).Distinct()];
        await using var served = await ServedFolder.Start(files.Select(f => FixtureOracle.FilePath(folder, f)));

        foreach (var e in errors)
        {
            if (e.Layer is null)
            {
                // A file the reader refuses: the server serves it, and refuses it when asked, as the CLI does.
                await AssertSame(served, $"/api/layers?file={Array.IndexOf(files, e.File)}", ["layers", FixtureOracle.FilePath(folder, e.File), "--json"]);
                continue;
            }
            var cli = CliRun.Of("show", FixtureOracle.FilePath(folder, e.File), e.Layer!, e.Index.ToString(), "--json");
            var (status, body) = await served.Get($"/api/show?file={Array.IndexOf(files, e.File)}&layer={Uri.EscapeDataString(e.Layer!)}&neuron={e.Index}");

            Assert.Equal(cli.Exit == 2 ? 400 : 422, status);
            using var json = JsonDocument.Parse(body);
            var lines = cli.Stderr.TrimEnd('\n').Split('\n');
            Assert.Equal(lines[0], "error: " + json.RootElement.GetProperty("error").GetString());
            Assert.Equal(lines[1..], json.RootElement.GetProperty("hints").EnumerateArray().Select(h => "hint: " + h.GetString()));
        }
    }

    [Theory]
    [InlineData("99999999999")]          // past int's range: the CLI's "out of range", not "not an integer"
    [InlineData("-99999999999")]
    [InlineData("9223372036854775807")]
    public async Task A_neuron_index_past_32_bits_is_refused_as_the_CLI_refuses_it(string index)
    {
        string file = Fixtures.Path("pytorch/seed_linear.pt");
        await using var served = await ServedFolder.Start([file]);

        await AssertSame(served, $"/api/show?file=0&layer=0&neuron={index}", ["show", file, "0", index, "--json"]);
        Assert.Contains("out of range", CliRun.Of("show", file, "0", index).Stderr);
    }

    // The API's body is the CLI's stdout; where the CLI refuses, the API refuses with the same text.
    private static async Task AssertSame(ServedFolder served, string url, string[] args)
    {
        var cli = CliRun.Of(args);
        var (status, body) = await served.Get(url);
        if (cli.Exit == 0)
        {
            Assert.True(status == 200, $"{url}: {status} {body}");
            Assert.Equal(cli.Stdout, body);
        }
        else
        {
            Assert.True(status is 400 or 422, $"{url}: {status}, the CLI exits {cli.Exit}");
            Assert.Equal(cli.Stderr.Split('\n')[0], "error: " + JsonDocument.Parse(body).RootElement.GetProperty("error").GetString());
        }
    }
}
