using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace NeuronKit.Web;

/// <summary>The page, its script and its style, from the assembly's embedded resources: nothing is fetched from elsewhere.</summary>
internal static class PageEndpoints
{
    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
    };

    public static void Map(WebApplication app)
    {
        app.MapGet("/", context => Asset(context, "index.html"));
        app.MapGet("/assets/{name}", context => Asset(context, (string)context.Request.RouteValues["name"]!));
        // Any other address or method, as the API answers a wrong request: JSON the page (and a script) can read, not an empty body.
        app.MapFallback(NotServed);
    }

    private static Task NotServed(HttpContext context)
    {
        if (HttpMethods.IsGet(context.Request.Method))
            return ApiError.Write(context, StatusCodes.Status404NotFound, $"no page or API at '{context.Request.Path}'",
                ["the page is at /, and the API's list of files at /api/files"]);
        context.Response.Headers.Allow = "GET";
        return ApiError.Write(context, StatusCodes.Status405MethodNotAllowed, $"{context.Request.Method} is not answered: the page and its API take GET", []);
    }

    private static async Task Asset(HttpContext context, string name)
    {
        // Names come from the request, so only the embedded names are looked up; nothing touches the file system.
        using var stream = typeof(PageEndpoints).Assembly.GetManifestResourceStream("assets/" + name);
        if (stream is null || !ContentTypes.TryGetValue(Path.GetExtension(name), out string? type))
        {
            await ApiError.Write(context, StatusCodes.Status404NotFound, $"no asset '{name}'", []);
            return;
        }
        context.Response.ContentType = type;
        // The page may not be framed by another site, and runs no script but its own.
        context.Response.Headers["X-Content-Type-Options"] = "nosniff";
        context.Response.Headers["X-Frame-Options"] = "DENY";
        context.Response.Headers["Content-Security-Policy"] = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'";
        await stream.CopyToAsync(context.Response.Body);
    }
}
