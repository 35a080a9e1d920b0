using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace Reference.ServiceDefaults.Telemetry;

/// <summary>
/// Gives ASP.NET Core's native request activity what the instrumentation package would (it is not
/// available here): the HTTP semantic-convention tags and a "GET /api/orders/{id}" style name, so a
/// trace viewer shows what each server span was. Only the path is recorded, never the query string.
/// </summary>
internal sealed class HttpServerSpanMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var activity = context.Features.Get<IHttpActivityFeature>()?.Activity;
        if (activity is null || !activity.IsAllDataRequested)
        {
            await next(context);
            return;
        }

        var request = context.Request;
        activity.SetTag("http.request.method", request.Method);
        activity.SetTag("url.scheme", request.Scheme);
        activity.SetTag("url.path", request.Path.Value);
        try
        {
            await next(context);
        }
        catch (Exception ex)
        {
            activity.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            throw;
        }
        finally
        {
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
            if (route is not null)
            {
                activity.SetTag("http.route", route);
            }

            activity.SetTag("http.response.status_code", context.Response.StatusCode);
            activity.DisplayName = route is null ? request.Method : $"{request.Method} {route}";
            if (context.Response.StatusCode >= StatusCodes.Status500InternalServerError)
            {
                activity.SetStatus(ActivityStatusCode.Error);
            }
        }
    }
}
