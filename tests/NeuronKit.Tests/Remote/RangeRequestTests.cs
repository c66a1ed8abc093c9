using System.Text.RegularExpressions;
using NeuronKit.Remote;
using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Remote;

/// <summary>
/// Reading over HTTP fetches only what a query needs, and a server that misbehaves (ignores ranges, fails, cuts answers
/// short, replaces the file mid-read) gives either the right answer or a clear error, never mixed or partial data.
/// </summary>
[Collection(RemoteCollection.Name)]
public partial class RangeRequestTests
{
    private const int KiB = 1024;

    [Fact]
    public async Task One_neuron_of_a_64_MiB_file_transfers_under_64_KiB_beyond_the_first_request()
    {
        // Given a 64 MiB safetensors file on a server
        await using var server = await RangeServer.Start();
        string path = LargeSafetensors.Write(server.Folder);
        Assert.Equal(64L << 20, new FileInfo(path).Length, tolerance: 64 * KiB);

        // When it is opened by URL and one neuron is read
        using var model = Model.Open(server.Url("t/big.safetensors"));
        long opened = server.Bytes;
        double[] weights = model.Neuron("fc", 3000).Part("weight")!.ToDoubles();
        double bias = model.Neuron("fc", 3000).Part("bias")!.ToDoubles()[0];

        // Then the values are the file's, opening cost one request for the header, and the neuron under 64 KiB more
        Assert.Equal(Enumerable.Range(0, LargeSafetensors.Rows).Select(c => (double)LargeSafetensors.Value(3000, c, 0)), weights);
        Assert.Equal(LargeSafetensors.Value(LargeSafetensors.Rows, 3000, 0), bias);
        Assert.True(opened <= RemoteFileOpenBytes, $"opening transferred {opened:N0} bytes");
        Assert.True(server.Bytes - opened < 64 * KiB, $"the neuron transferred {server.Bytes - opened:N0} bytes");
        Assert.True(server.Requests <= 4, $"{server.Requests} requests");
    }

    [Fact]
    public async Task A_column_of_a_large_matrix_is_fetched_in_a_few_large_ranges_not_a_request_per_row()
    {
        // Given the 64 MiB file on a server, its weight read as (in, out): neuron j is column j, one float every 16 KiB
        await using var server = await RangeServer.Start();
        LargeSafetensors.Write(server.Folder);
        using var model = Model.Open(server.Url("t/big.safetensors"));
        long opened = server.Requests;

        // When column 123 is read
        double[] column = model.Neuron("fc", 123, layout: "in,out").Part("weight")!.ToDoubles();

        // Then it is the file's column, fetched in merged ranges of up to 16 MiB
        Assert.Equal(Enumerable.Range(0, LargeSafetensors.Rows).Select(r => (double)LargeSafetensors.Value(r, 123, 0)), column);
        Assert.True(server.Requests - opened <= 8, $"{server.Requests - opened} requests for one column");
    }

    [Fact]
    public async Task Stats_requests_prints_the_requests_and_bytes_of_a_command()
    {
        // Given the 64 MiB file on a server
        await using var server = await RangeServer.Start();
        LargeSafetensors.Write(server.Folder);

        // When the last neuron is shown with --stats-requests
        var run = CliRun.Of("show", server.Url("t/big.safetensors"), "fc", "-1", "--stats-requests");

        // Then stderr says how many requests and bytes, against the file's size, as the server counted them
        Assert.True(run.Exit == 0, run.Stderr);
        var match = StatsLine().Match(run.Stderr);
        Assert.True(match.Success, run.Stderr);
        Assert.Equal(server.Requests, long.Parse(match.Groups[1].Value.Replace(",", "")));
        Assert.Equal(server.Bytes, long.Parse(match.Groups[2].Value.Replace(",", "")));
        Assert.Equal(new FileInfo(Path.Combine(server.Folder, "big.safetensors")).Length, long.Parse(match.Groups[3].Value.Replace(",", "")));
    }

    [Fact]
    public async Task Stats_over_a_URL_streams_the_file_in_large_ranges()
    {
        // Given the 64 MiB file on a server
        await using var server = await RangeServer.Start();
        string path = LargeSafetensors.Write(server.Folder);

        // When neuron stats reads it whole by URL
        var run = CliRun.Of("stats", server.Url("t/big.safetensors"), "--json");

        // Then it says what it says of the local file, in far fewer requests than its 256 KiB blocks would take one by one
        SameRun.Assert(CliRun.Of("stats", path, "--json"), run);
        Assert.True(server.Requests < 64, $"{server.Requests} requests for 64 MiB");
        Assert.True(server.Bytes < (192L << 20), $"{server.Bytes:N0} bytes for a 64 MiB file");
    }

    [Fact]
    public async Task A_server_that_ignores_ranges_is_read_whole_for_a_small_file_and_refused_for_a_large_one()
    {
        // Given a server that answers range requests with the whole file (HTTP 200)
        await using var server = await RangeServer.Start();
        LargeSafetensors.Write(server.Folder);
        string small = "safetensors/seed_linear.safetensors";

        // When a small file and a 64 MiB file are read through it
        var smallRun = CliRun.Of("show", server.Url($"ignore-ranges/f/{small}"), "0", "0", "--json");
        long before = RemoteTraffic.Process.Bytes;
        var largeRun = CliRun.Of("layers", server.Url("ignore-ranges/t/big.safetensors"));

        // Then the small one reads as by path, and the large one is refused before its body is read
        SameRun.Assert(CliRun.Of("show", Fixtures.Path(small), "0", "0", "--json"), smallRun);
        Assert.Equal(3, largeRun.Exit);
        Assert.Contains("without range requests", largeRun.Stderr);
        Assert.Contains("67,", largeRun.Stderr); // the size it would have downloaded
        Assert.Contains("hint: download it", largeRun.Stderr);
        Assert.Equal(before, RemoteTraffic.Process.Bytes);
    }

    [Fact]
    public async Task A_first_answer_from_the_wrong_byte_says_so_not_that_the_length_is_missing()
    {
        // Given a server that answers a request for bytes 0.. with bytes 1.. (and the file's length)
        await using var server = await RangeServer.Start();

        // When a file is opened through it
        var run = CliRun.Of("layers", server.Url("shifted/f/safetensors/seed_linear.safetensors"));

        // Then it is refused, naming the bytes it got
        Assert.Equal(3, run.Exit);
        Assert.Contains("answered a range request for bytes 0.. with bytes 1.. (Content-Range: bytes 1-", run.Stderr);
    }

    [Fact]
    public async Task A_file_replaced_on_the_server_mid_read_is_an_error_not_mixed_data()
    {
        // Given a model opened by URL
        await using var server = await RangeServer.Start();
        string path = LargeSafetensors.Write(server.Folder);
        using var model = Model.Open(server.Url("t/big.safetensors"));
        Assert.Equal(LargeSafetensors.Value(10, 0, 0), model.Neuron("fc", 10).Part("weight")!.ToDoubles()[0]);

        // When the file is replaced by another of the same length (a new ETag), and a neuron not yet read is asked for
        LargeSafetensors.Write(server.Folder, salt: 1);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
        var error = Assert.Throws<CheckpointException>(() => model.Neuron("fc", 4000).Part("weight")!.ToDoubles());

        // Then the read fails, naming the change
        Assert.Contains("big.safetensors changed on the server while it was being read", error.Message);
        Assert.Contains("ETag", error.Message);
    }

    [Fact]
    public async Task A_file_that_changes_length_on_the_server_mid_read_is_an_error()
    {
        await using var server = await RangeServer.Start();
        string path = LargeSafetensors.Write(server.Folder);
        using var model = Model.Open(server.Url("t/big.safetensors"));

        File.AppendAllText(path, "more");
        var error = Assert.Throws<CheckpointException>(() => model.Neuron("fc", 4000).Part("weight")!.ToDoubles());

        Assert.Contains("its length went from", error.Message);
    }

    [Fact]
    public async Task A_file_cut_shorter_on_the_server_mid_read_is_an_error_naming_the_change()
    {
        // Given a model opened by URL
        await using var server = await RangeServer.Start();
        string path = LargeSafetensors.Write(server.Folder);
        using var model = Model.Open(server.Url("t/big.safetensors"));

        // When the file is cut to its first MiB on the server (which answers a range past its new end with 416), and a
        // neuron beyond it is asked for
        using (var stream = new FileStream(path, FileMode.Open)) stream.SetLength(1 << 20);
        var error = Assert.Throws<CheckpointException>(() => model.Neuron("fc", 4000).Part("weight")!.ToDoubles());

        // Then the read fails, naming the change, as for a file that grew
        Assert.Contains("big.safetensors changed on the server while it was being read (its length went from 67,", error.Message);
        Assert.Contains("to 1,048,576 bytes)", error.Message);
    }

    [Fact]
    public async Task Once_a_file_is_found_changed_its_old_bytes_are_dropped_and_a_neuron_read_before_fails_too()
    {
        // Given a model opened by URL, neuron 10 read (and cached), then the file replaced and found changed by a read
        await using var server = await RangeServer.Start();
        string path = LargeSafetensors.Write(server.Folder);
        using var model = Model.Open(server.Url("t/big.safetensors"));
        model.Neuron("fc", 10).Part("weight")!.ToDoubles();
        LargeSafetensors.Write(server.Folder, salt: 1);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
        Assert.Throws<CheckpointException>(() => model.Neuron("fc", 4000).Part("weight")!.ToDoubles());

        // When neuron 10 is read again
        var error = Assert.Throws<CheckpointException>(() => model.Neuron("fc", 10).Part("weight")!.ToDoubles());

        // Then it too fails naming the change: the old file's cached bytes were let go (a served model replaced after a
        // change keeps none of them), and nothing of the new file is read through the old session
        Assert.Contains("big.safetensors changed on the server while it was being read", error.Message);
    }

    [Fact]
    public async Task A_URL_opened_again_after_its_file_changed_reads_the_new_file_while_the_old_model_is_still_open()
    {
        // Given a model opened by URL, whose file was then replaced on the server and found changed by a read
        await using var server = await RangeServer.Start();
        string path = LargeSafetensors.Write(server.Folder);
        string url = server.Url("t/big.safetensors");
        using var old = Model.Open(url);
        LargeSafetensors.Write(server.Folder, salt: 1);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
        Assert.Throws<CheckpointException>(() => old.Neuron("fc", 4000).Part("weight")!.ToDoubles());

        // When the URL is opened again while the old model is still open
        using var fresh = Model.Open(url);

        // Then the new model reads the new file, not the old session that knows it only as changed
        Assert.Equal(LargeSafetensors.Value(4000, 0, 1), fresh.Neuron("fc", 4000).Part("weight")!.ToDoubles()[0]);
    }

    [Fact]
    public async Task A_second_open_of_a_URL_with_other_options_is_read_with_its_own_options()
    {
        // Given a small file on a server that ignores ranges, opened by URL with the defaults (which take it whole)
        await using var server = await RangeServer.Start();
        string url = server.Url("ignore-ranges/f/safetensors/seed_linear.safetensors");
        using var first = Model.Open(url);

        // When it is opened again, while the first is open, with a whole-body limit below its size
        var error = Assert.Throws<CheckpointException>(() => Model.Open(url, new RemoteOptions { WholeBodyLimit = 16 }));

        // Then the second open asked the server itself and kept its own limit, rather than joining the first's session
        Assert.Contains("is served without range requests", error.Message);
        Assert.Equal(2, server.Requests);
    }

    [Fact]
    public async Task A_redirect_whose_target_does_not_exist_fails_at_once_naming_the_status()
    {
        // Given a URL that redirects to a file the server does not have
        await using var server = await RangeServer.Start();

        // When it is opened
        var run = CliRun.Of("layers", server.Url("redirect-here/t/nothing.safetensors"));

        // Then it fails on the target's 404 after the redirect and the one request it led to, without retries
        Assert.Equal(["/redirect-here/t/nothing.safetensors", "/t/nothing.safetensors"], server.Paths);
        Assert.Equal(3, run.Exit);
        Assert.Contains("does not exist (HTTP 404", run.Stderr);
    }

    [Fact]
    public async Task A_redirect_target_gone_mid_read_is_resolved_again_once_then_fails_naming_the_status()
    {
        // Given a model opened through a redirect to the 64 MiB file
        await using var server = await RangeServer.Start();
        string path = LargeSafetensors.Write(server.Folder);
        using var model = Model.Open(server.Url("redirect-here/t/big.safetensors"));
        int opened = (int)server.Requests;

        // When the file is removed from the server and a neuron not yet read is asked for
        File.Delete(path);
        var error = Assert.Throws<CheckpointException>(() => model.Neuron("fc", 4000).Part("weight")!.ToDoubles());

        // Then the target's 404 sent the read back to the URL given once, which led to the same target, still 404: it failed
        // naming the status, without retries
        Assert.Equal(["/t/big.safetensors", "/redirect-here/t/big.safetensors", "/t/big.safetensors"], server.Paths.Skip(opened));
        Assert.Contains("does not exist (HTTP 404", error.Message);
    }

    [Fact]
    public async Task After_a_redirect_target_failed_again_the_next_read_starts_from_the_URL_given()
    {
        // Given a model opened through a redirect to the 64 MiB file, which is then removed, and a read that found it gone
        await using var server = await RangeServer.Start();
        string path = LargeSafetensors.Write(server.Folder);
        using var model = Model.Open(server.Url("redirect-here/t/big.safetensors"));
        File.Delete(path);
        Assert.Throws<CheckpointException>(() => model.Neuron("fc", 4000).Part("weight")!.ToDoubles());
        int failed = (int)server.Requests;

        // When another neuron not yet read is asked for
        var error = Assert.Throws<CheckpointException>(() => model.Neuron("fc", 3000).Part("weight")!.ToDoubles());

        // Then it followed the URL given, not the target that failed, and failed on the target's 404 once
        Assert.Equal(["/redirect-here/t/big.safetensors", "/t/big.safetensors"], server.Paths.Skip(failed));
        Assert.Contains("does not exist (HTTP 404", error.Message);
    }

    [Fact]
    public async Task Five_redirects_in_a_row_are_followed_and_a_sixth_is_refused()
    {
        // Given URLs that reach a file through five redirects, and through six
        await using var server = await RangeServer.Start();
        string five = string.Concat(Enumerable.Repeat("redirect-here/", 5)) + "f/safetensors/seed_linear.safetensors";

        // When each is opened
        using (var model = Model.Open(server.Url(five))) Assert.Equal("0", model.Layers[0].Name);
        long followed = server.Requests;
        var error = Assert.Throws<CheckpointException>(() => Model.Open(server.Url("redirect-here/" + five)));

        // Then five were followed to the file, and the sixth redirect was refused without asking where it leads
        Assert.Equal(6, followed);
        Assert.Equal(12, server.Requests);
        Assert.Contains("redirects more than 5 times; refused", error.Message);
    }

    [Fact]
    public async Task A_signed_redirect_target_that_expired_is_resolved_again_from_the_URL_given()
    {
        // Given a model opened through a URL that redirects to a signed address, one neuron read through that address
        await using var server = await RangeServer.Start();
        LargeSafetensors.Write(server.Folder);
        using var model = Model.Open(server.Url("signed/t/big.safetensors"));
        Assert.Equal(LargeSafetensors.Value(10, 0, 0), model.Neuron("fc", 10).Part("weight")!.ToDoubles()[0]);
        int read = (int)server.Requests;

        // When the signature expires (the address answers 403) and a neuron not yet read is asked for
        server.ExpireSignatures();
        double value = model.Neuron("fc", 4000).Part("weight")!.ToDoubles()[0];

        // Then the URL given was followed again to a fresh signature, and the neuron is the file's
        Assert.Equal(LargeSafetensors.Value(4000, 0, 0), value);
        Assert.Equal(["/sig/0/t/big.safetensors", "/signed/t/big.safetensors", "/sig/1/t/big.safetensors"], server.Paths.Skip(read));
    }

    [Fact]
    public async Task A_503_whose_Retry_After_is_a_date_is_tried_again_after_that_date()
    {
        // Given a server that first answers 503 with Retry-After as an HTTP date 3 s ahead (the form besides seconds RFC 9110 allows)
        await using var server = await RangeServer.Start();
        var options = new RemoteOptions { FirstRetryDelay = TimeSpan.FromMilliseconds(10) };

        // When a file is opened through it
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var model = Model.Open(server.Url("retry-after-date/f/safetensors/seed_linear.safetensors"), options);

        // Then it asked again only once that date had come (to the second a date can say), and then read the file
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.5), $"asked again after {clock.Elapsed.TotalSeconds:0.##} s");
        Assert.Equal(2, server.Requests);
        Assert.Equal("0", model.Layers[0].Name);
    }

    [Fact]
    public async Task A_compressed_answer_is_refused_never_read_as_the_files_bytes()
    {
        // Given a server that gzips its ranged answers though no Accept-Encoding asked for it: the bytes are not the file's
        await using var server = await RangeServer.Start();
        LargeSafetensors.Write(server.Folder);

        // When a file is opened through it, and a neuron is read from a file whose first answer was plain but later ones not
        var opened = CliRun.Of("layers", server.Url("gzip/f/safetensors/seed_linear.safetensors"));
        int openRequests = (int)server.Requests;
        using var model = Model.Open(server.Url("gzip-later/t/big.safetensors"));
        var error = Assert.Throws<CheckpointException>(() => model.Neuron("fc", 4000).Part("weight")!.ToDoubles());

        // Then both are refused at once (no retries: the server will answer so again), naming the encoding
        Assert.Equal(3, opened.Exit);
        Assert.Contains("answered with Content-Encoding gzip", opened.Stderr);
        Assert.DoesNotContain("   at ", opened.Stderr);
        Assert.Equal(1, openRequests);
        Assert.Contains("answered with Content-Encoding gzip", error.Message);
        Assert.Equal(3, server.Requests);
    }

    [Fact]
    public async Task A_500_then_a_206_is_tried_again_and_answers_as_by_path()
    {
        // Given a server that fails every other request with HTTP 500
        await using var server = await RangeServer.Start();
        string file = "pytorch/seed_lstm.pt";

        // When a neuron is shown through it
        var run = CliRun.Of("show", server.Url($"flaky/f/{file}"), "rnn", "2", "--json");

        // Then each failed request was tried again, and the answer is the file's
        SameRun.Assert(CliRun.Of("show", Fixtures.Path(file), "rnn", "2", "--json"), run);
        Assert.Contains(server.Paths, p => p.StartsWith("/flaky/", StringComparison.Ordinal));
        Assert.True(server.Requests >= 2 && server.Requests % 2 == 0, $"{server.Requests} requests");
    }

    [Fact]
    public async Task An_answer_cut_short_is_fetched_again_and_one_always_cut_short_is_a_clear_error()
    {
        // Given the 64 MiB file, served once with its second answer cut short and once with every ranged answer cut short
        await using var server = await RangeServer.Start();
        LargeSafetensors.Write(server.Folder);

        // When a neuron is read through each
        var once = CliRun.Of("show", server.Url("cut-short/t/big.safetensors"), "fc", "77", "--json");
        var always = CliRun.Of("show", server.Url("always-cut/t/big.safetensors"), "fc", "77", "--json");

        // Then the first is the file's neuron, and the second fails after its retries, saying why
        SameRun.Assert(CliRun.Of("show", Path.Combine(server.Folder, "big.safetensors"), "fc", "77", "--json"), once);
        Assert.True(always.Exit == 3, always.Stderr);
        Assert.True(Regex.IsMatch(always.Stderr, @"^error: http://127\.0\.0\.1:\d+/always-cut/t/big\.safetensors cannot be read: .+ \(5 tries\)"), always.Stderr);
        Assert.DoesNotContain("   at ", always.Stderr);
    }

    [Fact]
    public async Task Remote_options_set_the_retries_of_a_model_opened_by_URL()
    {
        // Given a server that cuts every ranged answer after the first short
        await using var server = await RangeServer.Start();
        LargeSafetensors.Write(server.Folder);
        var options = new RemoteOptions { Retries = 1, FirstRetryDelay = TimeSpan.FromMilliseconds(10) };

        // When a model is opened with one retry and a neuron beyond the first request is read
        using var model = Model.Open(server.Url("always-cut/t/big.safetensors"), options);
        var error = Assert.Throws<CheckpointException>(() => model.Neuron("fc", 4000).Part("weight")!.ToDoubles());

        // Then it gave up after two tries
        Assert.EndsWith("(2 tries)", error.Message);
        Assert.Equal(3, server.Requests);
    }

    [Fact]
    public async Task A_server_that_does_not_answer_times_out_with_a_clear_message()
    {
        await using var server = await RangeServer.Start();
        var options = new RemoteOptions { Timeout = TimeSpan.FromMilliseconds(200), Retries = 1, FirstRetryDelay = TimeSpan.FromMilliseconds(10) };

        var error = Assert.Throws<CheckpointException>(() => Model.Open(server.Url("stall/f/pytorch/seed_lstm.pt"), options));

        Assert.EndsWith("/stall/f/pytorch/seed_lstm.pt cannot be read: no answer within 0.2 s (2 tries)", error.Message);
    }

    [Fact]
    public async Task A_missing_or_empty_file_by_URL_fails_like_one_by_path()
    {
        await using var server = await RangeServer.Start();
        File.WriteAllBytes(Path.Combine(server.Folder, "empty.pt"), []);

        var missing = CliRun.Of("layers", server.Url("t/nothing.pt"));
        var empty = CliRun.Of("layers", server.Url("t/empty.pt"));

        Assert.Equal(3, missing.Exit);
        Assert.Contains("t/nothing.pt does not exist (HTTP 404", missing.Stderr);
        Assert.Equal(CliRun.Of("layers", Path.Combine(server.Folder, "empty.pt")).Exit, empty.Exit);
        Assert.Equal("error: empty.pt is empty (0 bytes)\n", empty.Stderr.Replace("\r", ""));
    }

    private static int RemoteFileOpenBytes => NeuronKit.Remote.RemoteFile.OpenBytes;

    [GeneratedRegex(@"^requests: ([\d,]+), bytes: ([\d,]+) \(of ([\d,]+)\)$", RegexOptions.Multiline)]
    private static partial Regex StatsLine();
}
