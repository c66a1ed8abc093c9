using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Oracle;

namespace NeuronKit.Tests.Remote;

/// <summary>
/// Every oracle query of every format's fixtures, asked by URL of a real HTTP server (Kestrel's static files, ranged),
/// gives the reference's answer, and <c>neuron show --json</c> / <c>layers --json</c> print byte for byte what they
/// print for the same file by path.
/// </summary>
[Collection(RemoteCollection.Name)]
public class RemoteOracleTests
{
    public static TheoryData<string> Folders() => ["pytorch", "safetensors", "numpy", "onnx", "gguf", "torchsharp", "keras", "flax"];

    [Theory]
    [MemberData(nameof(Folders))]
    public async Task Every_oracle_query_gives_the_same_answer_by_URL_as_by_path(string folder)
    {
        // Given the fixtures served over HTTP
        await using var server = await RangeServer.Start();
        var queries = FixtureOracle.Queries(folder).ToList();
        Assert.NotEmpty(queries);

        foreach (var q in queries)
        {
            string url = server.Url($"f/{folder}/{q.File}"), path = FixtureOracle.FilePath(folder, q.File);

            // When each query is asked by URL, then the library and the CLI give the reference's answer
            FixtureOracle.AssertLibrary(url, q.Layer, q.Index, q.Expect);
            FixtureOracle.AssertShowJson(url, q.Layer, q.Index, q.Expect, folder);

            // And the CLI prints exactly what it prints by path
            var byUrl = CliRun.Of("show", url, q.Layer, q.Index.ToString(), "--json", "--outgoing");
            var byPath = CliRun.Of("show", path, q.Layer, q.Index.ToString(), "--json", "--outgoing");
            SameRun.Assert(byPath, byUrl);
        }
        foreach (string file in queries.Select(q => q.File).Distinct())
            SameRun.Assert(CliRun.Of("layers", FixtureOracle.FilePath(folder, file), "--json"),
                CliRun.Of("layers", server.Url($"f/{folder}/{file}"), "--json"));
        Assert.True(server.Requests >= queries.Count);
    }

    [Theory]
    [InlineData("safetensors/sharded/model.safetensors.index.json")]
    [InlineData("onnx/external.onnx")]
    [InlineData("diff/cross/split/llama_q8_0-00002-of-00003.gguf")]   // llama.cpp's splits, by any one of them
    public async Task A_sharded_model_or_external_data_reads_its_other_files_beside_the_URL(string file)
    {
        // Given a model whose tensors live in several files, served over HTTP
        await using var server = await RangeServer.Start();

        // When its layers and stats are read by URL
        var layers = CliRun.Of("layers", server.Url($"f/{file}"), "--json");
        var stats = CliRun.Of("stats", server.Url($"f/{file}"), "--json");

        // Then they are what the same files give by path, and the other files were fetched from beside it
        SameRun.Assert(CliRun.Of("layers", Fixtures.Path(file), "--json"), layers);
        SameRun.Assert(CliRun.Of("stats", Fixtures.Path(file), "--json"), stats);
        string folder = "/f/" + Path.GetDirectoryName(file)!.Replace('\\', '/') + "/";
        Assert.Contains(server.Paths, p => p.StartsWith(folder, StringComparison.Ordinal) && !p.EndsWith(Path.GetFileName(file), StringComparison.Ordinal));
        Assert.All(server.Paths, p => Assert.StartsWith(folder, p));
    }
}
