using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Pix.Protocol.Routing;

namespace Pix.Server.AspNet;

/// <summary>
/// The baseline (<c>--Pix:Http aspnet</c>): the four ICOM routes as ASP.NET Core minimal APIs on Kestrel's normal
/// HTTP pipeline, the way a team would build them first. <c>pix-bench compare</c> measures our pipeline against it.
/// Only the HTTP layer differs; ingest, the stream engine and the store are shared. Known differences from the
/// pipeline: a wrong method gets ASP.NET's bare 405, and <c>Pix:Http:StrictHeaders</c> is not applied.
/// </summary>
internal static class AspNetIcomEndpoints
{
    public static void Map(WebApplication app, Func<int> icomPort)
    {
        // Both listeners share one pipeline in this mode: keep the ICOM port to the ICOM routes and vice versa.
        app.Use(async (context, next) =>
        {
            var onIcom = context.Connection.LocalPort == icomPort();
            if (onIcom != context.Request.Path.StartsWithSegments("/api"))
            {
                await Handler(context).NotFoundAsync(context);
                return;
            }
            await next(context);
        });
        app.MapPost("/api/v1/in/{ispb}/msgs", (HttpContext context, string ispb) =>
            Handler(context).HandleAsync(context, IcomRouteKind.Ingest, ispb, null));
        app.MapGet("/api/v1/out/{ispb}/stream/start", (HttpContext context, string ispb) =>
            Handler(context).HandleAsync(context, IcomRouteKind.StreamStart, ispb, null));
        app.MapMethods("/api/v1/out/{ispb}/stream/{token}", ["GET", "DELETE"], (HttpContext context, string ispb, string token) =>
            Handler(context).HandleAsync(context, IcomRouteKind.StreamToken, ispb, token));
        app.MapFallback("/api/{**rest}", (HttpContext context) => Handler(context).NotFoundAsync(context));
    }

    private static AspNetIcomHandler Handler(HttpContext context) => context.RequestServices.GetRequiredService<AspNetIcomHandler>();
}
