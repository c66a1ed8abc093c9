using NeuronKit.Views.Pictures;

namespace NeuronKit.Tests.Views.Pictures;

/// <summary>A neuron's picture: its size follows the scale, and each weight's cell has the weight's colour.</summary>
public class NeuronPictureTests
{
    private static readonly string Filter = Fixtures.Path("render/filter.pt");   // make_render.py: filter 0 has 0.5, -0.25, 0

    [Fact]
    public void A_conv_filter_is_one_tile_of_an_image_per_input_channel_sized_by_the_scale()
    {
        // Given filter 0 of a Conv2d(3, 2, 3)
        using var model = Model.Open(Filter);
        var neuron = model.Neuron("conv", 0);

        // When it is drawn at 10 and at 20 pixels per weight
        using var small = NeuronPicture.Draw(model, neuron, new PictureOptions { Scale = 10 });
        using var large = NeuronPicture.Draw(model, neuron, new PictureOptions { Scale = 20 });
        using var png = DecodedPng.Of(small);

        // Then its weight is one tile of 3 images of 3 × 3 cells of 10 pixels, 4 pixels apart, and the PNG is the picture's size
        var tile = Assert.Single(small.Tiles);
        Assert.Equal((3, 3, 3, 10, 10), (tile.Images, tile.Rows, tile.Columns, tile.CellWidth, tile.CellHeight));
        Assert.Equal((3 * 30 + 2 * 4, 30), (tile.Width, tile.Height));
        Assert.Equal((3 * 60 + 2 * 4, 60), (large.Tiles[0].Width, large.Tiles[0].Height));
        Assert.Equal((small.Width, small.Height), (png.Width, png.Height));
        Assert.InRange(tile.X + tile.Width, 0, small.Width);
        Assert.InRange(tile.Y + tile.Height, 0, small.Height);
        Assert.True(large.Width >= small.Width && large.Height > small.Height);
    }

    [Theory]
    [InlineData(2048)]
    [InlineData(16384)]
    public void A_filter_of_many_input_channels_is_drawn_about_512_pixels_wide_by_default(int channels)
    {
        // Given a filter of thousands of 3 × 3 images, which the tile lays out in a near-square grid
        var weight = Enumerable.Range(0, channels * 9).Select(i => (float)(i % 11 - 5) / 10).ToArray();
        using var file = new TempFile("deep.safetensors", LayerPictureTests.SafetensorsBytes("d.weight", [1, channels, 3, 3], weight));
        using var model = Model.Open(file.Path);

        // When it is drawn at the default scale
        using var picture = NeuronPicture.Draw(model, model.Neuron("d", 0));

        // Then the picture is about as wide as the README says (not thousands of pixels), one pixel a weight at least
        var tile = Assert.Single(picture.Tiles);
        Assert.Equal(channels, tile.Images);
        Assert.InRange(tile.Width, 256, 1024);
        Assert.InRange(picture.Width, 256, 1280);
    }

    [Fact]
    public void A_row_reshaped_into_a_tall_image_is_drawn_at_most_about_1024_pixels_high_by_default()
    {
        // Given a row of 200,000 weights drawn as a 200,000 × 1 image (pooled to 1,024 cells)
        var weight = Enumerable.Range(0, 200_000).Select(i => (float)(i % 13 - 6) / 10).ToArray();
        using var file = new TempFile("tall.safetensors", LayerPictureTests.SafetensorsBytes("fc.weight", [1, 200_000], weight));
        using var model = Model.Open(file.Path);

        // When it is drawn at the default scale
        using var picture = NeuronPicture.Draw(model, model.Neuron("fc", 0), new PictureOptions { Shape = (200_000, 1) });

        // Then its height suits a screen, one pixel a cell (40 a cell, as its width alone would allow, made it 40,990)
        var tile = Assert.Single(picture.Tiles);
        Assert.Equal((1021, 1, 1), (tile.Rows, tile.Columns, tile.CellHeight)); // 196 weights a cell
        Assert.InRange(picture.Height, 1024, 1400);
    }

    [Fact]
    public void Each_pixel_maps_back_to_its_weight_through_the_colour_map()
    {
        // Given filter 0, whose largest |w| is 0.5 at [0, 1, 1], with -0.25 at [2, 0, 0] and 0 at [1, 2, 2]
        using var model = Model.Open(Filter);
        var neuron = model.Neuron("conv", 0);
        double[] weights = neuron.Part("weight")!.ToDoubles();

        // When it is drawn and its PNG decoded
        using var picture = NeuronPicture.Draw(model, neuron);
        using var png = DecodedPng.Of(picture);
        var tile = picture.Tiles[0];

        // Then the range is ±0.5, the extremes and zero have the map's end, middle and centre colours,
        Assert.Equal(0.5, picture.Colors.Limit, 7);
        Assert.Equal(DivergingColorMap.Positive, png.At(tile, 0, 1, 1));
        Assert.Equal(DivergingColorMap.Centre, png.At(tile, 1, 2, 2));
        Assert.Equal(-0.25, picture.Colors.ValueOf(png.At(tile, 2, 0, 0)), picture.Colors.Resolution);
        // and every cell reads back as its weight within the map's resolution
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 3; y++)
                for (int x = 0; x < 3; x++)
                    Assert.Equal(weights[c * 9 + y * 3 + x], picture.Colors.ValueOf(png.At(tile, c, y, x)), picture.Colors.Resolution);
    }

    [Fact]
    public void A_NaN_weight_is_black()
    {
        using var model = Model.Open(Filter);

        using var picture = NeuronPicture.Draw(model, model.Neuron("conv", 1));
        using var png = DecodedPng.Of(picture);

        Assert.Equal(DivergingColorMap.NotANumber, png.At(picture.Tiles[0], 0, 0, 0));
    }

    [Fact]
    public void With_rgb_a_three_channel_filter_is_one_image_whose_channels_are_red_green_and_blue()
    {
        using var model = Model.Open(Filter);
        var neuron = model.Neuron("conv", 0);

        using var picture = NeuronPicture.Draw(model, neuron, new PictureOptions { Rgb = true, Scale = 8 });
        using var png = DecodedPng.Of(picture);

        // 128 + 127·w/0.5 per channel: [0, 1, 1] = 0.5 is full red, [2, 0, 0] = -0.25 is blue 64, [1, 2, 2] = 0 is green 128
        var tile = Assert.Single(picture.Tiles);
        Assert.True(tile.Rgb);
        Assert.Equal((3 * 8, 3 * 8), (tile.Width, tile.Height));
        Assert.Equal(255, png.At(tile, 0, 1, 1).R);
        Assert.Equal(64, png.At(tile, 0, 0, 0).B);
        Assert.Equal(128, png.At(tile, 0, 2, 2).G);
    }

    [Fact]
    public void An_LSTM_unit_is_a_labelled_row_per_gate_and_its_outgoing_slices_follow()
    {
        // Given hidden unit 2 of the seed LSTM, with its outgoing weights (fc's column and its own weight_hh columns)
        using var model = Model.Open(Fixtures.PyTorch("seed_lstm.pt"));
        var neuron = model.Graph.WithOutgoing(model.Neuron("rnn", 2));

        // When it is drawn
        using var picture = NeuronPicture.Draw(model, neuron);
        using var png = DecodedPng.Of(picture);

        // Then each weight part is one row-tile, labelled with its tensor, slice and gate, in the parts' order
        var weights = neuron.Parts.Where(p => p.Shape.Count > 0).ToList();
        Assert.Equal(weights.Count, picture.Tiles.Count);
        Assert.Contains("rnn.weight_ih_l0[22]  weight_ih · gate forget", picture.Tiles[2].Label);
        Assert.Contains("fc.weight[:, 2]  weight · out, into fc", picture.Tiles[8].Label);
        Assert.All(picture.Tiles, t => Assert.Equal(1, t.Rows));
        // and the cells of every row read back as its weights
        for (int t = 0; t < weights.Count; t++)
        {
            double[] values = weights[t].ToDoubles();
            for (int i = 0; i < values.Length; i++)
                Assert.Equal(values[i], picture.Colors.ValueOf(png.At(picture.Tiles[t], 0, 0, i)), picture.Colors.Resolution);
        }
    }

    [Fact]
    public void A_row_reshaped_with_shape_is_an_image_of_that_shape()
    {
        using var model = Model.Open(Fixtures.PyTorch("seed_linear.pt"));
        var neuron = model.Neuron("0", 1);

        using var picture = NeuronPicture.Draw(model, neuron, new PictureOptions { Shape = (2, 5), Scale = 6 });
        using var png = DecodedPng.Of(picture);

        var tile = Assert.Single(picture.Tiles);
        Assert.Equal((2, 5, 30, 12), (tile.Rows, tile.Columns, tile.Width, tile.Height));
        double[] row = neuron.Part("weight")!.ToDoubles();
        Assert.Equal(row[7], picture.Colors.ValueOf(png.At(tile, 0, 1, 2)), picture.Colors.Resolution);
    }

    [Fact]
    public void Options_that_fit_no_part_are_refused()
    {
        using var model = Model.Open(Fixtures.PyTorch("seed_linear.pt"));
        var neuron = model.Neuron("0", 1);

        var shape = Assert.Throws<RequestException>(() => NeuronPicture.Draw(model, neuron, new PictureOptions { Shape = (3, 3) }));
        var rgb = Assert.Throws<RequestException>(() => NeuronPicture.Draw(model, neuron, new PictureOptions { Rgb = true }));

        Assert.Equal("--shape 3,3 holds 9 weights, and no part of neuron 1 of '0' is a row of that many", shape.Message);
        Assert.StartsWith("--rgb draws a filter of 3 input channels", rgb.Message);
        Assert.StartsWith("its parts: weight [", Assert.Single(rgb.Hints));
    }

    [Fact]
    public void A_conv1d_filter_is_no_colour_image_and_the_refusal_says_its_shape()
    {
        using var model = Model.Open(Fixtures.PyTorch("kinds.pt"));
        var neuron = model.Neuron("conv1d", 0);

        var rgb = Assert.Throws<RequestException>(() => NeuronPicture.Draw(model, neuron, new PictureOptions { Rgb = true }));

        Assert.Equal("--rgb draws a filter of 3 input channels as one colour image ([3, H, W]), and neuron 0 of 'conv1d' (Conv1d) has no part of that shape", rgb.Message);
        Assert.Equal("its parts: weight [4, 3], bias []", Assert.Single(rgb.Hints));
    }
}
