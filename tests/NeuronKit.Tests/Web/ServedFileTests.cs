using NeuronKit.Tests.Remote;
using NeuronKit.Web;

namespace NeuronKit.Tests.Web;

/// <summary>
/// A served file's model over its lifetime: a file found changed on its server is opened afresh for later requests, and
/// the model it replaces stays open for the requests still reading it, then is disposed, not kept until the server stops.
/// </summary>
[Collection(RemoteCollection.Name)]
public class ServedFileTests
{
    [Fact]
    public async Task A_replaced_model_stays_open_for_the_request_reading_it_and_is_disposed_when_that_request_is_done()
    {
        // Given a served URL of the 64 MiB file, a request holding its model, and another that finds the file changed
        await using var server = await RangeServer.Start();
        string path = LargeSafetensors.Write(server.Folder);
        using var files = new ServedFiles([server.Url("t/big.safetensors")]);
        var file = files.All[0];
        var inFlight = file.Lease();
        var old = inFlight.Model;
        Assert.Equal(LargeSafetensors.Value(10, 3, salt: 0), Weights(old, 10)[3]);
        LargeSafetensors.Write(server.Folder, salt: 1);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
        using (var finder = file.Lease())
            Assert.Throws<CheckpointException>(() => Weights(finder.Model, 4000));

        // When a later request takes the model
        using (var later = file.Lease())
        {
            // Then it reads a new model of the new file
            Assert.NotSame(old, later.Model);
            Assert.Equal(LargeSafetensors.Value(4000, 3, salt: 1), Weights(later.Model, 4000)[3]);
        }

        // And the request in flight still reads the old model: its reads fail as the file changed, not as a closed model
        var inFlightRead = Assert.Throws<CheckpointException>(() => Weights(old, 4001));
        Assert.Contains("big.safetensors changed on the server while it was being read", inFlightRead.Message);

        // And once that request is done, the old model is disposed
        inFlight.Dispose();
        Assert.Throws<ObjectDisposedException>(() => Weights(old, 4002));
    }

    [Fact]
    public async Task Serve_lets_go_of_a_model_after_each_request_so_the_one_replaced_after_a_change_is_disposed()
    {
        // Given neuron serve on the URL of the 64 MiB file, its model read by each endpoint that reads one (but stats, which
        // would read the whole file into the cache, where its change could not be found)
        await using var server = await RangeServer.Start();
        string path = LargeSafetensors.Write(server.Folder);
        await using var served = await ServedFolder.Start([server.Url("t/big.safetensors")]);
        foreach (string request in (string[])["/api/layers?file=0", "/api/show?file=0&layer=fc&neuron=1", "/api/npz?file=0&layer=fc&neuron=2",
            "/api/render?file=0&layer=fc&neuron=3"])
            Assert.Equal(200, (await served.Get(request)).Status);
        Model old;
        using (var lease = served.Server.Files.All[0].Lease()) old = lease.Model;

        // When its file changes on the server, a request finds the change and the next reads the new file
        LargeSafetensors.Write(server.Folder, salt: 1);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
        Assert.Equal(422, (await served.Get("/api/show?file=0&layer=fc&neuron=4000")).Status);
        Assert.Equal(200, (await served.Get("/api/show?file=0&layer=fc&neuron=4000")).Status);

        // Then the old model, which no request holds any more, is disposed
        Assert.Throws<ObjectDisposedException>(() => Weights(old, 4001));
    }

    private static double[] Weights(Model model, long neuron) => model.Neuron("fc", neuron).Part("weight")!.ToDoubles();
}
