using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Oracle;

namespace NeuronKit.Tests.Web;

/// <summary>
/// The page in a real browser (Debian's Chromium through Playwright): open a model, click a layer, step to neuron 3
/// with the arrow key, and the values shown are <c>neuron show --json</c>'s; the neuron's picture loaded; a screenshot
/// is saved as the test's artifact (TestResults/serve-*.png).
/// </summary>
public class PageTests
{
    [BrowserFact]
    public async Task Click_a_layer_step_to_neuron_3_with_the_arrow_key_and_see_the_CLIs_values_and_a_picture()
    {
        string file = Fixtures.Path("graph/cnn.pt");
        await using var served = await ServedFolder.Start([file, Fixtures.PyTorch("seed_lstm.pt")]);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = BrowserFactAttribute.Chromium, Headless = true });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        var failures = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") failures.Add(message.Text); };
        page.PageError += (_, error) => failures.Add(error);
        page.Response += (_, response) => { if (response.Status >= 400) failures.Add($"{response.Status} {response.Url}"); };

        // Given the page of a served model
        await page.GotoAsync(served.Server.Url.ToString());
        await page.Locator("#layers tbody tr[data-layer='3']").WaitForAsync();

        // When a layer is clicked, then → is pressed four times from its stats (neuron 0, 1, 2, 3)
        await page.ClickAsync("#layers tbody tr[data-layer='3']");
        await page.Locator("table.stats tbody tr").First.WaitForAsync();
        for (int i = 0; i < 4; i++)
        {
            await page.Keyboard.PressAsync("ArrowRight");
            await Assertions.Expect(page.Locator("#neuron-title")).ToContainTextAsync($"neuron {i} of 6");
        }

        // Then every part shown is the CLI's, value for value, and the picture loaded
        using var cli = JsonDocument.Parse(CliRun.Of("show", file, "3", "3", "--json", "--outgoing").Stdout);
        using var api = JsonDocument.Parse((await served.Get("/api/show?file=0&layer=3&neuron=3&outgoing=true")).Body);
        var parts = api.RootElement.GetProperty("parts").EnumerateArray().ToList();
        Assert.Equal(parts.Count, await page.Locator(".part").CountAsync());
        foreach (var part in parts)
        {
            var shown = page.Locator($".part[data-tensor='{part.GetProperty("tensor").GetString()}'][data-index='{part.GetProperty("index").GetString()}'] .values");
            Assert.Equal(OracleQuery.Flatten(part.GetProperty("values")), Numbers(await shown.InnerTextAsync()));
        }
        Assert.Equal(cli.RootElement.GetRawText(), api.RootElement.GetRawText());
        Assert.Contains(parts, p => p.GetProperty("direction").GetString() == "out");
        var picture = page.Locator(".pictures img").First;
        await Assertions.Expect(picture).ToBeVisibleAsync();
        Assert.True(await picture.EvaluateAsync<int>("img => img.complete ? img.naturalWidth : 0") > 0, "the neuron's picture did not load");

        // And the arrow keys go on: ← back to neuron 2, the JSON link is the API's
        await page.Keyboard.PressAsync("ArrowLeft");
        await Assertions.Expect(page.Locator("#neuron-title")).ToContainTextAsync("neuron 2 of 6");
        Assert.Equal("/api/show?file=0&layer=3&neuron=2&outgoing=true", await page.Locator("#json-link").GetAttributeAsync("href"));
        Assert.Equal("/api/npz?file=0&layer=3&neuron=2&outgoing=1", await page.Locator("#npz-link").GetAttributeAsync("href"));

        // And its NumPy link downloads the archive neuron show -o writes
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#npz-link").ClickAsync());
        using var saved = new NeuronKit.Tests.Edits.TempFolder();
        string downloaded = Path.Combine(saved.Path, download.SuggestedFilename), written = Path.Combine(saved.Path, "cli.npz");
        await download.SaveAsAsync(downloaded);
        Assert.Equal(0, CliRun.Of("show", file, "3", "2", "--outgoing", "-o", written).Exit);
        Assert.Equal("3_2.npz", download.SuggestedFilename);
        Assert.Equal(File.ReadAllBytes(written), File.ReadAllBytes(downloaded));
        await page.ScreenshotAsync(new() { Path = Artifact("serve-neuron.png"), FullPage = true });
        Assert.Empty(failures);
    }

    [BrowserFact]
    public async Task A_layers_stats_table_sorts_by_a_column_and_an_outgoing_part_links_to_its_consumer()
    {
        string file = Fixtures.Path("graph/cnn.pt");
        await using var served = await ServedFolder.Start([file]);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = BrowserFactAttribute.Chromium, Headless = true });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });

        await page.GotoAsync($"{served.Server.Url}#file=0&layer=3");
        await page.Locator("table.stats tbody tr").First.WaitForAsync();
        await PicturesLoaded(page);
        await page.ClickAsync("table.stats th[data-key='l2']");
        await Assertions.Expect(page.Locator("table.stats th[data-key='l2']")).ToHaveClassAsync(new Regex(@"\bsorted\b"));

        // The rows are the neurons by L2, largest first, as neuron stats --sort l2 orders them
        using var stats = JsonDocument.Parse(CliRun.Of("stats", file, "3", "--json", "--sort", "l2").Stdout);
        var expected = stats.RootElement.GetProperty("layers")[0].GetProperty("stats").EnumerateArray().Select(s => s.GetProperty("neuron").GetInt32().ToString());
        Assert.Equal(expected, await page.Locator("table.stats tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.neuron)"));
        await page.ScreenshotAsync(new() { Path = Artifact("serve-layer.png"), FullPage = true });

        // A neuron's outgoing part names its consumer, which is a link to that layer
        await page.Locator("table.stats tbody tr[data-neuron='5']").ClickAsync();
        await Assertions.Expect(page.Locator("#neuron-title")).ToContainTextAsync("neuron 5 of 6");
        await PicturesLoaded(page);
        await page.Locator(".part.out a.consumer").First.ClickAsync();
        await Assertions.Expect(page.Locator("h2.title")).ToHaveTextAsync("6");
    }

    [BrowserFact]
    public async Task With_inputs_a_neurons_page_shows_the_inputs_that_activate_it_most()
    {
        string model = Fixtures.Path("activations/cnn.onnx");
        await using var served = await ServedFolder.Start([model], NeuronKit.Web.ServeOptions.Local with
        {
            Inputs = new NeuronKit.Web.InputGallery(Fixtures.Path("activations/cnn_folder"), NeuronKit.Activations.ImageOptions.Default),
        });
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = BrowserFactAttribute.Chromium, Headless = true });
        var page = await browser.NewPageAsync();

        await page.GotoAsync($"{served.Server.Url}#file=0&layer=/conv1/Conv&neuron=3");
        await page.Locator("#top-inputs figure").First.WaitForAsync();

        using var top = JsonDocument.Parse((await served.Get("/api/top?file=0&layer=/conv1/Conv&neuron=3&k=8")).Body);
        var expected = top.RootElement.GetProperty("top").EnumerateArray().Select(t => t.GetProperty("input").GetString()).ToArray();
        Assert.Equal(expected, await page.Locator("#top-inputs figure").EvaluateAllAsync<string[]>("figures => figures.map(f => f.dataset.input)"));
        var picture = page.Locator("#top-inputs figure[data-input='picture.png'] img");
        await Assertions.Expect(picture).ToBeVisibleAsync();
        Assert.True(await picture.EvaluateAsync<int>("img => img.complete ? img.naturalWidth : 0") > 0, "the input's picture did not load");
        await page.ScreenshotAsync(new() { Path = Artifact("serve-inputs.png"), FullPage = true });
    }

    [BrowserFact]
    public async Task A_quantized_parts_stored_integers_open_under_its_values() =>
        // Given the page of neuron 5 of a Q8_0 GGUF layer, whose weight part carries its stored side
        await AssertStoredSide("gguf/tiny_q8_0.gguf", "blk.0.attn_q", 5);

    [BrowserFact]
    public async Task A_q4_k_part_shows_its_min_after_its_zero_point() =>
        // Given the page of neuron 2 of a Q4_K GGUF layer, whose stored side adds a min per sub-block
        await AssertStoredSide("gguf/tiny_k_quants.gguf", "blk.0.attn_k", 2);

    [BrowserFact]
    public async Task Summaries_and_stats_show_six_significant_digits_without_dropping_an_integer_part_s_zeros()
    {
        // Given the page of a served model
        await using var served = await ServedFolder.Start([Fixtures.Path("gguf/tiny_q8_0.gguf")]);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = BrowserFactAttribute.Chromium, Headless = true });
        var page = await browser.NewPageAsync();
        await page.GotoAsync(served.Server.Url.ToString());
        await page.WaitForFunctionAsync("typeof number === 'function'");

        // When it formats numbers as its summaries and stats tables do
        object?[] values = [250000.3, 120000.25, 1.5, -0.000123456789, 12345678901.5, 1.5e-10, 3, null];
        var shown = await page.EvaluateAsync<string[]>("values => values.map(number)", values);

        // Then each has six significant digits, trailing zeros of a fraction dropped, an exponent's kept
        Assert.Equal(["250000", "120000", "1.5", "-0.000123457", "1.23457e+10", "1.5e-10", "3", "–"], shown);
    }

    [BrowserFact]
    public async Task A_layer_of_more_neurons_than_a_stats_answer_carries_shows_its_summary_not_an_error()
    {
        // Given a server whose stats answers carry at most 5 rows, and a layer of 6 neurons (as a vocabulary's 50,000 are
        // more than the 20,000 of a real one)
        string file = Fixtures.Path("graph/cnn.pt");
        await using var served = await ServedFolder.Start([file], NeuronKit.Web.ServeOptions.Local with { MaxRows = 5 });
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = BrowserFactAttribute.Chromium, Headless = true });
        var page = await browser.NewPageAsync();

        // When the layer's page is opened
        await page.GotoAsync($"{served.Server.Url}#file=0&layer=3");
        await page.Locator("#stats-rows-left-out").WaitForAsync(new() { Timeout = 10_000 });

        // Then it shows the layer's summary (neuron stats --top 0's), says how to list the rows, and shows no error
        using var stats = JsonDocument.Parse(CliRun.Of("stats", file, "3", "--json", "--top", "0").Stdout);
        var summary = stats.RootElement.GetProperty("layers")[0].GetProperty("summary");
        Assert.Equal(summary.GetProperty("weights").GetInt32().ToString(CultureInfo.InvariantCulture),
            await page.Locator("dl.summary dt:text-is('weights') + dd").InnerTextAsync());
        await Assertions.Expect(page.Locator("#stats-rows-left-out")).ToContainTextAsync("6 neurons are more rows than one answer carries");
        Assert.Equal(0, await page.Locator("table.stats").CountAsync());
        Assert.True(await page.Locator("#error").IsHiddenAsync(), await page.Locator("#error").InnerTextAsync());

        // And → still steps to its first neuron
        await page.Keyboard.PressAsync("ArrowRight");
        await Assertions.Expect(page.Locator("#neuron-title")).ToContainTextAsync("neuron 0 of 6");
    }

    [BrowserFact]
    public async Task A_neuron_whose_outgoing_weights_are_more_than_an_answer_carries_shows_its_incoming_ones_and_says_so()
    {
        // Given a server whose answers carry at most 40 values, and neuron 0 of conv 3 (37 incoming values, 48 outgoing
        // ones in the Linear after the flatten)
        string file = Fixtures.Path("graph/cnn.pt");
        await using var served = await ServedFolder.Start([file], NeuronKit.Web.ServeOptions.Local with { MaxValues = 40 });
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = BrowserFactAttribute.Chromium, Headless = true });
        var page = await browser.NewPageAsync();

        // When the neuron's page is opened
        await page.GotoAsync($"{served.Server.Url}#file=0&layer=3&neuron=0");
        await page.Locator("#outgoing-left-out").WaitForAsync(new() { Timeout = 10_000 });

        // Then it shows the incoming parts, says why the outgoing ones are left out and how to read them, and shows no error
        Assert.Equal(["in", "in"], await page.Locator("div.part").EvaluateAllAsync<string[]>("parts => parts.map(p => p.dataset.direction)"));
        await Assertions.Expect(page.Locator("#outgoing-left-out")).ToContainTextAsync(
            "outgoing weights are left out: with them, neuron 0 of '3' has 85 values, more than the 40 one answer carries");
        await Assertions.Expect(page.Locator("#outgoing-left-out")).ToContainTextAsync("read it with the CLI: neuron show FILE LAYER INDEX --json --outgoing");
        Assert.True(await page.Locator("#error").IsHiddenAsync(), await page.Locator("#error").InnerTextAsync());
    }

    [BrowserFact]
    public async Task An_iq4_xs_part_shows_its_codes_scales_and_codebook_and_no_zero_point() =>
        // Given the page of neuron 3 of an IQ4_XS GGUF layer, whose stored side is codes into kvalues_iq4nl
        await AssertStoredSide("gguf/tiny_nl_quants.gguf", "blk.0.attn_q", 3);

    private static async Task AssertStoredSide(string fixture, string layer, int neuron)
    {
        string file = Fixtures.Path(fixture);
        await using var served = await ServedFolder.Start([file]);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = BrowserFactAttribute.Chromium, Headless = true });
        var page = await browser.NewPageAsync();
        await page.GotoAsync($"{served.Server.Url}#file=0&layer={layer}&neuron={neuron}");
        var stored = page.Locator($".part[data-tensor='{layer}.weight'] details.stored");
        await stored.WaitForAsync();

        // When its stored integers are opened
        await Assertions.Expect(stored.Locator(".integers")).ToBeHiddenAsync();
        await PicturesLoaded(page);
        await stored.Locator("summary").ClickAsync();

        // Then they, the scales, the zero points (and the mins, where the type adds one; or the codebook in place of
        // zero points) are show --raw's, number for number
        using var cli = JsonDocument.Parse(CliRun.Of("show", file, layer, neuron.ToString(), "--json").Stdout);
        var quantized = cli.RootElement.GetProperty("parts")[0].GetProperty("quantized");
        bool codes = quantized.TryGetProperty("codebook", out _);
        await Assertions.Expect(stored.Locator("summary")).ToHaveTextAsync(codes ? "stored codes (per_group_codebook, axis 1)" : "stored integers (per_group_affine, axis 1)");
        await Assertions.Expect(stored.Locator(".integers")).ToBeVisibleAsync();
        Assert.Equal(OracleQuery.Flatten(quantized.GetProperty("values")), Numbers(await stored.Locator(".integers").InnerTextAsync()));
        Assert.Equal(OracleQuery.Flatten(quantized.GetProperty("scale")), Numbers(await stored.Locator(".scale").InnerTextAsync()));
        foreach (var (key, selector) in new[] { ("zero_point", ".zero-point"), ("min", ".min"), ("codebook", ".codebook") })
            if (quantized.TryGetProperty(key, out var expected))
                Assert.Equal(OracleQuery.Flatten(expected), Numbers(await stored.Locator(selector).InnerTextAsync()));
            else
                await Assertions.Expect(stored.Locator(selector)).ToHaveCountAsync(0);
    }

    // Every number in a part's values as the page prints them.
    // The pictures above a layer's table load late (rendered on request) and push the table down: a click aimed at a
    // header before they load can land on whatever moves under it, on a loaded machine.
    private static Task PicturesLoaded(IPage page) =>
        page.WaitForFunctionAsync("() => [...document.querySelectorAll('.pictures img')].every(image => image.complete)");

    private static double[] Numbers(string text) =>
        [.. Regex.Matches(text, @"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|NaN|-?Infinity").Select(m => m.Value switch
        {
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            var v => double.Parse(v, CultureInfo.InvariantCulture),
        })];

    private static string Artifact(string name)
    {
        string folder = Path.Combine(Fixtures.Root, "tests", "NeuronKit.Tests", "TestResults");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }
}
