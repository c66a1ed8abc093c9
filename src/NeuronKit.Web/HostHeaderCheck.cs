using System.Net;
using Microsoft.AspNetCore.Http;

namespace NeuronKit.Web;

/// <summary>
/// Refuses requests whose Host header is not this server: a page on another site that makes its own name resolve to
/// 127.0.0.1 (DNS rebinding) sends its own name as the Host, and gets 421 instead of the served files. Accepted: an
/// IP address or <c>localhost</c> with the port the request came in on, which no other site can be the origin of.
/// </summary>
internal static class HostHeaderCheck
{
    /// <summary>True when <paramref name="host"/> names this server, listening on <paramref name="port"/>.</summary>
    public static bool Accepts(HostString host, int port)
    {
        if (!host.HasValue || (host.Port ?? 80) != port) return false;
        string name = host.Host;
        return name.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || IPAddress.TryParse(name.Trim('[', ']'), out _);
    }

    /// <summary>The check as middleware: a refused request ends with 421 and the reason.</summary>
    public static async Task Invoke(HttpContext context, Func<Task> next)
    {
        int port = context.Connection.LocalPort;
        if (Accepts(context.Request.Host, port))
        {
            await next();
            return;
        }
        await ApiError.Write(context, StatusCodes.Status421MisdirectedRequest,
            $"Host '{context.Request.Host}' is not this server: ask for http://127.0.0.1:{port}/ or http://localhost:{port}/", []);
    }
}
