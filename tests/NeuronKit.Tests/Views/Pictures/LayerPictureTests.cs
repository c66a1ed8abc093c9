using NeuronKit.Views.Pictures;

namespace NeuronKit.Tests.Views.Pictures;

/// <summary>A layer's picture: a mosaic with one tile per filter, or heatmaps whose row j is neuron j.</summary>
public class LayerPictureTests
{
    [Fact]
    public void A_conv_layer_is_a_mosaic_of_one_tile_per_filter()
    {
        // Given conv1 of the seed model, Conv2d(3, 16, 3)
        using var model = Model.Open(Fixtures.PyTorch("seed_conv.pt"));
        var layer = model.Layer("conv1");

        // When the layer is drawn
        using var picture = LayerPicture.Draw(model, layer);
        using var png = DecodedPng.Of(picture);

        // Then there are 16 tiles, labelled 0 to 15, each 3 images of 3 × 3, and filter j's cells are its weights
        Assert.Equal(16, picture.Tiles.Count);
        Assert.Equal(Enumerable.Range(0, 16).Select(j => j.ToString()), picture.Tiles.Select(t => t.Label));
        Assert.All(picture.Tiles, t => Assert.Equal((3, 3, 3), (t.Images, t.Rows, t.Columns)));
        Assert.Equal(16, picture.Tiles.Select(t => (t.X, t.Y)).Distinct().Count());
        for (int j = 0; j < 16; j++)
        {
            double[] filter = layer.Neuron(j).Part("weight")!.ToDoubles();
            Assert.Equal(filter[13], picture.Colors.ValueOf(png.At(picture.Tiles[j], 1, 1, 1)), picture.Colors.Resolution);
        }
    }

    [Fact]
    public void A_linear_layer_is_a_heatmap_whose_row_j_is_neuron_j()
    {
        using var model = Model.Open(Fixtures.PyTorch("seed_linear.pt"));
        var layer = model.Layer("0");

        using var picture = LayerPicture.Draw(model, layer, new PictureOptions { Scale = 4 });
        using var png = DecodedPng.Of(picture);

        var tile = Assert.Single(picture.Tiles);
        Assert.Equal((5, 10, 40, 20), (tile.Rows, tile.Columns, tile.Width, tile.Height));
        for (int j = 0; j < 5; j++)
        {
            double[] row = layer.Neuron(j).Part("weight")!.ToDoubles();
            for (int i = 0; i < 10; i++)
                Assert.Equal(row[i], picture.Colors.ValueOf(png.At(tile, 0, j, i)), picture.Colors.Resolution);
        }
    }

    [Fact]
    public void A_large_weight_is_pooled_by_its_largest_magnitude()
    {
        // Given a [5000, 3] weight: more rows than a picture has cells
        var weight = Enumerable.Range(0, 5000 * 3).Select(i => (float)(i % 7 - 3) / 10).ToArray();
        weight[4321 * 3 + 1] = -2.5f;
        using var file = new TempFile("wide.safetensors", SafetensorsBytes("fc.weight", [5000, 3], weight));
        using var model = Model.Open(file.Path);

        // When the layer is drawn
        using var picture = LayerPicture.Draw(model, model.Layer("fc"));
        using var png = DecodedPng.Of(picture);

        // Then rows are pooled 5 to a cell, and the cell holding -2.5 shows it: the negative end of the map
        var tile = Assert.Single(picture.Tiles);
        Assert.Equal((5, 1000), (tile.RowPooling, tile.Rows));
        Assert.Equal(2.5, picture.Colors.Limit, 6);
        Assert.Equal(DivergingColorMap.Negative, png.At(tile, 0, 4321, 1));
    }

    [Fact]
    public void Histograms_are_drawn_for_a_layer_and_refused_for_a_neuron()
    {
        using var model = Model.Open(Fixtures.PyTorch("seed_lstm.pt"));

        using var picture = LayerPicture.Draw(model, model.Layer("rnn"), new PictureOptions { Histogram = true });
        var neuron = Assert.Throws<RequestException>(() =>
            NeuronPicture.Draw(model, model.Neuron("rnn", 0), new PictureOptions { Histogram = true }));

        Assert.Empty(picture.Tiles);
        Assert.True(picture.Width > 400 && picture.Height > 300);
        Assert.Equal("--hist draws a whole layer's histograms; leave out INDEX", neuron.Message);
    }

    // A safetensors file of one float32 tensor.
    internal static byte[] SafetensorsBytes(string name, long[] shape, float[] values)
    {
        string header = $"{{\"{name}\":{{\"dtype\":\"F32\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[0,{values.Length * 4}]}}}}";
        var bytes = new List<byte>(BitConverter.GetBytes((long)header.Length));
        bytes.AddRange(System.Text.Encoding.ASCII.GetBytes(header));
        foreach (float v in values) bytes.AddRange(BitConverter.GetBytes(v));
        return [.. bytes];
    }
}
