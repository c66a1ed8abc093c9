namespace NeuronKit.Activations;

/// <summary>Where a picture's channels go in the tensor.</summary>
public enum ImageLayout
{
    /// <summary>[1, 3, H, W]: PyTorch's layout.</summary>
    Nchw,

    /// <summary>[1, H, W, 3]: TensorFlow's and Keras's layout.</summary>
    Nhwc,
}
