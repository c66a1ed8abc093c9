using System.Collections.Concurrent;
using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Edits;

namespace NeuronKit.Tests.Web;

/// <summary>
/// The server under a bounded load: 2,000 requests from 16 concurrent clients, show, stats and render mixed over three
/// files each opened once, every answer equal to the CLI's for the same request and none an error. (Latencies and
/// memory on the 2 GiB checkpoint are bench/serve_load.py's.)
/// </summary>
public class ServerLoadTests
{
    [Fact]
    public async Task Two_thousand_mixed_requests_from_16_clients_all_get_the_CLIs_answers()
    {
        string[] files = [Fixtures.Path("graph/cnn.pt"), Fixtures.PyTorch("seed_lstm.pt"), Fixtures.Path("graph/llama_ffn.gguf")];
        await using var served = await ServedFolder.Start(files);
        using var folder = new TempFolder();
        var expected = new Dictionary<string, byte[]>();
        var random = new Random(5);
        var plan = new List<string>();
        for (int f = 0; f < files.Length; f++)
        {
            using var model = Model.Open(files[f]);
            foreach (var layer in model.Layers.Where(l => l.NeuronCount > 0))
            {
                string name = Uri.EscapeDataString(layer.Name);
                expected[$"/api/stats?file={f}&layer={name}"] = Stdout("stats", files[f], layer.Name, "--json");
                for (int k = 0; k < 3; k++)
                {
                    long j = random.NextInt64(layer.NeuronCount);
                    expected[$"/api/show?file={f}&layer={name}&neuron={j}"] = Stdout("show", files[f], layer.Name, j.ToString(), "--json");
                    string png = Path.Combine(folder.Path, $"{f}-{layer.Name}-{j}.png");
                    Assert.Equal(0, CliRun.Of("render", files[f], layer.Name, j.ToString(), "-o", png).Exit);
                    expected[$"/api/render?file={f}&layer={name}&neuron={j}"] = File.ReadAllBytes(png);
                }
            }
        }
        var urls = expected.Keys.ToList();
        for (int i = 0; i < 2000; i++) plan.Add(urls[random.Next(urls.Count)]);

        var wrong = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(plan, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (url, cancel) =>
        {
            using var response = await served.Client.GetAsync(url, cancel);
            byte[] body = await response.Content.ReadAsByteArrayAsync(cancel);
            if ((int)response.StatusCode != 200 || !body.AsSpan().SequenceEqual(expected[url])) wrong.Add($"{(int)response.StatusCode} {url}");
        });

        Assert.True(urls.Count > 40, $"only {urls.Count} distinct requests");
        Assert.Empty(wrong);
    }

    private static byte[] Stdout(params string[] args)
    {
        var run = CliRun.Of(args);
        Assert.True(run.Exit == 0, run.Stderr);
        return System.Text.Encoding.UTF8.GetBytes(run.Stdout);
    }
}
