using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Reference.ServiceDefaults.Tests;

public sealed class ProblemDetailsTests
{
    [Fact]
    public async Task UnhandledException_OutsideDevelopment_ProblemDetailsWithoutExceptionDetail()
    {
        await using var host = await ServiceHost.StartAsync(
            new Dictionary<string, string?>(),
            configureApp: app => app.MapGet("/boom", IResult () => throw new InvalidOperationException("connection string Password=hunter2")),
            internalTokens: false);

        var response = await host.Client.GetAsync("/boom");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"status\":500", body, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", body, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", body, StringComparison.Ordinal);
    }
}
