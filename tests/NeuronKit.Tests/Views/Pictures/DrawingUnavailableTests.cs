using NeuronKit.Views.Pictures;

namespace NeuronKit.Tests.Views.Pictures;

/// <summary>Without SkiaSharp's native library a picture fails with a sentence and a hint, not as an internal error.</summary>
public class DrawingUnavailableTests
{
    [Fact]
    public void A_native_library_that_does_not_load_is_a_clear_error_with_exit_code_1()
    {
        var e = Assert.Throws<DrawingUnavailableException>(() =>
            DrawingUnavailableException.Guard<Picture>(() => throw new TypeInitializationException(null, new DllNotFoundException(
                "Unable to load shared library 'libSkiaSharp' or one of its dependencies. In order to help diagnose loading problems, …\n/x/libSkiaSharp.so: cannot open"))));

        Assert.Equal("SkiaSharp's native library did not load: Unable to load shared library 'libSkiaSharp' or one of its dependencies.", e.Message);
        Assert.Equal(1, e.ExitCode);
        Assert.Single(e.Hints);
    }
}
