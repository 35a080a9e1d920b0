using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Reference.ServiceDefaults.Telemetry;

namespace Reference.ServiceDefaults.Tests.Telemetry;

public sealed class HttpServerSpanMiddlewareTests
{
    [Theory]
    [InlineData(200, ActivityStatusCode.Unset)]
    [InlineData(404, ActivityStatusCode.Unset)]
    [InlineData(503, ActivityStatusCode.Error)]
    public async Task Request_MatchedRoute_NamesTheSpanAndTagsIt(int status, ActivityStatusCode expectedStatus)
    {
        using var activity = new Activity("Microsoft.AspNetCore.Hosting.HttpRequestIn").Start();
        var context = Context(activity, "GET", "/orders/42", "?access_token=secret");
        var middleware = new HttpServerSpanMiddleware(c =>
        {
            c.SetEndpoint(new RouteEndpoint(_ => Task.CompletedTask, RoutePatternFactory.Parse("/orders/{id}"), 0, EndpointMetadataCollection.Empty, "orders"));
            c.Response.StatusCode = status;
            return Task.CompletedTask;
        });

        await middleware.InvokeAsync(context);

        Assert.Equal("GET /orders/{id}", activity.DisplayName);
        Assert.Equal("/orders/{id}", activity.GetTagItem("http.route"));
        Assert.Equal("/orders/42", activity.GetTagItem("url.path"));
        Assert.Equal("GET", activity.GetTagItem("http.request.method"));
        Assert.Equal(status, activity.GetTagItem("http.response.status_code"));
        Assert.Equal(expectedStatus, activity.Status);
        Assert.DoesNotContain(activity.TagObjects, t => t.Value?.ToString()?.Contains("secret", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Request_ThrowingPipeline_MarksTheSpanAsError()
    {
        using var activity = new Activity("Microsoft.AspNetCore.Hosting.HttpRequestIn").Start();
        var context = Context(activity, "POST", "/orders", "");
        var middleware = new HttpServerSpanMiddleware(_ => throw new InvalidOperationException("boom"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => middleware.InvokeAsync(context));

        Assert.Equal(ActivityStatusCode.Error, activity.Status);
        Assert.Equal("POST", activity.DisplayName);
    }

    private static DefaultHttpContext Context(Activity activity, string method, string path, string query)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        context.Request.QueryString = new QueryString(query.Length > 0 ? query : null);
        context.Features.Set<IHttpActivityFeature>(new ActivityFeature(activity));
        return context;
    }

    private sealed class ActivityFeature(Activity activity) : IHttpActivityFeature
    {
        public Activity Activity { get; set; } = activity;
    }
}
